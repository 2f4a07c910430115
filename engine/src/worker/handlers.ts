/** What the engine worker answers: one handler per method of the engine protocol. */
import { engineInfo } from '../backend/index';
import type { EngineMethods } from '../protocol';
import type { RpcHandlers } from './rpcServer';

export const engineHandlers: RpcHandlers<EngineMethods> = {
  'engine/info': (params) => engineInfo(params.backend),
};
