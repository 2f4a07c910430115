/**
 * `experiment/preview` in the engine worker: loads the experiment afresh (the file may have
 * been saved since) and evaluates its model for the panels. It runs beside training: a preview
 * is one grid evaluation and one solve, short enough not to hold a run back noticeably.
 */
import { ExperimentError } from '../experiments/define';
import { loadExperiment } from '../experiments/load';
import { previewExperiment } from '../experiments/preview';
import type { EngineMethods } from '../protocol';
import type { RpcHandlers } from './rpcServer';

export function previewHandlers(): Pick<RpcHandlers<EngineMethods>, 'experiment/preview'> {
  return {
    'experiment/preview': async (params) => {
      const experiment = await loadExperiment(params.file);
      try {
        return await previewExperiment(experiment, { runsRoot: params.runsRoot, runId: params.runId, grid: params.grid, maxCost: params.maxCost });
      } catch (err) {
        if (err instanceof ExperimentError) throw err;
        // Point at the experiment, whatever went wrong (a missing checkpoint, a model that throws).
        throw new ExperimentError((err as Error)?.message ?? String(err), experiment.location);
      }
    },
  };
}
