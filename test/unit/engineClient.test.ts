// The host ⇄ worker RPC: typed requests answered by method name, engine errors returned as
// `{ message, kind }` without killing the worker, and a fresh worker only after a crash.
import assert from 'node:assert/strict';
import path from 'node:path';
import { afterEach, describe, it } from 'node:test';
import { EngineClient, EngineRequestError } from '../../extension/src/engineClient';
import type { TestMethods } from './fixtures/rpcWorker';

const fixture = path.join(import.meta.dirname, 'fixtures', 'rpcWorker.mjs');
const clients: EngineClient<TestMethods>[] = [];

function client(logs: string[] = [], loadTimeoutMs?: () => number): EngineClient<TestMethods> {
  const c = new EngineClient<TestMethods>({
    workerPath: fixture,
    onLog: (level, message) => logs.push(`${level}: ${message}`),
    loadTimeoutMs,
  });
  clients.push(c);
  return c;
}

async function rejection(promise: Promise<unknown>): Promise<EngineRequestError> {
  const err = await promise.then(
    () => assert.fail('expected the request to fail'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof EngineRequestError, `expected an EngineRequestError, got ${String(err)}`);
  return err;
}

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.dispose()));
});

describe('EngineClient', () => {
  it('sends typed params (typed arrays included) and returns the result', async () => {
    const c = client();
    const r = await c.request('test/echo', { values: new Float64Array([1.5, 2.25, -0.75]), label: 'dopri5' });
    assert.equal(r.sum, 3);
    assert.equal(r.label, 'dopri5');
  });

  it('keeps one worker for many requests, concurrent ones included', async () => {
    const c = client();
    const results = await Promise.all(
      [1, 2, 3, 4].map((k) => c.request('test/echo', { values: new Float64Array([k]), label: String(k) })),
    );
    assert.deepEqual(results.map((r) => r.sum), [1, 2, 3, 4]);
    assert.equal(new Set(results.map((r) => r.threadId)).size, 1);
    assert.equal(c.restarts, 0);
  });

  it("returns an engine error's kind and message, and the worker keeps serving", async () => {
    const c = client();
    const first = await c.request('test/echo', { values: new Float64Array([1]), label: 'a' });
    const err = await rejection(c.request('test/solverError', {}));
    assert.equal(err.kind, 'maxSteps');
    assert.match(err.message, /maxNumSteps \(10\) reached at t=0\.5/);
    assert.equal(err.method, 'test/solverError');
    const str = await rejection(c.request('test/throwString', {}));
    assert.equal(str.kind, 'Error');
    assert.equal(str.message, 'plain string');
    const again = await c.request('test/echo', { values: new Float64Array([2]), label: 'b' });
    assert.equal(again.threadId, first.threadId);
    assert.equal(c.restarts, 0);
  });

  it('answers an unknown method with an error naming the known ones', async () => {
    const c = client();
    const untyped = c as unknown as EngineClient<{ 'no/such': { params: object; result: unknown } }>;
    const err = await rejection(untyped.request('no/such', {}));
    assert.equal(err.kind, 'unknownMethod');
    assert.match(err.message, /no method "no\/such".*test\/echo/);
  });

  it('rejects the pending requests of a crashed worker and starts a new one on the next request', async () => {
    const logs: string[] = [];
    const c = client(logs);
    const before = await c.request('test/echo', { values: new Float64Array([1]), label: 'x' });
    const slow = rejection(c.request('test/slow', { ms: 10_000 }));
    const err = await rejection(c.request('test/crash', {}));
    assert.equal(err.kind, 'workerCrashed');
    assert.match(err.message, /uncaught in the worker/);
    assert.equal((await slow).kind, 'workerCrashed');
    const after = await c.request('test/echo', { values: new Float64Array([1]), label: 'y' });
    assert.notEqual(after.threadId, before.threadId);
    assert.equal(c.restarts, 1);
    assert.ok(logs.some((l) => l.startsWith('error: ') && l.includes('stopped unexpectedly')), logs.join('\n'));
  });

  it('treats a worker that exits by itself as a crash', async () => {
    const c = client();
    const err = await rejection(c.request('test/exit', { code: 3 }));
    assert.equal(err.kind, 'workerCrashed');
    assert.match(err.message, /exit code 3/);
    assert.equal((await c.request('test/slow', { ms: 1 })), 'waited 1 ms');
    assert.equal(c.restarts, 1);
  });

  it('dispose rejects running requests and refuses new ones', async () => {
    const c = client();
    await c.request('test/slow', { ms: 1 });
    const running = rejection(c.request('test/slow', { ms: 10_000 }));
    await c.dispose();
    assert.equal((await running).kind, 'disposed');
    assert.equal((await rejection(c.request('test/slow', { ms: 1 }))).kind, 'disposed');
    assert.equal(c.restarts, 0);
  });

  it('gives up on a load that does not finish in time: the worker is stopped, its requests say why, the next request gets a new one', async () => {
    const logs: string[] = [];
    const crashes: string[] = [];
    const c = client(logs, () => 500);
    c.onCrash((m) => crashes.push(m));
    const before = await c.request('test/echo', { values: new Float64Array([1]), label: 'x' });
    const other = rejection(c.request('test/slow', { ms: 10_000 }));
    const started = Date.now();
    const err = await rejection(c.request('test/load', { file: '/work/loops.ode.ts', ms: -1 }));
    const waited = Date.now() - started;
    assert.ok(waited >= 500 && waited < 5000, `rejected after ${waited} ms`);
    assert.equal(err.kind, 'loadTimeout');
    assert.ok(err.message.includes('/work/loops.ode.ts did not finish loading within 0.5 s: does its top level loop?'), err.message);
    assert.match(err.message, /Raise neuralOde\.engine\.loadTimeoutSeconds/);
    // Whatever else the worker was doing ended with it, and says why.
    const lost = await other;
    assert.equal(lost.kind, 'loadTimeout');
    assert.match(lost.message, /loops\.ode\.ts did not finish loading/);
    assert.equal(crashes.length, 1);
    assert.match(crashes[0], /loops\.ode\.ts did not finish loading within 0\.5 s/);
    assert.ok(logs.some((l) => l.startsWith('error: ') && l.includes('did not finish loading')), logs.join('\n'));
    const after = await c.request('test/echo', { values: new Float64Array([1]), label: 'y' });
    assert.notEqual(after.threadId, before.threadId);
    assert.equal(c.restarts, 1);
  });

  it('leaves loads that finish in time, and long requests that load nothing, alone; 0 is no limit', async () => {
    const c = client([], () => 1000);
    assert.equal(await c.request('test/load', { file: '/work/slow.ode.ts', ms: 300 }), 'loaded /work/slow.ode.ts');
    assert.equal(await c.request('test/slow', { ms: 1500 }), 'waited 1500 ms');
    const unlimited = client([], () => 0);
    assert.equal(await unlimited.request('test/load', { file: '/work/slow.ode.ts', ms: 1200 }), 'loaded /work/slow.ode.ts');
    assert.equal(c.restarts + unlimited.restarts, 0);
  });

  it('stopLoading stops a load at once; the next request gets a new worker', async () => {
    const c = client();
    const file = '/work/loops.ode.ts';
    assert.equal(c.stopLoading(file), false, 'nothing is loading yet');
    const loading = new Promise<void>((resolve) => {
      const sub = c.on('engine/loading', (e) => {
        if (e.file === file) {
          sub.dispose();
          resolve();
        }
      });
    });
    const load = rejection(c.request('test/load', { file, ms: -1 }));
    await loading;
    assert.equal(c.isLoading(file), true);
    assert.equal(c.stopLoading('/work/other.ode.ts'), false);
    const started = Date.now();
    assert.equal(c.stopLoading(file), true);
    const err = await load;
    assert.ok(Date.now() - started < 1000);
    assert.equal(err.kind, 'loadCancelled');
    assert.equal(err.message, `stopped while loading ${file}`);
    assert.equal(c.isLoading(file), false);
    assert.equal(await c.request('test/slow', { ms: 1 }), 'waited 1 ms');
    assert.equal(c.restarts, 1);
  });
});
