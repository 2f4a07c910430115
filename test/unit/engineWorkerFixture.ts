/**
 * The real engine worker for unit tests that call its methods, with a scratch runs folder
 * (removed, and the worker stopped, after the file's tests) and the small tiny.ode.ts experiment.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after } from 'node:test';
import { mapInput, mlpField } from '../../engine/src/index';
import { EngineClient } from '../../extension/src/engineClient';

const root = path.resolve(import.meta.dirname, '../..');
export const experimentsDir = path.join(root, 'test', 'fixtures', 'experiments');
export const tiny = path.join(experimentsDir, 'tiny.ode.ts');

/** tiny.ode.ts's model, built here independently, with the generator seeded as given. */
export const tinyModel = (seed: number) => mapInput(mlpField({ sizes: [2, 16, 2], seed }), (x) => x ** 3, (x) => 3 * x * x);

export function engineWorkerFixture(name: string): { client: EngineClient; scratch: string; runsRoot: string } {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), `neural-ode-${name}-`));
  const client = new EngineClient({ workerPath: path.join(import.meta.dirname, 'fixtures', 'engineWorker.mjs') });
  after(async () => {
    await client.dispose();
    fs.rmSync(scratch, { recursive: true, force: true });
  });
  return { client, scratch, runsRoot: path.join(scratch, 'runs') };
}
