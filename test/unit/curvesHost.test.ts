// The extension side of the training curves panel, without VS Code: following a growing
// metrics.jsonl (only appended records, half-written lines held back, rewinds re-read), coalescing
// bursts of file events to ≤ 10 flushes a second, CSV export, and run ids from command arguments.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { appendMetrics, createRun, openRun, readMetrics } from '../../engine/src/train';
import { Coalescer } from '../../extension/src/panels/coalescer';
import { metricsCsv } from '../../extension/src/panels/curvesCsv';
import { MetricsTail, toCurvePoint } from '../../extension/src/panels/metricsTail';
import { runIdsFromArgs } from '../../extension/src/panels/runArgs';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'curves-host-'));
after(() => fs.rmSync(root, { recursive: true, force: true }));

const record = (i: number) => ({ iteration: i, loss: Math.exp(-i / 10), nfeForward: 26, nfeBackward: 38, wallSeconds: i * 0.1, iterationSeconds: 0.1, lr: 0.01, gradNorm: 1 / i });

describe('MetricsTail', () => {
  it('returns everything first, then only what was appended', () => {
    const run = createRun(root, { experiment: 'tail', config: {} });
    const tail = new MetricsTail(run.metricsFile);
    for (let i = 1; i <= 5; i++) appendMetrics(run, record(i));
    const first = tail.read();
    assert.equal(first.reset, true);
    assert.deepEqual(first.records.map((r) => r.iteration), [1, 2, 3, 4, 5]);
    assert.deepEqual(tail.read(), { reset: false, records: [], badLines: [] });
    for (let i = 6; i <= 8; i++) appendMetrics(run, record(i));
    const next = tail.read();
    assert.equal(next.reset, false);
    assert.deepEqual(next.records.map((r) => r.iteration), [6, 7, 8]);
    run.close();
  });

  it('holds back a line still being written until its newline arrives', () => {
    const run = createRun(root, { experiment: 'partial', config: {} });
    appendMetrics(run, record(1));
    run.close();
    const file = run.metricsFile;
    const line = JSON.stringify(record(2));
    fs.appendFileSync(file, line.slice(0, 10));
    const tail = new MetricsTail(file);
    assert.deepEqual(tail.read().records.map((r) => r.iteration), [1]);
    fs.appendFileSync(file, `${line.slice(10)}\n`);
    const rest = tail.read();
    assert.equal(rest.reset, false);
    assert.deepEqual(rest.records.map((r) => r.iteration), [2]);
  });

  it('starts over when a resumed run rewinds its stream', () => {
    const run = createRun(root, { experiment: 'rewind', config: {} });
    for (let i = 1; i <= 10; i++) appendMetrics(run, record(i));
    run.close();
    const tail = new MetricsTail(run.metricsFile);
    assert.equal(tail.read().records.length, 10);
    const again = openRun(root, run.id, { rewindTo: 4 });
    appendMetrics(again, record(5));
    const r = tail.read();
    assert.equal(r.reset, true);
    assert.deepEqual(r.records.map((x) => x.iteration), [1, 2, 3, 4, 5]);
    again.close();
  });

  it('reports unreadable lines by their line number in the file, and keeps the rest', () => {
    const file = path.join(root, 'bad.jsonl');
    fs.writeFileSync(file, `${JSON.stringify(record(1))}\n`);
    const tail = new MetricsTail(file);
    tail.read();
    fs.appendFileSync(file, `${JSON.stringify(record(2))}\n{"loss": 1}\n${JSON.stringify(record(3))}\n`);
    const r = tail.read();
    assert.deepEqual(r.records.map((x) => x.iteration), [2, 3]);
    assert.equal(r.badLines.length, 1);
    assert.equal(r.badLines[0].line, 3);
  });

  it('reads an absent file as empty, and all of it once it appears', () => {
    const file = path.join(root, 'later.jsonl');
    const tail = new MetricsTail(file);
    assert.deepEqual(tail.read(), { reset: true, records: [], badLines: [] });
    fs.writeFileSync(file, `${JSON.stringify(record(1))}\n`);
    assert.deepEqual(tail.read().records.map((x) => x.iteration), [1]);
  });

  it('keeps only the drawn fields, and non-finite values as numbers', () => {
    const p = toCurvePoint({ iteration: 3, loss: NaN, lr: 0.1, gradNorm: 2, stepSize: { hMin: 0.1, hMax: 1 }, note: 'x' });
    assert.deepEqual(p, { iteration: 3, loss: NaN, lr: 0.1 });
  });

  it("carries a classifier's batch accuracy and its accuracy on every point", () => {
    const p = toCurvePoint({ iteration: 20, loss: 0.3, evalLoss: 0.25, accuracy: 0.875, evalAccuracy: 0.9, gradNorm: 1 });
    assert.deepEqual(p, { iteration: 20, loss: 0.3, evalLoss: 0.25, accuracy: 0.875, evalAccuracy: 0.9 });
    assert.equal(toCurvePoint({ iteration: 21, loss: 0.3, accuracy: 'n/a' }).accuracy, undefined, 'only numbers are drawn');
  });
});

describe('Coalescer', () => {
  it('flushes a burst once, then at most once per interval', async () => {
    const flushes: { at: number; keys: string[] }[] = [];
    const c = new Coalescer<string>((keys) => flushes.push({ at: Date.now(), keys: [...keys].sort() }), 100);
    const start = Date.now();
    // 60 events over ~600 ms, as a fast training loop writes them.
    for (let k = 0; k < 60; k++) {
      c.add(k % 2 === 0 ? 'a' : 'b');
      await new Promise((r) => setTimeout(r, 10));
    }
    await new Promise((r) => setTimeout(r, 150));
    c.dispose();
    const elapsed = (Date.now() - start) / 1000;
    assert.ok(flushes.length >= 3, `expected several flushes, got ${flushes.length}`);
    assert.ok(flushes.length <= Math.ceil(elapsed * 10) + 1, `${flushes.length} flushes in ${elapsed} s is more than 10 per second`);
    for (let i = 1; i < flushes.length; i++) assert.ok(flushes[i].at - flushes[i - 1].at >= 95, `flushes ${flushes[i].at - flushes[i - 1].at} ms apart`);
    assert.deepEqual(flushes[0].keys, ['a']);
    // Nothing is lost: every key added is in some flush, and the last event's key in the last one.
    assert.deepEqual([...new Set(flushes.flatMap((f) => f.keys))].sort(), ['a', 'b']);
    assert.ok(flushes[flushes.length - 1].keys.includes('b'));
  });

  it('flushes nothing after dispose', async () => {
    let n = 0;
    const c = new Coalescer<number>(() => n++, 10);
    c.add(1);
    c.dispose();
    c.add(2);
    await new Promise((r) => setTimeout(r, 40));
    assert.equal(n, 0);
  });
});

describe('metricsCsv', () => {
  it('writes one row per iteration per run, usual columns first, nested fields dotted', () => {
    const a = createRun(root, { experiment: 'csv', config: {} });
    appendMetrics(a, { ...record(1), loss: NaN, stepSize: { hMin: 0.01, hMax: 0.5 } });
    appendMetrics(a, record(2));
    a.close();
    const csv = metricsCsv([
      { runId: a.id, records: readMetrics(a.dir).records },
      { runId: 'b', records: [{ iteration: 1, loss: 3, evalLoss: 2, note: 'has "quotes", commas' }] },
    ]);
    const lines = csv.split('\r\n');
    assert.equal(lines.at(-1), '');
    assert.equal(lines[0], 'run,iteration,loss,evalLoss,nfeForward,nfeBackward,iterationSeconds,wallSeconds,lr,gradNorm,note,stepSize.hMax,stepSize.hMin');
    assert.equal(lines[1], `${a.id},1,NaN,,26,38,0.1,0.1,0.01,1,,0.5,0.01`);
    assert.equal(lines[2], `${a.id},2,${Math.exp(-0.2)},,26,38,0.1,0.2,0.01,0.5,,,`);
    assert.equal(lines[3], 'b,1,3,2,,,,,,,"has ""quotes"", commas",,');
    assert.equal(lines.length, 5);
    // A classifier's accuracy columns come right after its losses.
    assert.equal(metricsCsv([{ runId: 'c', records: [{ iteration: 1, loss: 0.7, zeta: 1, evalAccuracy: 0.5, accuracy: 0.625 }] }]).split('\r\n')[0], 'run,iteration,loss,accuracy,evalAccuracy,zeta');
  });
});

describe('runIdsFromArgs', () => {
  it('reads ids from the shapes commands are called with', () => {
    assert.equal(runIdsFromArgs([]), undefined);
    assert.equal(runIdsFromArgs([undefined]), undefined);
    assert.deepEqual(runIdsFromArgs(['r1']), ['r1']);
    assert.deepEqual(runIdsFromArgs([['r1', 'r2']]), ['r1', 'r2']);
    // A tree view passes the clicked item and the selection (which contains it).
    assert.deepEqual(runIdsFromArgs([{ runId: 'r2' }, [{ runId: 'r1' }, { runId: 'r2' }]]), ['r2', 'r1']);
    assert.deepEqual(runIdsFromArgs([{ id: 'r3' }]), ['r3']);
    assert.deepEqual(runIdsFromArgs([{ run: { id: 'r4' } }]), ['r4']);
    assert.equal(runIdsFromArgs([{ label: 'no id' }, 42, '']), undefined);
  });
});
