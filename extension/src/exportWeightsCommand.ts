/**
 * "Neural ODE: Export Weights": a run's latest checkpoint as a safetensors file (PyTorch
 * `nn.Sequential` names) where the user chooses. The run comes from the Runs view item or a pick
 * list; the engine worker rebuilds the model from the run's experiment file, which is code, so
 * the command needs a trusted workspace.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { EngineClient } from './engineClient';
import { workspaceRuns } from './panels/curvesPanel';
import { findRunDir, runExperimentFile } from './panels/previewFeed';
import { runIdsFromArgs } from './panels/runArgs';
import { requireTrust } from './trust';

async function pickRun(log: vscode.LogOutputChannel): Promise<string | undefined> {
  const runs = workspaceRuns(log);
  if (runs.length === 0) {
    void vscode.window.showInformationMessage('Neural ODE: there are no runs under .neural-ode/runs/ to export. Train an experiment first (Neural ODE: Train Experiment).');
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    runs.map((r) => ({
      label: r.experiment,
      description: `${r.status}${r.lastIteration === null ? '' : ` · ${r.lastIteration} iterations`}${r.lastLoss === null ? '' : ` · loss ${r.lastLoss.toPrecision(4)}`}`,
      detail: r.id,
      id: r.id,
    })),
    { title: 'Export weights', placeHolder: "Pick the run whose latest checkpoint to export as safetensors" },
  );
  return picked?.id;
}

export function registerExportWeights(engine: EngineClient, log: vscode.LogOutputChannel): vscode.Disposable {
  return vscode.commands.registerCommand('neuralOde.exportWeights', async (...args: unknown[]) => {
    const runId = runIdsFromArgs(args)?.[0] ?? (await pickRun(log));
    if (!runId) return;
    const runDir = findRunDir(runId);
    if (!runDir) {
      void vscode.window.showErrorMessage(`Neural ODE: there is no run ${runId} under .neural-ode/runs/ of this workspace.`);
      return;
    }
    const file = runExperimentFile(runDir);
    if (!file) {
      void vscode.window.showErrorMessage(
        `Neural ODE: run ${runId} does not record its experiment file (config.json has no config.file), so its model cannot be rebuilt. ` +
          'Export it from a terminal: neural-ode export <experiment> --run <id>.',
      );
      return;
    }
    if (!(await requireTrust('Export Weights', log))) return;
    const target = await vscode.window.showSaveDialog({
      defaultUri: vscode.Uri.file(path.join(runDir, 'model.safetensors')),
      filters: { Safetensors: ['safetensors'] },
      title: `Export the weights of run ${runId}`,
      saveLabel: 'Export',
    });
    if (!target) return;
    try {
      const r = await engine.request('weights/export', { file, runDir, out: target.fsPath });
      log.info(`exported run ${runId} iteration ${r.iteration} to ${r.file} (${r.bytes} bytes)`);
      for (const w of r.warnings ?? []) {
        log.warn(`Export Weights: ${w}`);
        void vscode.window.showWarningMessage(`Neural ODE: run ${runId}: ${w}`);
      }
      const reveal = await vscode.window.showInformationMessage(`Neural ODE: exported the weights of run ${runId} (iteration ${r.iteration}) to ${r.file}.`, 'Reveal in File Manager');
      if (reveal) await vscode.commands.executeCommand('revealFileInOS', vscode.Uri.file(r.file));
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      log.error(`Export Weights: ${message}`);
      void vscode.window.showErrorMessage(`Neural ODE: could not export the weights of run ${runId}: ${message}`);
    }
  });
}
