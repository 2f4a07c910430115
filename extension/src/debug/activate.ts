/**
 * VS Code's side of the `neural-ode` debugger: the inline adapter (the session from
 * dist/debugAdapter.js, loaded on the first debug session so activation stays light), the
 * configuration provider that lets F5 on an experiment file debug its solve, and the
 * "Debug Solve" command the CodeLens calls.
 */
import { createRequire } from 'node:module';
import * as vscode from 'vscode';
import { followDebugSessions } from './inspectorFeed';
import type { SolveDebugSession, SolveLaunchArguments } from './session';
import { EXPERIMENT_FILE, isExperimentFile, runsRootFor } from '../experimentFiles';
import { restrictedModeMessage } from '../trust';

export const DEBUG_TYPE = 'neural-ode';
export const DEBUG_SOLVE_COMMAND = 'neuralOde.debugSolve';

type LaunchConfiguration = vscode.DebugConfiguration & Partial<SolveLaunchArguments>;

/** A launch configuration for one experiment file: stop before the first step, and on NaN and rejected steps. */
export function solveConfiguration(file: string): LaunchConfiguration {
  return { type: DEBUG_TYPE, request: 'launch', name: 'Debug solve', experiment: file, stopOnEntry: true, stopOn: ['nonFinite', 'rejectedStep'] };
}

class SolveConfigurationProvider implements vscode.DebugConfigurationProvider {
  /** F5 without a launch.json: debug the experiment in the active editor. */
  resolveDebugConfiguration(_folder: vscode.WorkspaceFolder | undefined, config: LaunchConfiguration): LaunchConfiguration | undefined {
    if (!config.type && !config.request && !config.name) {
      const file = vscode.window.activeTextEditor?.document.uri.fsPath;
      if (!file || !EXPERIMENT_FILE.test(file)) {
        void vscode.window.showInformationMessage('Neural ODE: open an experiment file (*.ode.ts) to debug its solve, or add a "neural-ode" configuration to launch.json.');
        return undefined;
      }
      return solveConfiguration(file);
    }
    if (!config.experiment) {
      void vscode.window.showErrorMessage('Neural ODE: the launch configuration needs "experiment", the path of an experiment file (e.g. "${file}").');
      return undefined;
    }
    return config;
  }

  /** After ${file} and friends are substituted: the runs folder of the experiment's workspace. */
  resolveDebugConfigurationWithSubstitutedVariables(_folder: vscode.WorkspaceFolder | undefined, config: LaunchConfiguration): LaunchConfiguration | undefined {
    if (!vscode.workspace.isTrusted) {
      void vscode.window.showWarningMessage(restrictedModeMessage('Debugging a solve'));
      return undefined;
    }
    if (config.experiment && config.runsRoot === undefined) config.runsRoot = runsRootFor(vscode.Uri.file(config.experiment));
    return config;
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

/** Starts debugging the solve of an experiment file (the CodeLens passes its document). */
async function debugSolve(uri?: vscode.Uri): Promise<boolean> {
  const target = isExperimentFile(uri) ? uri : vscode.window.activeTextEditor?.document.uri;
  if (!isExperimentFile(target)) {
    void vscode.window.showInformationMessage('Neural ODE: open an experiment file (*.ode.ts) to debug its solve.');
    return false;
  }
  return vscode.debug.startDebugging(vscode.workspace.getWorkspaceFolder(target), solveConfiguration(target.fsPath));
}

export function registerDebugger(context: vscode.ExtensionContext): void {
  context.subscriptions.push(
    vscode.debug.registerDebugConfigurationProvider(DEBUG_TYPE, new SolveConfigurationProvider()),
    vscode.debug.registerDebugAdapterDescriptorFactory(DEBUG_TYPE, new InlineAdapterFactory(context.asAbsolutePath('dist/debugAdapter.js'))),
    vscode.commands.registerCommand(DEBUG_SOLVE_COMMAND, debugSolve),
    followDebugSessions(DEBUG_TYPE),
  );
}
