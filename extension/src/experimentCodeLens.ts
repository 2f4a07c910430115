/** "Train · Training curves · Vector field" above each `defineExperiment(` of an experiment file. */
import * as vscode from 'vscode';
import { findDefineExperimentCalls } from './defineExperimentCalls';
import { EXPERIMENT_FILE } from './experimentFiles';

const VECTOR_FIELD = 'neuralOde.openVectorField';

class ExperimentCodeLensProvider implements vscode.CodeLensProvider {
  async provideCodeLenses(document: vscode.TextDocument): Promise<vscode.CodeLens[]> {
    if (!EXPERIMENT_FILE.test(document.uri.fsPath)) return [];
    const calls = findDefineExperimentCalls(document.getText());
    if (calls.length === 0) return [];
    // Offered only where this build has the panel.
    const hasVectorField = (await vscode.commands.getCommands(true)).includes(VECTOR_FIELD);
    return calls.flatMap(({ line, character }) => {
      const range = new vscode.Range(line, character, line, character);
      const lenses = [
        new vscode.CodeLens(range, { title: '$(play) Train', command: 'neuralOde.trainExperiment', arguments: [document.uri], tooltip: 'Train this experiment in the engine worker' }),
        new vscode.CodeLens(range, { title: 'Training curves', command: 'neuralOde.openTrainingCurves', tooltip: 'Open the Training curves panel' }),
        new vscode.CodeLens(range, { title: '$(debug-alt) Debug solve', command: 'neuralOde.debugSolve', arguments: [document.uri], tooltip: "Step through the model's solve of one sample in the debugger" }),
      ];
      if (hasVectorField) {
        lenses.push(new vscode.CodeLens(range, { title: 'Vector field', command: VECTOR_FIELD, arguments: [document.uri], tooltip: "Open the model's vector field" }));
        lenses.push(new vscode.CodeLens(range, { title: 'Solver inspector', command: 'neuralOde.openSolverInspector', arguments: [document.uri], tooltip: "Open the model's forward solve step by step" }));
      }
      return lenses;
    });
  }
}

export function registerExperimentCodeLens(): vscode.Disposable {
  return vscode.languages.registerCodeLensProvider(
    { scheme: 'file', pattern: '**/*.ode.{ts,mts,js,mjs,cjs}' },
    new ExperimentCodeLensProvider(),
  );
}
