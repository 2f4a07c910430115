/** Activation: one engine worker per window, training and the Runs view, the commands, and the "Neural ODE" log. */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { EngineClient } from './engineClient';
import { registerDebugger } from './debug/activate';
import { registerExperimentCodeLens } from './experimentCodeLens';
import { ExperimentDiagnostics } from './experimentDiagnostics';
import { registerExportWeights } from './exportWeightsCommand';
import { registerExportTorch } from './exportTorchCommand';
import { registerSlowdownFixes } from './slowdownFixes';
import { registerHostResponsiveness } from './hostResponsiveness';
import { registerPanels } from './panels/index';
import { registerRunsView } from './runsView';
import { showEngineInfo } from './showEngineInfo';
import { backendPreference, engineThreads, loadTimeoutSeconds } from './settings';
import { TrainCommands } from './trainCommands';
import { trainingStatusBar } from './trainingStatusBar';
import { TrainingSession } from './trainingSession';
import { registerWorkspaceTypings } from './workspaceTypings';

let engine: EngineClient | undefined;

export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel('Neural ODE', { log: true });
  const client = new EngineClient({
    workerPath: context.asAbsolutePath('dist/engineWorker.js'),
    onLog: (level, message) => log[level](message),
    // Read at each load, so a change applies without a reload.
    loadTimeoutMs: () => loadTimeoutSeconds() * 1000,
    env: (): Record<string, string> => ({
      ...(engineThreads() > 0 ? { NEURAL_ODE_THREADS: String(engineThreads()) } : {}),
      // optional backends (webgpu, tfjs-node) installed next to the experiments are found there
      NEURAL_ODE_WORKSPACE: (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath).join(path.delimiter),
    }),
  });
  engine = client;
  const session = new TrainingSession(client);
  const problems = new ExperimentDiagnostics(client, log);
  context.subscriptions.push(
    log,
    client.on('engine/log', ({ level, message }) => log[level](`[engine] ${message}`)),
    session,
    problems,
    ...new TrainCommands(session, log, problems).register(),
    registerExperimentCodeLens(),
    registerHostResponsiveness(session, log),
    trainingStatusBar(session),
    registerRunsView(session, log),
    registerExportWeights(client, log),
    registerExportTorch(client, log),
    registerSlowdownFixes(session, log),
    ...registerWorkspaceTypings(context, log),
    vscode.commands.registerCommand('neuralOde.showEngineInfo', () => showEngineInfo(client, log)),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('neuralOde.engine.backend')) {
        log.info(`backend setting is now "${backendPreference()}"; it applies from the next engine request`);
      }
      if (e.affectsConfiguration('neuralOde.training')) log.info('training settings changed; they apply from the next run');
    }),
    vscode.workspace.onDidGrantWorkspaceTrust(() => log.info('the workspace is now trusted: experiments can be trained')),
  );
  registerPanels(context, { log, engine: client });
  registerDebugger(context);
  log.info(`Neural ODE Studio ${String(context.extension.packageJSON.version)} activated${vscode.workspace.isTrusted ? '' : ' in Restricted Mode (training is off until the workspace is trusted)'}`);
}

export function deactivate(): Promise<void> | undefined {
  const client = engine;
  engine = undefined;
  return client?.dispose();
}
