/**
 * Every webview panel's commands and serializer, registered one way (registerPanel). "Open
 * Training Curves" shows a run (the one given, else what the panel showed, else the newest);
 * "Compare Runs" overlays several; the panels of an experiment (vector field, trajectories,
 * solver inspector, diagnostics) show it with its latest run's weights, or a run's.
 */
import * as vscode from 'vscode';
import type { FieldSource } from '../../../webview/src/protocol';
import { EXPERIMENT_FILE, isExperimentFile } from '../experimentFiles';
import { CurvesPanel, workspaceRuns, type PanelDeps } from './curvesPanel';
import { findRunDir, runExperimentFile } from './previewFeed';
import { runIdsFromArgs } from './runArgs';
import { DiagnosticsPanel } from './diagnosticsPanel';
import { InspectorPanel } from './inspectorPanel';
import { registerPanel } from './panelCommand';
import { PreviewPanel, type PreviewDeps, type PreviewPanelKind } from './previewPanel';
import { trajectoriesPanel } from './trajectoriesPanel';
import { vectorFieldPanel } from './vectorFieldPanel';

export function registerPanels(context: vscode.ExtensionContext, deps: PanelDeps & Partial<PreviewDeps>): void {
  const engine = deps.engine;
  if (engine) {
    const previewDeps: PreviewDeps = { ...deps, engine };
    /** A command of an experiment's panel: opens it on the file or run its arguments name. */
    const onSource = (command: string, open: (source: FieldSource) => void) => (...args: unknown[]) => {
      const source = fieldSourceFromArgs(args, command);
      if (source) open(source);
    };
    const preview = <P>(command: string, kind: PreviewPanelKind<P>): vscode.Disposable[] =>
      registerPanel(kind.viewType, (panel, state) => PreviewPanel.revive(kind, panel, context, previewDeps, state), {
        [command]: onSource(kind.command, (source) => PreviewPanel.createOrShow(kind, context, previewDeps, source)),
      });
    context.subscriptions.push(
      ...preview('neuralOde.openVectorField', vectorFieldPanel),
      ...preview('neuralOde.openTrajectories', trajectoriesPanel),
      ...registerPanel(InspectorPanel.viewType, (panel, state) => InspectorPanel.revive(panel, context, previewDeps, state), {
        'neuralOde.openSolverInspector': onSource('Open Solver Inspector', (source) => InspectorPanel.createOrShow(context, previewDeps, source)),
      }),
      ...registerPanel(DiagnosticsPanel.viewType, (panel, state) => DiagnosticsPanel.revive(panel, context, previewDeps, state), {
        'neuralOde.openDiagnostics': onSource('Modified-Equation Diagnostics', (source) => DiagnosticsPanel.createOrShow(context, previewDeps, source)),
      }),
    );
  }
  context.subscriptions.push(
    ...registerPanel(CurvesPanel.viewType, (panel, state) => CurvesPanel.revive(panel, context, deps, state), {
      'neuralOde.openTrainingCurves': (...args: unknown[]) => CurvesPanel.createOrShow(context, deps, runIdsFromArgs(args)),
      'neuralOde.compareRuns': async (...args: unknown[]) => {
        const given = runIdsFromArgs(args);
        const runIds = given && given.length > 1 ? given : await pickRuns(deps, given);
        if (runIds) CurvesPanel.createOrShow(context, deps, runIds);
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

/**
 * What an experiment's panel (`command`, for messages) shows: a run (by id, or a Runs view item)
 * with its experiment file; else an experiment file (a Uri or a path, else the active editor's)
 * with its newest run's weights, followed as new runs come (untrained while it has none).
 */
function fieldSourceFromArgs(args: readonly unknown[], command: string): FieldSource | undefined {
  const first = args[0];
  if (first instanceof vscode.Uri && isExperimentFile(first)) return { file: first.fsPath, runId: null, pick: 'latest' };
  if (typeof first === 'string' && EXPERIMENT_FILE.test(first)) return { file: first, runId: null, pick: 'latest' };
  const runId = runIdsFromArgs(args)?.[0];
  if (runId !== undefined) {
    const dir = findRunDir(runId);
    const file = dir ? runExperimentFile(dir) : undefined;
    if (!dir || !file) {
      void vscode.window.showErrorMessage(
        dir
          ? `Neural ODE: run ${runId} does not record its experiment file (config.json has no config.file), so its model cannot be rebuilt. Open the experiment and run ${command} there.`
          : `Neural ODE: there is no run ${runId} under .neural-ode/runs/ of this workspace.`,
      );
      return undefined;
    }
    return { file, runId, pick: 'run' };
  }
  const active = vscode.window.activeTextEditor?.document.uri;
  if (isExperimentFile(active)) return { file: active.fsPath, runId: null, pick: 'latest' };
  void vscode.window.showErrorMessage(`Neural ODE: open an experiment file (*.ode.ts) first, or pick a run in the Runs view, then run ${command}.`);
  return undefined;
}
