/**
 * Entry of the engine worker thread (bundled to dist/engineWorker.js). The extension host
 * starts one per window (extension/src/engineClient.ts) and keeps it for the window's life.
 */
import { parentPort } from 'node:worker_threads';
import type { EngineEvents } from '../protocol';
import { engineHandlers } from './handlers';
import { pointNodeAtThisRuntime } from './nodeForChildren';
import { rpcEmitter, serveRpc } from './rpcServer';

if (parentPort === null) {
  throw new Error('dist/engineWorker.js runs inside a worker thread started by the extension; for a terminal use the `neural-ode` command.');
}
pointNodeAtThisRuntime();
serveRpc(parentPort, engineHandlers(rpcEmitter<EngineEvents>(parentPort)));
