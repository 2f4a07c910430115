// One-way events from the engine worker to the host: typed by name, delivered in order with
// typed arrays intact, to every listener until it is disposed; never mistaken for responses.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { isRpcEvent } from '../../engine/src/protocol';
import { rpcEmitter } from '../../engine/src/worker/rpcServer';
import { EngineClient } from '../../extension/src/engineClient';
import type { TestEvents, TestMethods } from './fixtures/rpcWorker';

const fixture = path.join(import.meta.dirname, 'fixtures', 'rpcWorker.mjs');
const client = new EngineClient<TestMethods, TestEvents>({ workerPath: fixture });
after(() => client.dispose());

describe('engine events', () => {
  it('delivers events in order, before the answer posted after them', async () => {
    const ticks: number[] = [];
    const halves: number[] = [];
    let other = '';
    const a = client.on('test/tick', (e) => {
      ticks.push(e.n);
      assert.ok(e.values instanceof Float64Array);
      halves.push(e.values[1]);
    });
    const b = client.on('test/other', (e) => (other = e.note));
    const answer = await client.request('test/emit', { count: 5 });
    assert.equal(answer, 5);
    assert.deepEqual(ticks, [1, 2, 3, 4, 5]);
    assert.deepEqual(halves, [0.5, 1, 1.5, 2, 2.5]);
    assert.equal(other, 'done');
    a.dispose();
    b.dispose();
  });

  it('stops calling a disposed listener, and a throwing listener does not stop the others', async () => {
    const logs: string[] = [];
    const c = new EngineClient<TestMethods, TestEvents>({ workerPath: fixture, onLog: (level, m) => logs.push(`${level}: ${m}`) });
    try {
      let first = 0;
      let second = 0;
      const sub = c.on('test/tick', () => void first++);
      c.on('test/tick', () => {
        second++;
        throw new Error('listener bug');
      });
      await c.request('test/emit', { count: 2 });
      sub.dispose();
      await c.request('test/emit', { count: 3 });
      assert.equal(first, 2);
      assert.equal(second, 5);
      assert.ok(logs.some((l) => /error: a listener of the engine event "test\/tick" failed: Error: listener bug/.test(l)), logs.join('\n'));
    } finally {
      await c.dispose();
    }
  });

  it('tells crash listeners when the worker dies', async () => {
    const c = new EngineClient<TestMethods, TestEvents>({ workerPath: fixture });
    try {
      const crashed = new Promise<string>((resolve) => c.onCrash(resolve));
      await c.request('test/crash', {}).catch(() => undefined);
      assert.match(await crashed, /stopped unexpectedly \(uncaught in the worker\)/);
    } finally {
      await c.dispose();
    }
  });

  it('tells events from responses on the wire', () => {
    const posted: unknown[] = [];
    const emit = rpcEmitter<TestEvents>({ postMessage: (m) => posted.push(m) });
    emit('test/other', { note: 'x' });
    assert.deepEqual(posted, [{ event: 'test/other', payload: { note: 'x' } }]);
    assert.ok(isRpcEvent(posted[0]));
    assert.ok(!isRpcEvent({ id: 1, result: 2 }));
    assert.ok(!isRpcEvent({ id: 1, event: 'x', payload: 0 }));
    assert.ok(!isRpcEvent(null));
  });

  it('replaces an event that cannot be cloned by a log event', () => {
    const posted: unknown[] = [];
    const emit = rpcEmitter<{ bad: { f: () => void } }>({
      postMessage: (m) => {
        structuredClone(m);
        posted.push(m);
      },
    });
    emit('bad', { f: () => undefined });
    assert.equal(posted.length, 1);
    const e = posted[0] as { event: string; payload: { level: string; message: string } };
    assert.equal(e.event, 'engine/log');
    assert.equal(e.payload.level, 'error');
    assert.match(e.payload.message, /The event "bad" could not be sent/);
  });
});
