// The host ⇄ worker RPC: typed requests answered by method name, engine errors returned as
// `{ message, kind }` without killing the worker, and a fresh worker only after a crash.
import assert from 'node:assert/strict';
import path from 'node:path';
import { afterEach, describe, it } from 'node:test';
import { EngineClient, EngineRequestError } from '../../extension/src/engineClient';
import type { TestMethods } from './fixtures/rpcWorker';

const fixture = path.join(import.meta.dirname, 'fixtures', 'rpcWorker.mjs');
const clients: EngineClient<TestMethods>[] = [];

function client(logs: string[] = []): EngineClient<TestMethods> {
  const c = new EngineClient<TestMethods>({
    workerPath: fixture,
    onLog: (level, message) => logs.push(`${level}: ${message}`),
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
});
