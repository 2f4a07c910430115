import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  appendMetrics, CHECKPOINT_LATEST, CHECKPOINT_PREV, createRun, decodeCheckpoint, encodeCheckpoint, finishRun, isRunId,
  listRuns, loadLatestCheckpoint, LOCK_FILE, openRun, readMetrics, RunStoreError, writeCheckpoint,
} from '../../engine/src/train/index';

let root = '';
beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'neural-ode-runs-'));
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

/** The pid of a process that has exited, for a stale lock. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

function flipByte(file: string, at: number): void {
  const b = fs.readFileSync(file);
  b[at] ^= 0x01;
  fs.writeFileSync(file, b);
}

describe('createRun', () => {
  it('makes a folder named by a sortable unique id, with config.json', () => {
    const now = new Date(Date.UTC(2026, 10, 22, 8, 15, 30));
    const a = createRun(root, { experiment: 'Spiral (ode_demo)', config: { lr: 1e-3, method: 'dopri5' }, now });
    const b = createRun(root, { experiment: 'Spiral (ode_demo)', config: {}, now });
    assert.match(a.id, /^20261122-081530-spiral-ode-demo-[0-9a-f]{4}$/);
    assert.ok(isRunId(a.id));
    assert.notEqual(a.id, b.id);
    const config = JSON.parse(fs.readFileSync(path.join(a.dir, 'config.json'), 'utf8'));
    assert.equal(config.id, a.id);
    assert.equal(config.experiment, 'Spiral (ode_demo)');
    assert.deepEqual(config.config, { lr: 1e-3, method: 'dopri5' });
    assert.equal(config.createdAt, now.toISOString());
    const later = createRun(root, { experiment: 'spiral', config: {}, now: new Date(now.getTime() + 1000) });
    assert.ok(later.id > a.id && later.id > b.id, 'ids sort by start time');
    [a, b, later].forEach((r) => r.close());
  });
});

describe('metrics.jsonl', () => {
  it('holds one line per iteration, readable back, NaN kept as NaN', () => {
    const run = createRun(root, { experiment: 'm', config: {} });
    appendMetrics(run, { iteration: 1, loss: 0.5, nfeForward: 26, nfeBackward: 40, wallSeconds: 0.1, lr: 1e-3, stepSize: { hMin: 0.01, hMax: 0.2 } });
    appendMetrics(run, { iteration: 2, loss: NaN, nfeForward: 32, nfeBackward: 44, wallSeconds: 0.2, lr: 1e-3 });
    const text = fs.readFileSync(run.metricsFile, 'utf8');
    assert.equal(text.split('\n').length, 3, 'two lines, each ending in a newline');
    const m = readMetrics(run);
    assert.equal(m.records.length, 2);
    assert.deepEqual(m.records[0].stepSize, { hMin: 0.01, hMax: 0.2 });
    assert.ok(Number.isNaN(m.records[1].loss));
    assert.equal(m.truncatedTail, null);
    run.close();
  });

  it('a truncated last line is reported and skipped; resuming cuts it off and continues the stream', () => {
    const run = createRun(root, { experiment: 'm', config: {} });
    appendMetrics(run, { iteration: 1, loss: 3 });
    appendMetrics(run, { iteration: 2, loss: 2 });
    run.close();
    fs.appendFileSync(run.metricsFile, '{"iteration":3,"loss":1.2'); // a crash in the middle of a write
    const m = readMetrics(run.dir);
    assert.deepEqual(m.records.map((r) => r.iteration), [1, 2]);
    assert.deepEqual(m.truncatedTail, { line: 3, text: '{"iteration":3,"loss":1.2' });
    assert.equal(listRuns(root)[0].lastIteration, 2);

    const resumed = openRun(root, run.id);
    assert.equal(resumed.lastIteration, 2);
    appendMetrics(resumed, { iteration: 3, loss: 1 });
    resumed.close();
    const after = readMetrics(run.dir);
    assert.deepEqual(after.records.map((r) => [r.iteration, r.loss]), [[1, 3], [2, 2], [3, 1]]);
    assert.equal(after.truncatedTail, null);
    assert.equal(after.badLines.length, 0);
  });

  it('a garbled line in the middle is reported with its line number, the rest kept', () => {
    const run = createRun(root, { experiment: 'm', config: {} });
    run.close();
    fs.writeFileSync(run.metricsFile, '{"iteration":1,"loss":1}\nnot json\n{"iteration":2,"loss":0.5}\n');
    const m = readMetrics(run.dir);
    assert.deepEqual(m.records.map((r) => r.iteration), [1, 2]);
    assert.equal(m.badLines.length, 1);
    assert.equal(m.badLines[0].line, 2);
  });

  it('openRun with rewindTo drops the lines after the checkpoint a resume starts from', () => {
    const run = createRun(root, { experiment: 'm', config: {} });
    for (let i = 1; i <= 5; i++) appendMetrics(run, { iteration: i, loss: 1 / i });
    run.close();
    const resumed = openRun(root, run.id, { rewindTo: 3 });
    assert.equal(resumed.lastIteration, 3);
    appendMetrics(resumed, { iteration: 4, loss: 0.2 });
    resumed.close();
    assert.deepEqual(readMetrics(run.dir).records.map((r) => r.iteration), [1, 2, 3, 4]);
  });
});

describe('checkpoints', () => {
  it('round-trip params (flat or named), optimiser state, rng state and extras bit-exactly', () => {
    const run = createRun(root, { experiment: 'c', config: {} });
    const w = Float64Array.from({ length: 1000 }, (_, i) => Math.sin(i) * 1e-300 + i / 7);
    const b32 = Float32Array.of(0.1, -2.5, 3);
    writeCheckpoint(run, {
      iteration: 7,
      params: { 'net.0.weight': w, 'net.0.bias': b32 },
      optimizerState: { spec: { name: 'adam', lr: 1e-3 }, step: 7, buffers: { expAvg: w.map((x) => -x), expAvgSq: null } },
      rngState: { algorithm: 'xoshiro128**', s: [1, 2, 3, 4], spareNormal: null },
      bestLoss: Infinity,
      lastLoss: NaN,
      note: { $array: 'a user key that looks like a marker' },
    });
    const { checkpoint, fellBack, problems } = loadLatestCheckpoint(run);
    assert.equal(fellBack, false);
    assert.deepEqual(problems, []);
    assert.equal(checkpoint.iteration, 7);
    const params = checkpoint.params as Record<string, Float64Array | Float32Array>;
    assert.ok(params['net.0.weight'] instanceof Float64Array);
    assert.deepEqual(params['net.0.weight'], w);
    assert.ok(params['net.0.bias'] instanceof Float32Array);
    assert.deepEqual(params['net.0.bias'], b32);
    const opt = checkpoint.optimizerState as { buffers: { expAvg: Float64Array; expAvgSq: null } };
    assert.deepEqual(opt.buffers.expAvg, w.map((x) => -x));
    assert.equal(opt.buffers.expAvgSq, null);
    assert.deepEqual(checkpoint.rngState, { algorithm: 'xoshiro128**', s: [1, 2, 3, 4], spareNormal: null });
    assert.equal(checkpoint.bestLoss, Infinity);
    assert.ok(Number.isNaN(checkpoint.lastLoss));
    assert.deepEqual(checkpoint.note, { $array: 'a user key that looks like a marker' });
    run.close();
  });

  it('the file is a JSON header and raw little-endian float64 data, closed by a SHA-256', () => {
    const bytes = encodeCheckpoint({ iteration: 1, params: Float64Array.of(1.5, -2) });
    assert.equal(bytes.toString('latin1', 0, 8), 'NODECKPT');
    const headerLength = bytes.readUInt32LE(12);
    assert.equal((16 + headerLength) % 8, 0, 'data aligned to 8 bytes');
    const header = JSON.parse(bytes.toString('utf8', 16, 16 + headerLength));
    assert.deepEqual(header.arrays, [{ offset: 0, length: 2, dtype: 'float64' }]);
    assert.equal(bytes.readDoubleLE(16 + headerLength), 1.5);
    assert.equal(bytes.readDoubleLE(16 + headerLength + 8), -2);
    assert.equal(bytes.length, 16 + headerLength + 16 + 32);
    assert.deepEqual(decodeCheckpoint(bytes), { iteration: 1, params: Float64Array.of(1.5, -2) });
  });

  it('refuses values it cannot store, naming where they are', () => {
    assert.throws(() => encodeCheckpoint({ iteration: 1, params: new Float64Array(1), optimizerState: { m: new Int32Array(2) } }), /Int32Array at 'optimizerState\.m'/);
  });

  it('keeps the previous checkpoint; a flipped byte in the newest falls back to it and says so', () => {
    const run = createRun(root, { experiment: 'c', config: {} });
    for (let it = 1; it <= 3; it++) writeCheckpoint(run, { iteration: it, params: Float64Array.from({ length: 64 }, (_, i) => it + i) });
    const latest = path.join(run.dir, CHECKPOINT_LATEST);
    const prev = path.join(run.dir, CHECKPOINT_PREV);
    assert.equal(loadLatestCheckpoint(run).checkpoint.iteration, 3);

    flipByte(latest, fs.statSync(latest).size - 100); // inside the float data
    const loaded = loadLatestCheckpoint(run);
    assert.equal(loaded.fellBack, true);
    assert.equal(loaded.file, prev);
    assert.equal(loaded.checkpoint.iteration, 2);
    assert.deepEqual(loaded.checkpoint.params, Float64Array.from({ length: 64 }, (_, i) => 2 + i));
    assert.equal(loaded.problems.length, 1);
    assert.match(loaded.problems[0], /checkpoint-latest\.ckpt: SHA-256 checksum mismatch/);

    flipByte(prev, 20); // inside the JSON header
    const err = (() => {
      try {
        loadLatestCheckpoint(run);
      } catch (e) {
        return e;
      }
      assert.fail('expected a RunStoreError');
    })();
    assert.ok(err instanceof RunStoreError);
    assert.equal(err.kind, 'corrupt');
    assert.match(err.message, /checkpoint-latest\.ckpt: SHA-256 checksum mismatch/);
    assert.match(err.message, /checkpoint-prev\.ckpt: SHA-256 checksum mismatch/);
    assert.deepEqual(err.files, [latest, prev]);
    run.close();
  });

  it('a truncated newest file falls back too', () => {
    const run = createRun(root, { experiment: 'c', config: {} });
    writeCheckpoint(run, { iteration: 1, params: new Float64Array(10).fill(1) });
    writeCheckpoint(run, { iteration: 2, params: new Float64Array(10).fill(2) });
    const latest = path.join(run.dir, CHECKPOINT_LATEST);
    fs.truncateSync(latest, fs.statSync(latest).size - 40);
    const loaded = loadLatestCheckpoint(run);
    assert.equal(loaded.checkpoint.iteration, 1);
    assert.match(loaded.problems[0], /checkpoint-latest\.ckpt/);
    fs.truncateSync(latest, 20);
    assert.match(loadLatestCheckpoint(run).problems[0], /truncated/);
    run.close();
  });

  it('a run without checkpoints says so', () => {
    const run = createRun(root, { experiment: 'c', config: {} });
    assert.throws(() => loadLatestCheckpoint(run), (e: unknown) => e instanceof RunStoreError && e.kind === 'noCheckpoint' && /No checkpoint in/.test(e.message));
    run.close();
  });
});

describe('listRuns and openRun', () => {
  it('reads each run status from its files, newest first, with last loss and iteration', () => {
    const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s));
    const finished = createRun(root, { experiment: 'a', config: {}, now: at(1) });
    appendMetrics(finished, { iteration: 1, loss: 0.9, wallSeconds: 1 });
    appendMetrics(finished, { iteration: 2, loss: 0.4, wallSeconds: 2 });
    finishRun(finished, { status: 'finished', iterations: 2, finalLoss: 0.4 });
    const failed = createRun(root, { experiment: 'b', config: {}, now: at(2) });
    finishRun(failed, { status: 'failed', message: 'NaN loss at iteration 17' });
    const cancelled = createRun(root, { experiment: 'c', config: {}, now: at(3) });
    finishRun(cancelled, { status: 'cancelled' });
    const interrupted = createRun(root, { experiment: 'd', config: {}, now: at(4) });
    appendMetrics(interrupted, { iteration: 1, loss: 5 });
    interrupted.close();
    fs.writeFileSync(path.join(interrupted.dir, LOCK_FILE), JSON.stringify({ pid: deadPid(), hostname: os.hostname(), startedAt: '' }));
    const running = createRun(root, { experiment: 'e', config: {}, now: at(5) });
    fs.mkdirSync(path.join(root, 'not-a-run'));

    const runs = listRuns(root);
    assert.deepEqual(runs.map((r) => [r.experiment, r.status]), [
      ['e', 'running'], ['d', 'interrupted'], ['c', 'cancelled'], ['b', 'failed'], ['a', 'finished'],
    ]);
    const a = runs[4];
    assert.equal(a.lastIteration, 2);
    assert.equal(a.lastLoss, 0.4);
    assert.equal(a.wallSeconds, 2);
    assert.ok(a.finishedAt !== undefined);
    assert.equal(runs[3].message, 'NaN loss at iteration 17');
    assert.match(runs[1].message ?? '', /ended without a result/);
    assert.equal(runs[0].pid, process.pid);
    running.close();
    assert.equal(listRuns(root)[0].status, 'interrupted', 'closed without a result');
    assert.deepEqual(listRuns(path.join(root, 'nowhere')), []);
  });

  it('resuming a finished run makes it running again; a run held by a live process is refused', () => {
    const run = createRun(root, { experiment: 'r', config: { a: 1 } });
    finishRun(run, { status: 'cancelled' });
    const again = openRun(root, run.id);
    assert.deepEqual(again.config, { a: 1 });
    assert.equal(listRuns(root)[0].status, 'running');
    again.close();
    // A lock naming a live process (our parent) on this machine.
    fs.writeFileSync(path.join(run.dir, LOCK_FILE), JSON.stringify({ pid: process.ppid, hostname: os.hostname(), startedAt: 'then' }));
    assert.throws(() => openRun(root, run.id), (e: unknown) => e instanceof RunStoreError && e.kind === 'busy' && e.message.includes(String(process.ppid)));
  });

  it('unknown and malformed ids get clear errors', () => {
    assert.throws(() => openRun(root, '20260101-000000-x-abcd'), (e: unknown) => e instanceof RunStoreError && e.kind === 'notFound' && /there are no runs there/.test(e.message));
    assert.throws(() => openRun(root, '../etc'), (e: unknown) => e instanceof RunStoreError && e.kind === 'input');
  });
});
