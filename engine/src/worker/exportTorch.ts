/**
 * `torch/export` in the engine worker: the experiment file is code, so it is loaded here, never
 * on the extension host. export/exportTorch.ts does the work, as for `neural-ode export-torch`.
 */
import * as path from 'node:path';
import { loadExperiment } from '../experiments/load';
import { exportTorch } from '../export/exportTorch';
import type { EngineMethods } from '../protocol';
import type { RpcHandlers } from './rpcServer';

export function exportTorchHandlers(): Pick<RpcHandlers<EngineMethods>, 'torch/export'> {
  return {
    'torch/export': async (params) => {
      if (!path.isAbsolute(params.file) || !path.isAbsolute(params.out) || (params.runDir !== undefined && !path.isAbsolute(params.runDir))) {
        throw new RangeError('torch/export needs absolute paths for the experiment file, the output folder and the run folder.');
      }
      const exp = await loadExperiment(params.file);
      const r = await exportTorch(exp, {
        out: params.out,
        ...(params.runDir ? { run: path.basename(params.runDir), runsRoot: path.dirname(params.runDir) } : {}),
      });
      return { dir: r.dir, files: r.files, ...(r.iteration !== undefined ? { iteration: r.iteration } : {}), model: r.plan.description, method: r.settings.solver.method };
    },
  };
}
