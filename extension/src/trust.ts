/** Experiment files are code: they run only in trusted workspaces (Restricted Mode says why). */
import * as vscode from 'vscode';

export const MANAGE_TRUST = 'Manage Workspace Trust';

/** The explanation Train and Resume give in Restricted Mode. */
export function restrictedModeMessage(what: string): string {
  return (
    `Neural ODE: ${what} runs the experiment's code, and this workspace is in Restricted Mode, so nothing was run. ` +
    'Trust the workspace to train; saved runs stay listed in the Runs view.'
  );
}

/** True in a trusted workspace; otherwise explains, offers to manage trust, and returns false. */
export async function requireTrust(what: string, log: vscode.LogOutputChannel): Promise<boolean> {
  if (vscode.workspace.isTrusted) return true;
  log.warn(`${what} refused: the workspace is not trusted (Restricted Mode)`);
  const action = await vscode.window.showWarningMessage(restrictedModeMessage(what), MANAGE_TRUST);
  if (action === MANAGE_TRUST) await vscode.commands.executeCommand('workbench.trust.manage');
  return false;
}
