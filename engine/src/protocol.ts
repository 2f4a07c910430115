/**
 * Messages between the extension host and the engine worker: a typed map from method name to
 * params and result. Payloads are plain data (numbers, strings, arrays, typed arrays) so they
 * cross `postMessage` by structured clone; never tensors or class instances.
 */
import type { BackendPreference, EngineInfo } from './backend/index';
import type { SolverSpec } from './experiments/define';
import type { ExperimentPreview } from './experiments/preview';
import type { TrainOutcome, TrainProgress } from './experiments/trainer';
import type { GradientMethod } from './gradients/types';
import type { ExperimentCheck } from './worker/checkExperiment';

export type { BackendPreference, BackendReport, EngineInfo } from './backend/index';
export type { TrainOutcome, TrainProgress } from './experiments/trainer';
export type { ExperimentCheck } from './worker/checkExperiment';
export type { ExperimentPreview } from './experiments/preview';

/** What the vector-field and trajectories panels ask the engine to evaluate. */
export interface PreviewParams {
  /** The experiment file, absolute. */
  file: string;
  /** `<workspace>/.neural-ode/runs`. */
  runsRoot: string;
  /** Use this run's latest checkpoint; the untrained model when absent. */
  runId?: string;
  /** Grid points per axis for the sampled field (2–200). */
  grid: number;
  /** Evaluations of f the preview's solves may spend; a solve that needs more is skipped, saying so. */
  maxCost?: number;
}

/** Solver and gradient used where an experiment sets none (the user's settings). */
export interface TrainDefaults {
  solver?: SolverSpec;
  gradient?: GradientMethod;
}

export interface TrainStartParams {
  /** The experiment file (`*.ode.ts` / `.ode.js`), absolute. */
  file: string;
  /** `<workspace>/.neural-ode/runs`. */
  runsRoot: string;
  /** Train to this iteration instead of the experiment's `train.iterations`. */
  iterations?: number;
  /** Continue this run from its latest checkpoint. */
  resume?: string;
  /** Resume even though what defines the run changed (recorded in the run). */
  allowChanges?: boolean;
  defaults?: TrainDefaults;
}

// A type alias (not an interface) so that it satisfies RpcMap's index signature.
export type EngineMethods = {
  /** Engine version and the backend it selected, with the availability of every backend. */
  'engine/info': { params: { backend?: BackendPreference }; result: EngineInfo };
  /**
   * Loads the experiment and starts training it in the worker; answers once the run exists
   * (a load error rejects). Progress and the outcome follow as `train/*` events.
   */
  'train/start': {
    params: TrainStartParams;
    /** `warnings`: what a person should know before it trains (a checkpoint that did not verify and the one used instead). */
    result: { runId: string; runDir: string; startIteration: number; iterations: number; warnings?: string[] };
  };
  /**
   * Asks a run to stop within its current iteration (it keeps a checkpoint); `stopping: false` if
   * it is not training. `iteration`: the last one completed when the request arrived.
   */
  'train/stop': { params: { runId: string }; result: { stopping: boolean; iteration?: number } };
  /**
   * The experiment's data, its model's field on a grid over the data and the model's solve from
   * y0 (untrained, or a run's latest checkpoint). Errors name the experiment's file:line:column.
   */
  'experiment/preview': { params: PreviewParams; result: ExperimentPreview };
  /** The model's forward solve, every step attempt, ∂f/∂y's eigenvalues and the method's stability region (the solver inspector). */
  'experiment/trace': { params: import('./worker/trace').TraceParams; result: import('./inspect/experimentTrace').ExperimentTrace };
  /** The modified equation, k_n per layer, discrete vs continuous trajectories, the empirical order and Δt·λ on the stability region. */
  'analysis/diagnostics': { params: import('./worker/diagnostics').DiagnosticsParams; result: import('./analysis/experimentDiagnostics').ExperimentDiagnostics };
  /**
   * Loads the experiment file (runs its top level and validates the spec) without training it:
   * `ok`, or what is wrong and where (1-based line and column).
   */
  'experiment/check': { params: { file: string }; result: ExperimentCheck };
  /**
   * Writes a run's latest checkpoint as safetensors: the experiment file rebuilds the model (its
   * parameter names and shapes), the run gives the values.
   */
  /** `warnings`: a newest checkpoint that did not verify, and the one exported instead. */
  'weights/export': { params: ExportWeightsParams; result: { file: string; iteration: number; bytes: number; warnings?: string[] } };
  /**
   * Writes the experiment as a PyTorch + torchdiffeq folder (export/exportTorch.ts), from its
   * initial weights or a run's checkpoint; refusals say why and what is supported.
   */
  'torch/export': { params: ExportTorchParams; result: { dir: string; files: string[]; iteration?: number; model: string; method: string } };
};

export interface ExportTorchParams {
  /** The experiment file, absolute. */
  file: string;
  /** The folder to write, absolute. */
  out: string;
  /** A run of this experiment whose latest checkpoint gives the weights, absolute. */
  runDir?: string;
}

export interface ExportWeightsParams {
  /** The experiment file the run was trained from, absolute. */
  file: string;
  /** The run's folder, absolute. */
  runDir: string;
  /** The safetensors file to write, absolute. */
  out: string;
  /** F32 (PyTorch's default) unless F64 is asked for. */
  dtype?: 'F32' | 'F64';
}

/**
 * One-way messages from the worker to the host: event name → payload. `train/done` ends every
 * started run: with the trainer's outcome, or with the error that ended it.
 */
export type EngineEvents = {
  'train/progress': { runId: string; progress: TrainProgress };
  'train/done': { runId: string; outcome?: TrainOutcome; error?: RpcErrorPayload };
  /** What the engine did, for the host's log. */
  'engine/log': { level: 'info' | 'warn' | 'error'; message: string };
  /**
   * The worker began loading a user's file (bundling it, running its top level). A top level
   * that never returns holds the worker's thread: the host times the load and terminates the
   * worker when it takes too long or is stopped.
   */
  'engine/loading': { id: number; file: string };
  /** That load ended, however it ended. */
  'engine/loaded': { id: number };
};

/** Any event map of the same shape. */
export type EventMap = Record<string, unknown>;

/** An event on the wire: no id, nothing answers it. */
export interface RpcEvent {
  event: string;
  payload: unknown;
}

/** Any method map of the same shape (the webview protocol will have its own). */
export type RpcMap = Record<string, { params: unknown; result: unknown }>;

export type EngineMethod = keyof EngineMethods;
export type ParamsOf<M extends RpcMap, K extends keyof M> = M[K]['params'];
export type ResultOf<M extends RpcMap, K extends keyof M> = M[K]['result'];

export interface RpcRequest {
  id: number;
  method: string;
  params: unknown;
}

/** A failure as data: `kind` is the error's class of failure (e.g. a SolverError kind). */
export interface RpcErrorPayload {
  message: string;
  kind: string;
}

export type RpcResponse = { id: number; result: unknown } | { id: number; error: RpcErrorPayload };

/** Everything the worker posts to the host. */
export type WorkerMessage = RpcResponse | RpcEvent;

export function isRpcEvent(message: unknown): message is RpcEvent {
  const m = message as Partial<RpcEvent> | null;
  return typeof m === 'object' && m !== null && typeof m.event === 'string' && !('id' in m);
}
