/**
 * The webview panels' commands and serializers. "Open Training Curves" shows a run (the one
 * given, else what the panel showed, else the newest); "Compare Runs" overlays several.
 */
import * as vscode from 'vscode';
import { CurvesPanel, workspaceRuns, type PanelDeps } from './curvesPanel';
import { runIdsFromArgs } from './runArgs';

export function registerPanels(context: vscode.ExtensionContext, deps: PanelDeps): void {
  context.subscriptions.push(
    vscode.commands.registerCommand('neuralOde.openTrainingCurves', (...args: unknown[]) => {
      CurvesPanel.createOrShow(context, deps, runIdsFromArgs(args));
    }),
    vscode.commands.registerCommand('neuralOde.compareRuns', async (...args: unknown[]) => {
      const given = runIdsFromArgs(args);
      const runIds = given && given.length > 1 ? given : await pickRuns(deps, given);
      if (runIds) CurvesPanel.createOrShow(context, deps, runIds);
    }),
    vscode.window.registerWebviewPanelSerializer(CurvesPanel.viewType, {
      deserializeWebviewPanel: async (panel, state: unknown) => {
        CurvesPanel.revive(panel, context, deps, state);
      },
    }),
  );
}

/** A multi-select pick list of the workspace's runs, newest first. */
async function pickRuns(deps: PanelDeps, preselected: string[] = []): Promise<string[] | undefined> {
  const runs = workspaceRuns(deps.log);
  if (runs.length < 2) {
    void vscode.window.showInformationMessage(
      runs.length === 0
        ? 'Neural ODE: there are no runs under .neural-ode/runs/ to compare. Train an experiment first (Neural ODE: Train Experiment).'
        : 'Neural ODE: there is only one run under .neural-ode/runs/; train another to compare them.',
    );
    return runs.length === 1 ? [runs[0].id] : undefined;
  }
  const items = runs.map((r) => ({
    label: r.experiment,
    description: `${r.status}${r.lastIteration === null ? '' : ` · ${r.lastIteration} iterations`}${r.lastLoss === null ? '' : ` · loss ${r.lastLoss.toPrecision(4)}`}`,
    detail: r.id,
    picked: preselected.includes(r.id),
    id: r.id,
  }));
  const picked = await vscode.window.showQuickPick(items, { canPickMany: true, title: 'Compare runs', placeHolder: 'Pick the runs to overlay in the training curves' });
  return picked && picked.length > 0 ? picked.map((p) => p.id) : undefined;
}
