/**
 * VS Code's side of the `neural-ode` debugger: the inline adapter (the session from
 * dist/debugAdapter.js, loaded on the first debug session so activation stays light), the
 * configuration providers (F5 without launch.json, "create a launch.json file", and one
 * automatic configuration per open experiment), F5 in an experiment file, and the
 * "Debug Solve" command the CodeLens calls.
 */
import { createRequire } from 'node:module';
import * as vscode from 'vscode';
import { followDebugSessions } from './inspectorFeed';
import { DEBUG_TYPE, dynamicConfigurations, f5Action, initialConfigurations, resolveLaunch, solveConfiguration, type LaunchConfiguration, type Resolution } from './launchConfig';
import type { SolveDebugSession } from './session';
import { isExperimentFile, runsRootFor } from '../experimentFiles';
import { experimentRuns, launchRun } from '../panels/experimentRuns';
import { restrictedModeMessage } from '../trust';

export { DEBUG_TYPE, solveConfiguration } from './launchConfig';
export const DEBUG_SOLVE_COMMAND = 'neuralOde.debugSolve';
/** What F5 runs in an experiment file (package.json's keybinding). */
export const START_DEBUGGING_COMMAND = 'neuralOde.startDebugging';

const activeFile = (): string | undefined => {
  const uri = vscode.window.activeTextEditor?.document.uri;
  return uri?.scheme === 'file' ? uri.fsPath : undefined;
};

/** The configuration to start, or undefined after telling the user why there is none. */
function launched(r: Resolution): LaunchConfiguration | undefined {
  if (r.kind === 'launch') return r.config;
  void (r.kind === 'info' ? vscode.window.showInformationMessage(r.message) : vscode.window.showErrorMessage(r.message));
  return undefined;
}

class SolveConfigurationProvider implements vscode.DebugConfigurationProvider {
  /** "create a launch.json file": the solve of the experiment open when F5 is pressed. */
  provideDebugConfigurations(): vscode.DebugConfiguration[] {
    return initialConfigurations();
  }

  /** F5 without a launch.json (or with an empty one): debug the experiment in the active editor. */
  resolveDebugConfiguration(_folder: vscode.WorkspaceFolder | undefined, config: vscode.DebugConfiguration): vscode.DebugConfiguration | undefined {
    return launched(resolveLaunch(config, activeFile()));
  }

  /** After ${file} and friends are substituted: the runs folder of the experiment's workspace. */
  resolveDebugConfigurationWithSubstitutedVariables(_folder: vscode.WorkspaceFolder | undefined, config: LaunchConfiguration): LaunchConfiguration | undefined {
    if (!vscode.workspace.isTrusted) {
      void vscode.window.showWarningMessage(restrictedModeMessage('Debugging a solve'));
      return undefined;
    }
    if (config.experiment && config.runsRoot === undefined) config.runsRoot = runsRootFor(vscode.Uri.file(config.experiment));
    // The weights: the experiment's latest run unless the configuration names others ('best', 'untrained', a run id).
    if (config.experiment && config.runsRoot) {
      const run = launchRun(experimentRuns([config.runsRoot], config.experiment), config.run);
      if (run === undefined) delete config.run;
      else config.run = run;
    }
    return config;
  }
}

/** The Run and Debug view's automatic configurations: the solve of each experiment open in an editor. */
class OpenExperimentsProvider implements vscode.DebugConfigurationProvider {
  provideDebugConfigurations(): vscode.DebugConfiguration[] {
    const open = vscode.window.tabGroups.all
      .flatMap((g) => g.tabs)
      .map((t) => (t.input instanceof vscode.TabInputText && t.input.uri.scheme === 'file' ? t.input.uri.fsPath : ''));
    return dynamicConfigurations(open);
  }
}

class InlineAdapterFactory implements vscode.DebugAdapterDescriptorFactory {
  private sessionClass: typeof SolveDebugSession | undefined;

  constructor(private readonly adapterPath: string) {}

  createDebugAdapterDescriptor(): vscode.DebugAdapterDescriptor {
    if (!this.sessionClass) {
      // The adapter bundle carries the engine; it is loaded only when a solve is debugged.
      const load = createRequire(__filename);
      this.sessionClass = (load(this.adapterPath) as { SolveDebugSession: typeof SolveDebugSession }).SolveDebugSession;
    }
    return new vscode.DebugAdapterInlineImplementation(new this.sessionClass());
  }
}

/** Starts `config` and shows the Run and Debug view (call stack, variables) beside the file. */
async function startAndShow(folder: vscode.WorkspaceFolder | undefined, config: vscode.DebugConfiguration): Promise<boolean> {
  const started = await vscode.debug.startDebugging(folder, config);
  if (started) await vscode.commands.executeCommand('workbench.view.debug');
  return started;
}

/** Starts debugging the solve of an experiment file (the CodeLens passes its document). */
async function debugSolve(uri?: vscode.Uri): Promise<boolean> {
  const target = isExperimentFile(uri) ? uri : vscode.window.activeTextEditor?.document.uri;
  if (!isExperimentFile(target)) {
    void vscode.window.showInformationMessage('Neural ODE: open an experiment file (*.ode.ts) to debug its solve.');
    return false;
  }
  return startAndShow(vscode.workspace.getWorkspaceFolder(target), solveConfiguration(target.fsPath));
}

/**
 * F5 in an experiment file. VS Code's own F5 without launch.json asks which debugger to use,
 * since TypeScript also has the JavaScript debugger; this starts the solve's at once. A
 * launch.json with configurations keeps F5 as VS Code has it.
 */
async function startDebugging(): Promise<boolean> {
  const file = vscode.window.activeTextEditor?.document.uri;
  const folder = (file && vscode.workspace.getWorkspaceFolder(file)) ?? vscode.workspace.workspaceFolders?.[0];
  const launch = vscode.workspace.getConfiguration('launch', folder?.uri);
  const action = f5Action({ configurations: launch.get('configurations'), compounds: launch.get('compounds') }, activeFile());
  if (action === 'launchJson') {
    await vscode.commands.executeCommand('workbench.action.debug.start');
    return true;
  }
  const config = launched(action);
  return config ? startAndShow(folder, config) : false;
}

export function registerDebugger(context: vscode.ExtensionContext): void {
  context.subscriptions.push(
    vscode.debug.registerDebugConfigurationProvider(DEBUG_TYPE, new SolveConfigurationProvider(), vscode.DebugConfigurationProviderTriggerKind.Initial),
    vscode.debug.registerDebugConfigurationProvider(DEBUG_TYPE, new OpenExperimentsProvider(), vscode.DebugConfigurationProviderTriggerKind.Dynamic),
    vscode.debug.registerDebugAdapterDescriptorFactory(DEBUG_TYPE, new InlineAdapterFactory(context.asAbsolutePath('dist/debugAdapter.js'))),
    vscode.commands.registerCommand(DEBUG_SOLVE_COMMAND, debugSolve),
    vscode.commands.registerCommand(START_DEBUGGING_COMMAND, startDebugging),
    followDebugSessions(DEBUG_TYPE),
  );
}
