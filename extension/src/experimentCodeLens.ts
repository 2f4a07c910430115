/**
 * Above each `defineExperiment(` of an experiment file: Train · Training curves, then the ODE
 * model's Debug solve · Vector field · Trajectories · Solver inspector, or a discrete network's
 * Diagnostics.
 */
import * as vscode from 'vscode';
import { findDefineExperimentCalls } from './defineExperimentCalls';
import { EXPERIMENT_FILE } from './experimentFiles';

class ExperimentCodeLensProvider implements vscode.CodeLensProvider {
  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    if (!EXPERIMENT_FILE.test(document.uri.fsPath)) return [];
    const text = document.getText();
    const calls = findDefineExperimentCalls(text);
    if (calls.length === 0) return [];
    // A discrete network (ResNet, LM-ResNet) has no vector field: its lens is the diagnostics.
    const discrete = /\bdiscreteNetwork\s*\(/.test(text);
    return calls.flatMap(({ line, character }) => {
      const range = new vscode.Range(line, character, line, character);
      const lens = (title: string, command: string, tooltip: string, withFile = true) =>
        new vscode.CodeLens(range, { title, command, tooltip, ...(withFile ? { arguments: [document.uri] } : {}) });
      const lenses = [
        lens('$(play) Train', 'neuralOde.trainExperiment', 'Train this experiment in the engine worker'),
        lens('Training curves', 'neuralOde.openTrainingCurves', 'Open the Training curves panel', false),
      ];
      if (discrete) {
        lenses.push(lens('Diagnostics', 'neuralOde.openDiagnostics', 'Open the modified-equation diagnostics of this network'));
      } else {
        lenses.push(
          lens('$(debug-alt) Debug solve', 'neuralOde.debugSolve', "Step through the model's solve of one sample in the debugger"),
          lens('Vector field', 'neuralOde.openVectorField', "Open the model's vector field"),
          lens('Trajectories', 'neuralOde.openTrajectories', "Open the model's trajectories against the data"),
          lens('Solver inspector', 'neuralOde.openSolverInspector', "Open the model's forward solve step by step"),
        );
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
