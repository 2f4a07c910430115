/** "Neural ODE: Show Engine Info": asks the engine worker what it runs on and says so. */
import * as vscode from 'vscode';
import type { EngineClient } from './engineClient';
import { engineInfoReport, engineInfoSummary } from './engineInfoMessage';
import { backendPreference } from './settings';

export async function showEngineInfo(engine: EngineClient, log: vscode.LogOutputChannel): Promise<void> {
  const preference = backendPreference();
  try {
    const info = await engine.request('engine/info', { backend: preference });
    for (const line of engineInfoReport(info, preference)) log.info(line);
    const summary = engineInfoSummary(info, preference);
    const show = preference === 'auto' || preference === info.backend ? vscode.window.showInformationMessage : vscode.window.showWarningMessage;
    void show(summary);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    log.error(`engine/info failed: ${message}`);
    const action = await vscode.window.showErrorMessage(`Neural ODE: could not read the engine info: ${message}`, 'Show Log');
    if (action === 'Show Log') log.show();
  }
}
