/** Activation: one engine worker per window, the commands, and the "Neural ODE" log. */
import * as vscode from 'vscode';
import { EngineClient } from './engineClient';
import { showEngineInfo } from './showEngineInfo';
import { backendPreference } from './settings';

let engine: EngineClient | undefined;

export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel('Neural ODE', { log: true });
  const client = new EngineClient({
    workerPath: context.asAbsolutePath('dist/engineWorker.js'),
    onLog: (level, message) => log[level](message),
  });
  engine = client;
  context.subscriptions.push(
    log,
    vscode.commands.registerCommand('neuralOde.showEngineInfo', () => showEngineInfo(client, log)),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('neuralOde.engine.backend')) {
        log.info(`backend setting is now "${backendPreference()}"; it applies from the next engine request`);
      }
    }),
  );
  log.info(`Neural ODE Studio ${String(context.extension.packageJSON.version)} activated`);
}

export function deactivate(): Promise<void> | undefined {
  const client = engine;
  engine = undefined;
  return client?.dispose();
}
