/** Which experiment file a command means: the one given, the active editor's, or a pick. */
import * as fs from 'node:fs';
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

/**
 * A watcher on the files of `<folder>/.neural-ode/runs/` that match `glob` (relative to that
 * folder), and on the creation of `.neural-ode` and `runs` themselves. VS Code watches a relative
 * pattern from its fixed leading path, so `.neural-ode/runs/…` fires nothing while that folder does
 * not exist, not even once the first run creates it; and a folder created with files in it (a
 * first run, `mkdir -p`) is reported as the folder alone. So the pattern starts with `**` (the
 * workspace folder is watched; runs folders of nested folders then refresh too, which does no
 * harm) and also matches the two folders: a listener reads the runs again on any event.
 */
export function watchRuns(folder: vscode.WorkspaceFolder, glob: string): vscode.FileSystemWatcher {
  return vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(folder, `{**/.neural-ode,**/.neural-ode/runs,**/.neural-ode/runs/${glob}}`));
}

/**
 * The names in every workspace runs folder, as one string that changes when a run folder comes
 * or goes. File events miss folders created inside a folder that was itself created after the
 * watcher started (the runs folder of a first run), so the views also compare this now and then.
 */
export function runsFolderNames(): string {
  return workspaceRunsRoots()
    .map((root) => {
      try {
        return fs.readdirSync(root).sort().join('/');
      } catch {
        return '';
      }
    })
    .join('|');
}

/** The runs folders of every workspace folder. */
export function workspaceRunsRoots(): string[] {
  return (vscode.workspace.workspaceFolders ?? []).map((f) => path.join(f.uri.fsPath, '.neural-ode', 'runs'));
}
