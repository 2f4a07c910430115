/**
 * Entry of the engine worker thread (bundled to dist/engineWorker.js). The extension host
 * starts one per window (extension/src/engineClient.ts) and keeps it for the window's life, or
 * until it crashes or is terminated in a load that does not end (a new one then starts).
 */
import { parentPort } from 'node:worker_threads';
import { observeLoads } from '../experiments/loadModule';
import type { EngineEvents } from '../protocol';
import { engineHandlers } from './handlers';
import { pointNodeAtThisRuntime } from './nodeForChildren';
import { rpcEmitter, serveRpc } from './rpcServer';

if (parentPort === null) {
  throw new Error('dist/engineWorker.js runs inside a worker thread started by the extension; for a terminal use the `neural-ode` command.');
}
pointNodeAtThisRuntime();
const emit = rpcEmitter<EngineEvents>(parentPort);
// Every load of a user's file is announced, so that the host can stop one that never ends.
let loads = 0;
observeLoads((file) => {
  const id = ++loads;
  emit('engine/loading', { id, file });
  return () => emit('engine/loaded', { id });
});
serveRpc(parentPort, engineHandlers(emit));
