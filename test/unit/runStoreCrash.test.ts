import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createRun, loadLatestCheckpoint, readMetrics, type CheckpointData } from '../../engine/src/train/index';
import { Rng } from '../../engine/src/data/rng';

const writer = path.join(import.meta.dirname, 'fixtures', 'checkpointWriter.ts');
const KILLS = 8;
const N = 1 << 21; // 16 MiB of float64 parameters: each checkpoint write takes tens of ms

/** Starts the writer, waits until it begins writing checkpoint `killAt`, then SIGKILLs it after `delayMs`. */
function runAndKill(root: string, id: string, killAt: number, delayMs: number): Promise<{ lastBegun: number; lastDone: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', writer, root, id, String(N)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let lastBegun = 0;
    let lastDone = 0;
    let stderr = '';
    let buffered = '';
    let armed = false;
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        const [what, n] = line.split(' ');
        if (what === 'begin') lastBegun = Number(n);
        if (what === 'done') lastDone = Number(n);
        if (what === 'begin' && !armed && lastBegun >= killAt) {
          armed = true;
          setTimeout(() => child.kill('SIGKILL'), delayMs);
        }
      }
    });
    child.stderr.on('data', (d) => (stderr += String(d)));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve({ lastBegun, lastDone });
      else reject(new Error(`writer exited with ${code ?? signal} before it was killed:\n${stderr}`));
    });
  });
}

function assertComplete(cp: CheckpointData): void {
  const p = cp.params as Float64Array;
  assert.ok(p instanceof Float64Array);
  assert.equal(p.length, N);
  for (let i = 0; i < N; i++) {
    if (p[i] !== cp.iteration * 1e-3 + i) assert.fail(`params[${i}] = ${p[i]} in the checkpoint of iteration ${cp.iteration}`);
  }
  const m = (cp.optimizerState as { m: Float64Array; step: number }).m;
  assert.equal((cp.optimizerState as { step: number }).step, cp.iteration);
  assert.equal(m[5], -cp.iteration * 1e-3 + 5);
}

describe('checkpoints survive kill -9', () => {
  it('a process killed while writing a checkpoint leaves a complete, verifying checkpoint with a monotone iteration', { timeout: 60_000 }, async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'neural-ode-crash-'));
    try {
      const run = createRun(root, { experiment: 'crash', config: { n: N } });
      run.close();
      const rng = new Rng(Date.now());
      let previous = 0;
      let leftTemp = 0;
      let fellBack = 0;
      for (let kill = 0; kill < KILLS; kill++) {
        // Kill during the write of the 2nd–3rd checkpoint of this process, 0–120 ms into it (encoding, writing,
        // fsync and renames take about 100 ms): the first one always finishes, so there is one to load.
        const killAt = previous + 2 + rng.int(2);
        const delay = rng.int(120);
        const { lastBegun, lastDone } = await runAndKill(root, run.id, killAt, delay);
        if (fs.readdirSync(run.dir).some((f) => f.endsWith('.tmp'))) leftTemp++;
        const loaded = loadLatestCheckpoint(run.dir);
        if (loaded.fellBack) fellBack++;
        assertComplete(loaded.checkpoint);
        const it = loaded.checkpoint.iteration;
        assert.ok(it >= previous, `kill ${kill}: iteration went back from ${previous} to ${it}`);
        assert.ok(it >= lastDone && it <= lastBegun, `kill ${kill}: loaded ${it}, but the writer finished ${lastDone} and began ${lastBegun}`);
        previous = it;
      }
      assert.ok(previous > 0);
      // The metrics stream survived too: complete lines only, one per finished iteration.
      const metrics = readMetrics(run.dir);
      assert.equal(metrics.badLines.length, 0);
      const its = metrics.records.map((r) => r.iteration);
      assert.ok(its.every((v, i) => i === 0 || v > its[i - 1]), `metrics iterations not increasing: ${its}`);
      // Each line is appended after its checkpoint, so the stream ends at the checkpoint or one before.
      assert.ok(its.at(-1)! === previous || its.at(-1)! === previous - 1, `last metrics line ${its.at(-1)}, checkpoint ${previous}`);
      console.log(`${KILLS} kills: final iteration ${previous}, ${leftTemp} kills left a temporary file (killed mid-write), ${fellBack} fell back to prev`);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
