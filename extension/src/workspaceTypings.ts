/**
 * "Neural ODE: Add Engine Typings to Workspace": copies the engine's declarations into
 * `.neural-ode/types/` and maps 'neural-ode-studio' to them in tsconfig.json, so the editor
 * completes and checks experiment files. Offered once per window when an experiment file shows
 * "Cannot find module 'neural-ode-studio'"; copies made earlier are refreshed when the extension
 * is updated. Only declarations are written (no code), so trust is not needed.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { isExperimentFile } from './experimentFiles';
import { isMissingEngineModule, TYPES_DIR, typingsPlan } from './typingsPlan';

const DONT_ASK = 'neuralOde.typings.dontAsk';

function copyTypes(context: vscode.ExtensionContext, folder: string): string {
  const from = context.asAbsolutePath(path.join('dist', 'types', 'neural-ode-studio'));
  if (!fs.existsSync(path.join(from, 'index.d.ts'))) {
    throw new Error(`this installation has no engine declarations (${from} is missing): reinstall the extension.`);
  }
  const to = path.join(folder, TYPES_DIR);
  fs.rmSync(to, { recursive: true, force: true });
  fs.cpSync(from, to, { recursive: true });
  return to;
}

const installedVersion = (folder: string): string | undefined => {
  try {
    return (JSON.parse(fs.readFileSync(path.join(folder, TYPES_DIR, 'package.json'), 'utf8')) as { version?: string }).version;
  } catch {
    return undefined;
  }
};

/** Files already open belong to an inferred project until the TypeScript server reloads. */
async function restartTypeScript(log: vscode.LogOutputChannel): Promise<void> {
  try {
    await vscode.commands.executeCommand('typescript.restartTsServer');
  } catch (err) {
    log.info(`TypeScript server not restarted (${(err as Error).message}); it picks the typings up on its next reload`);
  }
}

async function addTypings(context: vscode.ExtensionContext, log: vscode.LogOutputChannel, given?: vscode.Uri): Promise<void> {
  const target = given ?? vscode.window.activeTextEditor?.document.uri;
  const folder = (target && vscode.workspace.getWorkspaceFolder(target)) ?? vscode.workspace.workspaceFolders?.[0];
  if (!folder) {
    void vscode.window.showErrorMessage('Neural ODE: open a folder first; the typings go into its .neural-ode/types/ and tsconfig.json.');
    return;
  }
  const root = folder.uri.fsPath;
  try {
    const dir = copyTypes(context, root);
    log.info(`engine typings copied to ${dir}`);
  } catch (err) {
    void vscode.window.showErrorMessage(`Neural ODE: could not add the engine typings: ${(err as Error).message}`);
    return;
  }
  const configFile = path.join(root, 'tsconfig.json');
  const plan = typingsPlan(fs.existsSync(configFile) ? fs.readFileSync(configFile, 'utf8') : undefined);
  if (plan.kind === 'create') {
    fs.writeFileSync(configFile, plan.text);
    log.info(`wrote ${configFile} mapping 'neural-ode-studio' to ${TYPES_DIR}`);
    await restartTypeScript(log);
    void vscode.window.showInformationMessage(`Neural ODE: added the engine typings (${TYPES_DIR}) and a tsconfig.json that maps 'neural-ode-studio' to them.`);
  } else if (plan.kind === 'present') {
    await restartTypeScript(log);
    void vscode.window.showInformationMessage(`Neural ODE: updated the engine typings in ${TYPES_DIR}; tsconfig.json already maps 'neural-ode-studio'.`);
  } else {
    await vscode.env.clipboard.writeText(plan.snippet);
    await vscode.window.showTextDocument(vscode.Uri.file(configFile));
    void vscode.window.showWarningMessage(
      `Neural ODE: copied the engine typings to ${TYPES_DIR}. Your tsconfig.json is left as you wrote it: add ${plan.snippet} to its compilerOptions (copied to the clipboard).`,
    );
  }
}

export function registerWorkspaceTypings(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): vscode.Disposable[] {
  const version = String(context.extension.packageJSON.version);
  // Copies from an older version of the extension are brought up to date.
  for (const folder of vscode.workspace.workspaceFolders ?? []) {
    const had = installedVersion(folder.uri.fsPath);
    if (had === undefined || had === version) continue;
    try {
      copyTypes(context, folder.uri.fsPath);
      log.info(`engine typings in ${folder.name} updated from ${had} to ${version}`);
    } catch (err) {
      log.warn(`could not update the engine typings in ${folder.name}: ${(err as Error).message}`);
    }
  }

  let offered = false;
  const offer = vscode.languages.onDidChangeDiagnostics(async (e) => {
    if (offered || context.workspaceState.get<boolean>(DONT_ASK)) return;
    const file = e.uris.find((uri) => isExperimentFile(uri) && vscode.languages.getDiagnostics(uri).some((d) => isMissingEngineModule(d.message)));
    if (!file) return;
    offered = true;
    const answer = await vscode.window.showInformationMessage(
      `Neural ODE: ${path.basename(file.fsPath)} imports 'neural-ode-studio', which this workspace cannot resolve, so the editor cannot check it (training is not affected). Add the engine's typings?`,
      'Add Typings',
      "Don't Ask Again",
    );
    if (answer === 'Add Typings') await addTypings(context, log, file);
    else if (answer === "Don't Ask Again") await context.workspaceState.update(DONT_ASK, true);
  });
  return [offer, vscode.commands.registerCommand('neuralOde.addTypings', (uri?: vscode.Uri) => addTypings(context, log, uri instanceof vscode.Uri ? uri : undefined))];
}
