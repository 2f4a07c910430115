/** Typed access to the extension's settings; read on use, so changes apply without a reload. */
import { SOLVER_METHODS, type SolverMethod } from '../../engine/src/experiments/solverMethodNames';
import * as vscode from 'vscode';
import { DEFAULT_LOAD_TIMEOUT_SECONDS } from '../../engine/src/experiments/loadMessages';
import type { BackendPreference, TrainDefaults } from '../../engine/src/protocol';

const backends: readonly BackendPreference[] = ['auto', 'tensorflow', 'webgpu', 'wasm', 'cpu'];
const gradients = ['backprop', 'adjoint', 'checkpoint'] as const;

export function backendPreference(): BackendPreference {
  const value = vscode.workspace.getConfiguration('neuralOde').get<string>('engine.backend', 'auto');
  return (backends as readonly string[]).includes(value) ? (value as BackendPreference) : 'auto';
}

const finiteAtLeast = (x: unknown, min: number): x is number => typeof x === 'number' && Number.isFinite(x) && x >= min;

/**
 * `neuralOde.engine.loadTimeoutSeconds`: how long loading an experiment file may take before the
 * engine worker is restarted (a top level that never returns); 0 is no limit.
 */
export function loadTimeoutSeconds(): number {
  const s = vscode.workspace.getConfiguration('neuralOde').get<number>('engine.loadTimeoutSeconds', DEFAULT_LOAD_TIMEOUT_SECONDS);
  return finiteAtLeast(s, 0) ? s : DEFAULT_LOAD_TIMEOUT_SECONDS;
}

/**
 * `neuralOde.engine.threads`: how many threads share a large batch in the engine; 0 leaves it to
 * the engine (every core, or NEURAL_ODE_THREADS from the editor's environment). Read when the
 * engine worker starts.
 */
export function engineThreads(): number {
  const n = vscode.workspace.getConfiguration('neuralOde').get<number>('engine.threads', 0);
  return Number.isInteger(n) && n >= 0 ? n : 0;
}

/** The solver and gradient used where an experiment sets none (settings of the file's folder). */
export function trainDefaults(scope?: vscode.Uri): TrainDefaults {
  const c = vscode.workspace.getConfiguration('neuralOde.training', scope);
  const method = c.get<string>('solver.method');
  const rtol = c.get<number>('solver.rtol');
  const atol = c.get<number>('solver.atol');
  const gradient = c.get<string>('gradient');
  return {
    solver: {
      ...(typeof method === 'string' && (SOLVER_METHODS as readonly string[]).includes(method) ? { method: method as SolverMethod } : {}),
      ...(finiteAtLeast(rtol, 0) ? { rtol } : {}),
      ...(finiteAtLeast(atol, 0) ? { atol } : {}),
    },
    gradient: (gradients as readonly string[]).includes(gradient ?? '') ? (gradient as TrainDefaults['gradient']) : undefined,
  };
}

/** `neuralOde.training.iterations`: a whole number > 0 overrides the experiment's `train.iterations`. */
export function iterationsOverride(scope?: vscode.Uri): number | undefined {
  const n = vscode.workspace.getConfiguration('neuralOde.training', scope).get<number>('iterations', 0);
  return Number.isInteger(n) && n > 0 ? n : undefined;
}

export interface PreviewSettings {
  /** Re-evaluate the model when an experiment file is saved. */
  enabled: boolean;
  /** Most vector-field evaluations (NFE) one preview may spend. */
  maxCost: number;
}

export function previewSettings(scope?: vscode.Uri): PreviewSettings {
  const c = vscode.workspace.getConfiguration('neuralOde.preview', scope);
  const maxCost = c.get<number>('maxCost', 20000);
  return { enabled: c.get<boolean>('enabled', true), maxCost: finiteAtLeast(maxCost, 1) ? Math.floor(maxCost) : 20000 };
}
