/** Which experiment file a command means: the one given, the active editor's, or a pick. */
import * as path from 'node:path';
import * as vscode from 'vscode';

export const EXPERIMENT_FILE = /\.ode\.(ts|mts|js|mjs|cjs)$/;
const EXPERIMENT_GLOB = '**/*.ode.{ts,mts,js,mjs,cjs}';

export const isExperimentFile = (uri: vscode.Uri | undefined): uri is vscode.Uri => uri !== undefined && uri.scheme === 'file' && EXPERIMENT_FILE.test(uri.fsPath);

/** The experiment to train, or undefined when the user chose none (they were told why). */
export async function chooseExperimentFile(given?: vscode.Uri): Promise<vscode.Uri | undefined> {
  if (isExperimentFile(given)) return given;
  const active = vscode.window.activeTextEditor?.document.uri;
  if (isExperimentFile(active)) return active;
  const files = await vscode.workspace.findFiles(EXPERIMENT_GLOB, '**/node_modules/**', 200);
  if (files.length === 0) {
    void vscode.window.showErrorMessage(
      'Neural ODE: no experiment file (*.ode.ts) is open or in this workspace. Create one that default-exports ' +
        "defineExperiment({ name, data, model, train }) from 'neural-ode-studio', then run Train Experiment again.",
    );
    return undefined;
  }
  if (files.length === 1) return files[0];
  const items = files
    .map((uri) => ({ label: path.basename(uri.fsPath), description: vscode.workspace.asRelativePath(path.dirname(uri.fsPath)), uri }))
    .sort((a, b) => a.label.localeCompare(b.label));
  const pick = await vscode.window.showQuickPick(items, { title: 'Neural ODE: Train Experiment', placeHolder: 'Experiment file to train' });
  return pick?.uri;
}

/** `<workspace folder>/.neural-ode/runs` for a file (its own folder when outside the workspace). */
export function runsRootFor(file: vscode.Uri): string {
  const folder = vscode.workspace.getWorkspaceFolder(file);
  return path.join(folder ? folder.uri.fsPath : path.dirname(file.fsPath), '.neural-ode', 'runs');
}

/** The runs folders of every workspace folder. */
export function workspaceRunsRoots(): string[] {
  return (vscode.workspace.workspaceFolders ?? []).map((f) => path.join(f.uri.fsPath, '.neural-ode', 'runs'));
}
