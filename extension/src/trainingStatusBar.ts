/** The status-bar item while a run trains: iteration of the run's own total, loss and NFE; a click offers Stop. */
import * as vscode from 'vscode';
import { statusBarText } from './runsFormat';
import type { ActiveRun, TrainingSession } from './trainingSession';

const REDRAW_MS = 100;

export function trainingStatusBar(session: TrainingSession): vscode.Disposable {
  const item = vscode.window.createStatusBarItem('neuralOde.training', vscode.StatusBarAlignment.Left, 50);
  item.name = 'Neural ODE Training';
  item.command = 'neuralOde.stopTraining';
  let last = 0;
  const draw = (run: ActiveRun | undefined): void => {
    void vscode.commands.executeCommand('setContext', 'neuralOde.training', session.busy);
    if (!run) {
      if (session.busy) {
        item.text = '$(sync~spin) Neural ODE: loading the experiment…';
        item.show();
      } else item.hide();
      return;
    }
    item.text = statusBarText(run.experiment, run.latest);
    item.tooltip = `Neural ODE: training run ${run.runId} (${run.file}) to iteration ${run.iterations}. Click to stop; the run is kept and can be resumed.`;
    item.show();
  };
  const subs = [
    session.onDidChange(draw),
    session.onDidProgress((run, p) => {
      const now = Date.now();
      if (now - last < REDRAW_MS && p.iteration < p.iterations) return;
      last = now;
      draw(run);
    }),
  ];
  draw(session.current);
  return vscode.Disposable.from(item, ...subs);
}
