/**
 * Run folders for the scale benchmark (bench/curvesScale.ts): metrics.jsonl files as the trainer
 * writes them (one line per iteration, an evaluation every `evalEvery`), of any length, and many
 * finished runs in one runs folder. Seeded, so every benchmark run reads the same files.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CONFIG_FILE, formatMetricsLine, METRICS_FILE, RESULT_FILE } from '../engine/src/train';

/** A small seeded generator in [0, 1) (the numbers only need to look like training). */
function uniform(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (Math.imul(a, 1664525) + 1013904223) >>> 0;
    return a / 4294967296;
  };
}

/** Lines of a training run from `from` to `to`: a decaying noisy loss, NFE drifting up, ~200 bytes each. */
export function metricsLines(from: number, to: number, opts: { evalEvery?: number; seed?: number } = {}): string {
  const rand = uniform(opts.seed ?? 1);
  const evalEvery = opts.evalEvery ?? 50;
  const out: string[] = [];
  for (let it = from; it <= to; it++) {
    const loss = 0.05 + Math.exp(-it / 2e5) * (0.5 + 0.4 * rand());
    out.push(
      formatMetricsLine({
        iteration: it,
        loss,
        ...(it % evalEvery === 0 ? { evalLoss: loss * (0.9 + 0.2 * rand()) } : {}),
        nfeForward: 26 + Math.floor(it / 1e5) + (rand() < 0.1 ? 6 : 0),
        nfeBackward: 38 + Math.floor(it / 1e5),
        wallSeconds: it * 0.004,
        iterationSeconds: 0.003 + 0.002 * rand(),
        lr: 1e-3,
        gradNorm: 0.1 * rand(),
        steps: 5,
        rejected: 0,
      }),
    );
  }
  return out.join('');
}

/** Writes `iterations` lines to `file` in blocks (never the whole text in memory at once). */
export function writeMetricsFile(file: string, iterations: number, opts: { evalEvery?: number; seed?: number } = {}): void {
  const fd = fs.openSync(file, 'w');
  try {
    const block = 20_000;
    for (let from = 1; from <= iterations; from += block) {
      fs.writeSync(fd, metricsLines(from, Math.min(iterations, from + block - 1), { ...opts, seed: (opts.seed ?? 1) + from }));
    }
  } finally {
    fs.closeSync(fd);
  }
}

/** A finished run folder: config.json as the trainer writes it, metrics, result.json. */
export function writeRun(root: string, id: string, iterations: number, createdAt: Date): string {
  const dir = path.join(root, id);
  fs.mkdirSync(dir, { recursive: true });
  const config = {
    id,
    experiment: 'spiral',
    createdAt: createdAt.toISOString(),
    engineVersion: '0.1.0',
    config: {
      name: 'spiral',
      file: '/ws/spiral.ode.ts',
      task: 'trajectory',
      data: { name: 'spiral', n: 1000, dim: 2, fingerprint: 'f'.repeat(16) },
      model: { kind: 'mlp', params: 252, dim: 2, activation: 'tanh', layers: [{ name: 'W1', shape: [50, 2] }, { name: 'W2', shape: [2, 50] }] },
      solver: { method: 'dopri5', rtol: 1e-7, atol: 1e-9 },
      gradient: 'backprop',
      train: { iterations, optimizer: { name: 'rmsprop', lr: 1e-3 }, batchTime: 10, batchSize: 20, evalEvery: 20, checkpointEvery: 20 },
    },
  };
  fs.writeFileSync(path.join(dir, CONFIG_FILE), JSON.stringify(config, null, 2));
  writeMetricsFile(path.join(dir, METRICS_FILE), iterations, { evalEvery: 20, seed: createdAt.getTime() % 1e6 });
  fs.writeFileSync(path.join(dir, RESULT_FILE), JSON.stringify({ status: 'finished', iterations, finalLoss: 0.1, finishedAt: createdAt.toISOString() }));
  return dir;
}

/** `count` finished runs of `iterations` lines each under root, one a minute apart. */
export function writeRuns(root: string, count: number, iterations: number): void {
  const start = Date.UTC(2026, 10, 1);
  for (let k = 0; k < count; k++) {
    const at = new Date(start + k * 60_000);
    const stamp = at.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
    writeRun(root, `${stamp}-spiral-${k.toString(16).padStart(4, '0')}`, iterations, at);
  }
}
