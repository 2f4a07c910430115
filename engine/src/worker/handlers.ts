/** What the engine worker answers: one handler per method of the engine protocol. */
import { engineInfo } from '../backend/index';
import type { EngineEvents, EngineMethods } from '../protocol';
import { checkExperiment } from './checkExperiment';
import { diagnosticsHandlers } from './diagnostics';
import { exportWeightsHandlers } from './exportWeights';
import { exportTorchHandlers } from './exportTorch';
import type { Emit, RpcHandlers } from './rpcServer';
import { previewHandlers } from './preview';
import { traceHandlers } from './trace';
import { trainingHandlers } from './training';

export function engineHandlers(emit: Emit<EngineEvents>): RpcHandlers<EngineMethods> {
  return {
    'engine/info': async (params) => {
      const info = await engineInfo(params.backend);
      emit('engine/log', { level: 'info', message: `backend ${info.backend} selected (preference ${params.backend ?? 'auto'})` });
      return info;
    },
    'experiment/check': ({ file }) => checkExperiment(file),
    ...trainingHandlers(emit),
    ...previewHandlers(),
    ...exportWeightsHandlers(),
    ...exportTorchHandlers(),
    ...traceHandlers(),
    ...diagnosticsHandlers(),
  };
}
