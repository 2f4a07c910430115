/**
 * Which launch configuration starts a solve debugger, decided without `vscode` so it is
 * unit-tested: F5 without a launch.json debugs the experiment in the active editor, a
 * configuration without an experiment is refused with what to write, and launch.json (when it
 * has configurations) keeps its usual say over F5.
 */
import type { SolveLaunchOptions } from '../../../engine/src/debug/launchOptions';

export const DEBUG_TYPE = 'neural-ode';

/** An experiment file, by name (the extension's EXPERIMENT_FILE, without `vscode`). */
const EXPERIMENT_FILE = /\.ode\.(ts|mts|js|mjs|cjs)$/;

/** VS Code's DebugConfiguration, as this debugger reads it. */
export type LaunchConfiguration = { type: string; request: string; name: string; [key: string]: unknown } & Partial<SolveLaunchOptions>;

/** A launch configuration for one experiment file: stop before the first step, and on NaN and rejected steps. */
export function solveConfiguration(file: string, name = 'Debug solve'): LaunchConfiguration {
  return { type: DEBUG_TYPE, request: 'launch', name, experiment: file, stopOnEntry: true, stopOn: ['nonFinite', 'rejectedStep'] };
}

/** What "create a launch.json file" writes: the solve of whichever experiment is open when F5 is pressed. */
export const initialConfigurations = (): LaunchConfiguration[] => [solveConfiguration('${file}')];

/** The automatic configurations the Run and Debug view offers: one per open experiment file. */
export function dynamicConfigurations(openFiles: readonly string[]): LaunchConfiguration[] {
  const files = [...new Set(openFiles.filter((f) => EXPERIMENT_FILE.test(f)))];
  return files.map((f) => solveConfiguration(f, `Debug solve: ${f.split(/[\\/]/).pop()}`));
}

export type Resolution =
  | { kind: 'launch'; config: LaunchConfiguration }
  /** Nothing to start; tell the user why (an information, or an error in their configuration). */
  | { kind: 'info' | 'error'; message: string };

/**
 * The configuration F5 or startDebugging gives, completed: an empty one (F5 without launch.json)
 * becomes the solve of the active editor's experiment.
 */
export function resolveLaunch(config: Partial<LaunchConfiguration>, activeFile: string | undefined): Resolution {
  if (!config.type && !config.request && !config.name) {
    if (!activeFile || !EXPERIMENT_FILE.test(activeFile)) {
      return { kind: 'info', message: 'Neural ODE: open an experiment file (*.ode.ts) to debug its solve, or add a "neural-ode" configuration to launch.json.' };
    }
    return { kind: 'launch', config: solveConfiguration(activeFile) };
  }
  if (!config.experiment) {
    return { kind: 'error', message: 'Neural ODE: the launch configuration needs "experiment", the path of an experiment file (e.g. "${file}").' };
  }
  return { kind: 'launch', config: config as LaunchConfiguration };
}

/** The `launch` settings of a folder (launch.json), as far as F5 cares. */
export interface LaunchSettings {
  configurations?: unknown;
  compounds?: unknown;
}

const nonEmpty = (x: unknown): boolean => Array.isArray(x) && x.length > 0;

/**
 * What F5 in an experiment file does: launch.json's selected configuration when it has any (the
 * user chose those), else the solve of the active experiment, so VS Code never asks which
 * debugger (TypeScript files also have the JavaScript one).
 */
export function f5Action(launch: LaunchSettings, activeFile: string | undefined): 'launchJson' | Resolution {
  if (nonEmpty(launch.configurations) || nonEmpty(launch.compounds)) return 'launchJson';
  return resolveLaunch({}, activeFile);
}
