/**
 * `experiment/trace` in the engine worker: loads the experiment afresh (the file may have been
 * saved since) and traces its model's forward solve for the solver inspector.
 */
import { ExperimentError } from '../experiments/define';
import { loadExperiment } from '../experiments/load';
import { traceExperiment } from '../inspect/experimentTrace';
import type { EngineMethods } from '../protocol';
import type { RpcHandlers } from './rpcServer';

export interface TraceParams {
  /** The experiment file, absolute. */
  file: string;
  /** `<workspace>/.neural-ode/runs`. */
  runsRoot: string;
  /** Use this run's latest checkpoint; the untrained model when absent. */
  runId?: string;
  /** Start at this observation (labelled points: flow this point); default 0, the data's y0. */
  sample?: number;
}

export function traceHandlers(): Pick<RpcHandlers<EngineMethods>, 'experiment/trace'> {
  return {
    'experiment/trace': async (params) => {
      const experiment = await loadExperiment(params.file);
      try {
        return await traceExperiment(experiment, { runsRoot: params.runsRoot, runId: params.runId, sample: params.sample });
      } catch (err) {
        if (err instanceof ExperimentError) throw err;
        // Point at the experiment, whatever went wrong (a missing checkpoint, a model that throws).
        throw new ExperimentError((err as Error)?.message ?? String(err), experiment.location);
      }
    },
  };
}
