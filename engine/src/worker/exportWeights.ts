/**
 * `weights/export` in the engine worker: the experiment file is code (it rebuilds the model), so
 * it is loaded here, never on the extension host. The CLI's `neural-ode export` does the work.
 */
import * as path from 'node:path';
import { exportCommand } from '../cli/exportCommand';
import type { EngineMethods } from '../protocol';
import type { RpcHandlers } from './rpcServer';

export function exportWeightsHandlers(): Pick<RpcHandlers<EngineMethods>, 'weights/export'> {
  return {
    'weights/export': (params) => {
      if (!path.isAbsolute(params.file) || !path.isAbsolute(params.runDir) || !path.isAbsolute(params.out)) {
        throw new RangeError('weights/export needs absolute paths for the experiment file, the run folder and the output file.');
      }
      return exportCommand({
        experiment: params.file,
        run: path.basename(params.runDir),
        runsRoot: path.dirname(params.runDir),
        out: params.out,
        dtype: params.dtype,
      });
    },
  };
}
