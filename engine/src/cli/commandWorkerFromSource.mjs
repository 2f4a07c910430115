// The command line's worker when it runs from its TypeScript source (tests, tsx): Node does not
// carry `--import tsx` into worker threads, so this registers tsx itself.
import { createRequire } from 'node:module';
import { parentPort, workerData } from 'node:worker_threads';
import { register } from 'tsx/cjs/api';

register();
const { serveCommandJob } = createRequire(import.meta.url)('./commandWorker.ts');
await serveCommandJob(parentPort, workerData);
