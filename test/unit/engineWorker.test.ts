// The engine worker itself (engine/src/worker/main.ts) behind the extension's client: it
// reports the package version and a backend that is really available, and honours a preference.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { EngineClient } from '../../extension/src/engineClient';

const root = path.resolve(import.meta.dirname, '../..');
const { version } = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string };
const client = new EngineClient({ workerPath: path.join(import.meta.dirname, 'fixtures', 'engineWorker.mjs') });

after(() => client.dispose());

describe('engine worker', () => {
  it('answers engine/info with the package version and an available backend', async () => {
    const info = await client.request('engine/info', {});
    assert.equal(info.version, version);
    const names = info.backends.map((b) => b.name);
    assert.deepEqual([...names].sort(), ['cpu', 'tensorflow', 'wasm', 'webgpu']);
    const selected = info.backends.find((b) => b.name === info.backend);
    assert.ok(selected?.available, `selected backend ${info.backend} is reported unavailable`);
  });

  it('shares large batches among the threads its environment allows (neuralOde.engine.threads)', async () => {
    const three = new EngineClient({ workerPath: path.join(import.meta.dirname, 'fixtures', 'engineWorker.mjs'), env: () => ({ NEURAL_ODE_THREADS: '3' }) });
    try {
      assert.equal((await three.request('engine/info', {})).threads, 3);
    } finally {
      await three.dispose();
    }
  });

  it('selects the backend the request asks for', async () => {
    const info = await client.request('engine/info', { backend: 'cpu' });
    assert.equal(info.backend, 'cpu');
    assert.equal(client.restarts, 0);
  });
});
