/**
 * Above each `defineExperiment(` of an experiment file: Train · Training curves, then the views
 * its model has (experimentViews): an ODE model's Debug solve · Vector field · Trajectories ·
 * Solver inspector, a discrete network's Diagnostics, a CNF's Vector field (its density), a latent
 * ODE's Trajectories.
 */
import * as vscode from 'vscode';
import { findDefineExperimentCalls } from './defineExperimentCalls';
import { EXPERIMENT_FILE } from './experimentFiles';
import { experimentViews, type ExperimentView } from './experimentViews';

const VIEW_LENSES: Record<ExperimentView, [title: string, command: string, tooltip: string]> = {
  debugSolve: ['$(debug-alt) Debug solve', 'neuralOde.debugSolve', "Step through the model's solve of one sample in the debugger"],
  vectorField: ['Vector field', 'neuralOde.openVectorField', "Open the model's vector field (a flow's density)"],
  trajectories: ['Trajectories', 'neuralOde.openTrajectories', "Open the model's trajectories against the data"],
  solverInspector: ['Solver inspector', 'neuralOde.openSolverInspector', "Open the model's forward solve step by step"],
  diagnostics: ['Diagnostics', 'neuralOde.openDiagnostics', 'Open the modified-equation diagnostics of this network'],
};

class ExperimentCodeLensProvider implements vscode.CodeLensProvider {
  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    if (!EXPERIMENT_FILE.test(document.uri.fsPath)) return [];
    const text = document.getText();
    const calls = findDefineExperimentCalls(text);
    if (calls.length === 0) return [];
    const views = experimentViews(text);
    return calls.flatMap(({ line, character }) => {
      const range = new vscode.Range(line, character, line, character);
      const lens = (title: string, command: string, tooltip: string, withFile = true) =>
        new vscode.CodeLens(range, { title, command, tooltip, ...(withFile ? { arguments: [document.uri] } : {}) });
      const lenses = [
        lens('$(play) Train', 'neuralOde.trainExperiment', 'Train this experiment in the engine worker'),
        lens('Training curves', 'neuralOde.openTrainingCurves', 'Open the Training curves panel', false),
      ];
      for (const view of views) {
        const [title, command, tooltip] = VIEW_LENSES[view];
        lenses.push(lens(title, command, tooltip));
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
