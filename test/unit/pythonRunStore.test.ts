import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { decodeCheckpoint } from '../../engine/src/train/checkpointFormat';
import { RunStoreError } from '../../engine/src/train/errors';
import { isRunId } from '../../engine/src/train/runId';
import { readLock, takeLock } from '../../engine/src/train/runLock';
import {
  CHECKPOINT_LATEST,
  cleanTempFiles,
  listRuns,
  loadBestCheckpoint,
  loadLatestCheckpoint,
  readMetrics,
  readRunConfig,
  type CheckpointData,
} from '../../engine/src/train/runStore';
import { parseRunMeta } from '../../extension/src/panels/curvesRunInfo';

/** Debian's interpreter, which has torch (python3-torch). */
const PYTHON = '/usr/bin/python3';
const SCRIPT = path.join(__dirname, 'fixtures', 'python', 'writeRuns.py');
const env = { ...process.env, PYTHONPATH: path.join(__dirname, '..', '..', 'python'), PYTHONDONTWRITEBYTECODE: '1' };

const torchMissing = ((): string | null => {
  const r = spawnSync(PYTHON, ['-c', 'import torch, numpy'], { encoding: 'utf8', timeout: 30_000 });
  return r.status === 0 ? null : `${PYTHON} cannot import torch and numpy (${(r.error?.message ?? r.stderr.trim().split('\n').pop()) || `exit ${r.status}`})`;
})();

const tmp = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'neural-ode-python-'));

interface Written {
  finished: string;
  failed: string;
  open: string;
  params: Record<string, { shape: number[]; values: number[] }>;
}

type Layout = { name: string; shape: number[]; offset: number }[];

/** The named parameters of a checkpoint, as the engine reads it. */
function named(checkpoint: CheckpointData): Map<string, { shape: number[]; values: number[] }> {
  const params = checkpoint.params as Float64Array;
  assert.ok(params instanceof Float64Array, 'params come back as one Float64Array, as the engine stores them');
  return new Map(
    (checkpoint.layout as Layout).map((e) => {
      const size = e.shape.reduce((a, b) => a * b, 1);
      return [e.name, { shape: e.shape, values: Array.from(params.subarray(e.offset, e.offset + size)) }];
    }),
  );
}

describe('a run written from Python (python/neural_ode_studio)', () => {
  it('is read by the engine: listed with its status, metrics, config and checkpoints', (t) => {
    if (torchMissing) return t.skip(torchMissing);
    const root = tmp();
    const r = spawnSync(PYTHON, [SCRIPT, root], { encoding: 'utf8', env, timeout: 60_000 });
    assert.equal(r.status, 0, r.stderr);
    const written = JSON.parse(r.stdout) as Written;

    const runs = listRuns(root);
    assert.deepEqual(runs.map((x) => x.id).sort(), [written.failed, written.finished, written.open].sort());
    for (const run of runs) {
      assert.ok(isRunId(run.id), run.id);
      assert.equal(readLock(run.dir), null, 'every run has released its lock');
      assert.deepEqual(cleanTempFiles(run.dir), [], 'no temporary file is left');
    }
    const byId = new Map(runs.map((x) => [x.id, x]));

    const done = byId.get(written.finished)!;
    assert.match(done.id, /^\d{8}-\d{6}-torch-spiral-[0-9a-f]{4}$/);
    assert.equal(done.status, 'finished');
    assert.equal(done.experiment, 'Torch Spiral');
    assert.equal(done.lastIteration, 4);
    assert.equal(done.lastLoss, 0.25);
    assert.equal(typeof done.finishedAt, 'string');

    const failed = byId.get(written.failed)!;
    assert.equal(failed.status, 'failed');
    assert.equal(failed.message, 'ValueError: loss exploded');
    const open = byId.get(written.open)!;
    assert.equal(open.status, 'interrupted');
    assert.equal(open.lastIteration, 1);

    // config.json as the Runs view and the Training curves read it.
    const config = readRunConfig(root, done.id);
    assert.equal(config.id, done.id);
    assert.match(config.createdAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const meta = parseRunMeta(config);
    assert.deepEqual(meta.tags, ['torch']);
    assert.deepEqual(meta.hparams, { task: 'trajectory', solver: 'dopri5', rtol: 1e-7, atol: 1e-9, gradient: 'adjoint', optimizer: 'adam', lr: 0.003, iterations: 4 });

    const metrics = readMetrics(done.dir);
    assert.deepEqual(metrics.badLines, []);
    assert.equal(metrics.truncatedTail, null);
    assert.deepEqual(
      metrics.records.map((m) => [m.iteration, m.loss, m.nfeForward, m.nfeBackward]),
      [
        [1, 0.75, 26, 32],
        [2, NaN, 26, 38],
        [3, 0.5, 32, 44],
        [4, 0.25, 32, 44],
      ],
    );
    assert.equal(metrics.records[0].lr, 0.003);
    assert.equal(metrics.records[2].evalLoss, 0.625);
    assert.equal(metrics.records[3].custom, -Infinity);
    for (const m of metrics.records) assert.ok(typeof m.wallSeconds === 'number' && typeof m.iterationSeconds === 'number');

    // Checkpoints: they verify, name PyTorch's parameters, and hold its values exactly.
    const latest = loadLatestCheckpoint(done.dir);
    assert.equal(latest.fellBack, false);
    assert.equal(latest.checkpoint.iteration, 4);
    const params = named(latest.checkpoint);
    assert.deepEqual([...params.keys()], ['0.weight', '0.bias', '2.weight', '2.bias']);
    assert.deepEqual(params.get('0.weight')!.shape, [16, 2]);
    assert.deepEqual(params.get('2.weight')!.shape, [2, 16]);
    for (const [name, p] of Object.entries(written.params)) assert.deepEqual(params.get(name), p, name);
    assert.equal((latest.checkpoint.params as Float64Array).length, 16 * 2 + 16 + 2 * 16 + 2);

    const best = loadBestCheckpoint(done.dir).checkpoint;
    assert.equal(best.iteration, 3);
    assert.equal(best.evalLoss, 0.625);
    assert.deepEqual(named(best).get('0.weight'), params.get('0.weight'));
    assert.notDeepEqual(named(best).get('0.bias'), params.get('0.bias'), 'the best keeps the weights it was written with');

    // The previous checkpoint is kept: a damaged latest falls back to it, and the checksum is what tells.
    const file = path.join(done.dir, CHECKPOINT_LATEST);
    const bytes = fs.readFileSync(file);
    assert.equal(bytes.length % 8, 0, 'header padded to 8, float64 data, 32-byte SHA-256');
    bytes[bytes.length - 40] ^= 1;
    assert.throws(() => decodeCheckpoint(bytes, file), (e: unknown) => e instanceof RunStoreError && e.kind === 'corrupt' && /SHA-256/.test(e.message));
    fs.writeFileSync(file, bytes);
    const fallback = loadLatestCheckpoint(done.dir);
    assert.equal(fallback.fellBack, true);
    assert.equal(fallback.checkpoint.iteration, 2);
  });

  it('reads as running while its Python process lives, and as interrupted once it is killed', async (t) => {
    if (torchMissing) return t.skip(torchMissing);
    const root = tmp();
    const child = spawn(PYTHON, [SCRIPT, root, '--hang'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    try {
      const line = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          if (out.includes('\n')) resolve(out);
        });
        child.on('exit', (code) => reject(new Error(`the writer exited (${code}) before it was ready: ${stderr}`)));
      });
      const { id } = JSON.parse(line) as { id: string };
      const [running] = listRuns(root);
      assert.equal(running.id, id);
      assert.equal(running.status, 'running');
      assert.equal(running.pid, child.pid);
      assert.equal(running.lastIteration, 2);
      assert.equal(running.lastLoss, 1.25);
      // The engine does not write into it while the Python process does (resume, take over): it says who has it.
      const before = fs.readFileSync(path.join(running.dir, 'metrics.jsonl'), 'utf8');
      assert.throws(
        () => takeLock(running.dir, id),
        (e: Error) => e instanceof RunStoreError && new RegExp(`Run ${id} is being written by process ${child.pid} .*; stop that process first`).test(e.message),
      );
      assert.equal(fs.readFileSync(path.join(running.dir, 'metrics.jsonl'), 'utf8'), before, 'the run is untouched');
    } finally {
      child.kill('SIGKILL');
      await exited;
    }
    const [killed] = listRuns(root);
    assert.equal(killed.status, 'interrupted');
    assert.match(killed.message ?? '', new RegExp(`process ${child.pid} has ended.* without a result \\(killed or crashed\\)`));
    assert.equal(readMetrics(killed.dir).records.length, 2);
  });
});
