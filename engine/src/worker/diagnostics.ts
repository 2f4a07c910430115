/**
 * `analysis/diagnostics` in the engine worker: loads the experiment afresh (the file may have
 * been saved since) and computes what the Modified-Equation Diagnostics panel shows.
 */
import { experimentDiagnostics } from '../analysis/experimentDiagnostics';
import { ExperimentError } from '../experiments/define';
import { loadExperiment } from '../experiments/load';
import type { EngineMethods } from '../protocol';
import type { RpcHandlers } from './rpcServer';

export interface DiagnosticsParams {
  /** The experiment file, absolute. */
  file: string;
  /** `<workspace>/.neural-ode/runs`. */
  runsRoot: string;
  /** Use this run's latest checkpoint; the untrained model when absent. */
  runId?: string;
  /** The scheme of the order and stability parts: euler, midpoint, rk4, ab2 or lm. */
  scheme?: string;
  /** lm's k. */
  k?: number;
  /** ODE models: Δt of the stability picture. */
  dt?: number;
  /** Inputs tracked and sampled (default 4). */
  samples?: number;
}

export function diagnosticsHandlers(): Pick<RpcHandlers<EngineMethods>, 'analysis/diagnostics'> {
  return {
    'analysis/diagnostics': async (params) => {
      const experiment = await loadExperiment(params.file);
      try {
        return await experimentDiagnostics(experiment, params);
      } catch (err) {
        if (err instanceof ExperimentError) throw err;
        // Point at the experiment, whatever went wrong (a missing checkpoint, a model that throws).
        throw new ExperimentError((err as Error)?.message ?? String(err), experiment.location);
      }
    },
  };
}
