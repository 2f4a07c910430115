/**
 * ODE-Net versus ResNet versus RK-Net of the same block on Fashion-MNIST, the seed paper's
 * Table 1 scaled to a small CPU: each trained on a subset with Adam, then test error, parameter
 * count, NFE forward/backward per iteration, beside the paper's 1-layer MLP on the same pooled
 * pixels; and the memory the backward pass keeps (the
 * stored-bytes counter: states, stage inputs, block records, deterministic) with the live heap
 * at that moment, as a ResNet gets deeper and as the ODE block takes more solver steps.
 *
 *   node --expose-gc --no-concurrent-array-buffer-sweeping --import tsx bench/odeNet.ts [--train 2000] [--test 1000] [--iterations 1200]
 *        [--batch 32] [--channels 8] [--depth 6] [--head-pool 2] [--lr 0.01] [--rtol 0.001] [--seed 1]
 *        [--full] [--dir <folder of the IDX files>]
 *
 * --full: every training and test image, channels 16, 6000 iterations of 64 images (hours).
 * Without --expose-gc the heap column is left out; the second flag makes a collection free the
 * typed arrays' memory at once, so the heap column is the memory live at that moment.
 */
import { Rng } from '../engine/src/data/rng';
import type { GradientSpec } from '../engine/src/experiments/define';
import { odeNetTask, type OdeNetTask } from '../engine/src/experiments/odeNetTask';
import { LinearReadout } from '../engine/src/experiments/readout';
import { odeNet, odeNetLossAndGrad, type OdeNetGradient, type OdeNetOptions, type OdeNetSolver } from '../engine/src/odenet/index';
import { fashionMnistPoints } from '../engine/src/resnet/index';
import { createOptimizer } from '../engine/src/train/optimizers';
import { lrSchedule } from '../engine/src/train/schedules';
import { flag, has, text } from './flags';
import { formatTable } from './table';

const full = has('full');
const dir = text('dir');

const nTrain = flag('train', full ? 60000 : 2000);
const nTest = flag('test', full ? 10000 : 1000);
const iterations = flag('iterations', full ? 6000 : 1200);
const batchSize = flag('batch', full ? 64 : 32);
const channels = flag('channels', full ? 16 : 8);
const depth = flag('depth', 6);
const headPool = flag('head-pool', 2);
const lr = flag('lr', 1e-2);
const rtol = flag('rtol', 1e-3);
const seed = flag('seed', 1);
const gc = (globalThis as { gc?: () => void }).gc;

const train = fashionMnistPoints({ split: 'train', limit: nTrain, pool: 1, dir });
const test = fashionMnistPoints({ split: 'test', limit: nTest, pool: 1, dir });

interface Model {
  label: string;
  net: OdeNetOptions;
  solver?: OdeNetSolver;
  gradient: GradientSpec;
}
const dopri5 = { method: 'dopri5' as const, rtol, atol: rtol };
const models: Model[] = [
  { label: 'ODE-Net (adjoint)', net: { channels, headPool }, solver: dopri5, gradient: { method: 'adjoint' } },
  { label: `ResNet (${depth} blocks)`, net: { architecture: 'resnet', channels, depth, headPool }, gradient: { method: 'backprop' } },
  { label: 'RK-Net (backprop through dopri5)', net: { channels, headPool }, solver: dopri5, gradient: { method: 'backprop' } },
];

const mb = (bytes: number): string => (bytes / 2 ** 20).toFixed(2);

interface Trained {
  params: number;
  testError: number;
  nfeF: number;
  nfeB: number;
  firstNfeF: number;
  lastNfeF: number;
  stored: number;
  seconds: number;
}

async function trainOne(m: Model): Promise<Trained> {
  const net = odeNet({ ...m.net, seed });
  const exp = { train: { iterations, optimizer: { name: 'adam' as const, lr }, batchSize, seed }, solver: m.solver };
  const task: OdeNetTask = odeNetTask(exp, train, net, m.gradient);
  const n = net.params.length;
  const all = new Float64Array(n + task.extra.length);
  const opt = createOptimizer({ name: 'adam', lr });
  const schedule = lrSchedule(lr, { kind: 'cosine', tMax: iterations });
  const rng = new Rng(seed);
  let nfeF = 0;
  let nfeB = 0;
  let stored = 0;
  const window: number[] = [];
  let firstNfeF = 0;
  const t0 = performance.now();
  for (let it = 0; it < iterations; it++) {
    const r = await task.step(rng);
    const g = new Float64Array(all.length);
    g.set(r.gradParams);
    g.set(r.gradExtra, n);
    all.set(net.params);
    all.set(task.extra, n);
    opt.lr = schedule(it);
    opt.step(all, g);
    net.params.set(all.subarray(0, n));
    task.extra.set(all.subarray(n));
    nfeF += r.stats.nfeForward;
    nfeB += r.stats.nfeBackward;
    stored = Math.max(stored, r.stats.peakStoredBytes);
    window.push(r.stats.nfeForward);
    if (it === Math.min(19, iterations - 1)) firstNfeF = window.reduce((a, b) => a + b, 0) / window.length;
    if (window.length > 20) window.shift();
    if ((it + 1) % 50 === 0) process.stderr.write(`${m.label}: iteration ${it + 1}, loss ${r.loss.toFixed(3)}, NFE ${r.stats.nfeForward}/${r.stats.nfeBackward}\n`);
  }
  const seconds = (performance.now() - t0) / 1000;
  const ev = await task.evaluateOn(test);
  return {
    params: n + task.extra.length,
    testError: 1 - ev.accuracy!,
    nfeF: nfeF / iterations,
    nfeB: nfeB / iterations,
    firstNfeF,
    lastNfeF: window.reduce((a, b) => a + b, 0) / window.length,
    stored,
    seconds,
  };
}

/** The networks' input: images average-pooled 2 × 2 to 14 × 14 (the networks' default pool). */
function pooled2(x: Float64Array): Float64Array {
  const n = x.length / 784;
  const out = new Float64Array(n * 196);
  for (let s = 0; s < n; s++) {
    for (let r = 0; r < 14; r++) {
      for (let c = 0; c < 14; c++) {
        const i = s * 784 + 2 * r * 28 + 2 * c;
        out[s * 196 + r * 14 + c] = (x[i] + x[i + 1] + x[i + 28] + x[i + 29]) / 4;
      }
    }
  }
  return out;
}

/**
 * The paper's 1-layer MLP baseline on the same 14 × 14 pixels: 196 → hidden (ReLU) → 10, the
 * same optimiser, schedule and batches. Its backward pass is the two layers' by hand.
 */
function trainMlp(hidden: number): { params: number; testError: number; seconds: number } {
  const D = 196;
  const xs = pooled2(train.x);
  const xt = pooled2(test.x);
  const rng = new Rng(seed);
  const W = new Float64Array(hidden * D + hidden);
  const bound = 1 / Math.sqrt(D);
  for (let i = 0; i < W.length; i++) W[i] = rng.uniform(-bound, bound);
  const readout = new LinearReadout(hidden, 10, 'crossEntropy', seed + 1);
  const forward = (x: Float64Array, B: number): Float64Array => {
    const h = new Float64Array(B * hidden);
    for (let s = 0; s < B; s++) {
      for (let u = 0; u < hidden; u++) {
        let a = W[hidden * D + u];
        for (let d = 0; d < D; d++) a += W[u * D + d] * x[s * D + d];
        h[s * hidden + u] = a > 0 ? a : 0;
      }
    }
    return h;
  };
  const all = new Float64Array(W.length + readout.params.length);
  const opt = createOptimizer({ name: 'adam', lr });
  const schedule = lrSchedule(lr, { kind: 'cosine', tMax: iterations });
  const labels = Int32Array.from(train.labels!);
  const t0 = performance.now();
  for (let it = 0; it < iterations; it++) {
    const index = rng.choice(train.n, batchSize);
    const x = new Float64Array(batchSize * D);
    index.forEach((i, s) => x.set(xs.subarray(i * D, (i + 1) * D), s * D));
    const h = forward(x, batchSize);
    const r = readout.lossAndGrad(h, Int32Array.from(index, (i) => labels[i]));
    const g = new Float64Array(all.length);
    for (let s = 0; s < batchSize; s++) {
      for (let u = 0; u < hidden; u++) {
        const gh = h[s * hidden + u] > 0 ? r.gradY[s * hidden + u] : 0;
        if (gh === 0) continue;
        g[hidden * D + u] += gh;
        for (let d = 0; d < D; d++) g[u * D + d] += gh * x[s * D + d];
      }
    }
    g.set(r.gradParams, W.length);
    all.set(W);
    all.set(readout.params, W.length);
    opt.lr = schedule(it);
    opt.step(all, g);
    W.set(all.subarray(0, W.length));
    readout.params.set(all.subarray(W.length));
  }
  const seconds = (performance.now() - t0) / 1000;
  const ev = readout.evaluate(forward(xt, test.n), Int32Array.from(test.labels!));
  return { params: all.length, testError: 1 - ev.accuracy, seconds };
}

/** One gradient of a fresh network on the first batch: stored bytes, and the live heap while the tape is full. */
async function memoryOf(net: OdeNetOptions, solver: OdeNetSolver | undefined, gradient: OdeNetGradient): Promise<{ nfe: number; stored: number; heap: number | null }> {
  const model = odeNet({ ...net, seed });
  const x = train.x.subarray(0, batchSize * train.dim);
  const target = Int32Array.from(train.labels!.subarray(0, batchSize));
  let heap: number | null = null;
  // Float64Arrays live outside the JS heap: count both
  const live = (): number => {
    const u = process.memoryUsage();
    return u.heapUsed + u.arrayBuffers;
  };
  if (gc) {
    gc();
    await new Promise((r) => setImmediate(r));
    gc();
  }
  const base = live();
  const sample = (): void => {
    if (!gc) return;
    gc();
    heap = Math.max(heap ?? -Infinity, live() - base);
  };
  // Sampled where the tape is fullest (the readout runs between the forward and the backward
  // pass) and at every VJP of the backward pass (the adjoint's peak is in its backward solve).
  const readout = new (class extends LinearReadout {
    override lossAndGrad(y: Float64Array, t: Int32Array): ReturnType<LinearReadout['lossAndGrad']> {
      sample();
      return super.lossAndGrad(y, t);
    }
  })(model.features, 10, 'crossEntropy', seed);
  const field = model.field;
  if (field) {
    const { vjp, fAndVjp } = field;
    field.vjp = (t, y, a) => {
      sample();
      return vjp.call(field, t, y, a);
    };
    field.fAndVjp = (t, y, a) => {
      sample();
      return fAndVjp.call(field, t, y, a);
    };
  }
  const r = await odeNetLossAndGrad(model, readout, x, target, { solver, gradient });
  return { nfe: r.stats.nfeForward, stored: r.stats.peakStoredBytes, heap };
}

(async () => {
  console.log(
    `Data: Fashion-MNIST, first ${train.n} training and ${test.n} test images (28 × 28, average-pooled 2 × 2 to 14 × 14 inside the network).\n` +
      `Networks: downsampling conv3x3 1→${channels} on 14 × 14, GN, ReLU, 2 × 2 average pooling to 7 × 7; the block GN-ReLU-conv3x3-GN-ReLU-conv3x3-GN (${channels} channels, the ODE block's convolutions read t); ` +
      `head GN, ReLU, average pooling over ${headPool} × ${headPool} regions (${channels * headPool * headPool} features), linear → 10.\nTraining: Adam lr ${lr}, cosine decay, batch ${batchSize}, ${iterations} iterations, seed ${seed}; ODE solves dopri5 at rtol = atol = ${rtol}.\n`,
  );
  const rows: string[][] = [];
  const counts: number[] = [];
  for (const m of models) {
    const r = await trainOne(m);
    counts.push(r.params);
    rows.push([
      m.label,
      String(r.params),
      (100 * r.testError).toFixed(2),
      r.nfeF.toFixed(1),
      `${r.firstNfeF.toFixed(1)} → ${r.lastNfeF.toFixed(1)}`,
      r.nfeB.toFixed(1),
      mb(r.stored),
      r.seconds.toFixed(0),
    ]);
  }
  // hidden units for about the ODE-Net's parameters (the paper's MLP is near its ODE-Net's size), and for the ResNet's
  for (const target of [counts[0], counts[1]]) {
    const hidden = Math.max(1, Math.round((target - 10) / (196 + 1 + 10)));
    const r = trainMlp(hidden);
    rows.push([`1-layer MLP (196 → ${hidden} → 10)`, String(r.params), (100 * r.testError).toFixed(2), '-', '-', '-', '-', r.seconds.toFixed(0)]);
  }
  console.log(
    formatTable(
      [
        { header: 'model', align: 'left' },
        { header: 'params' },
        { header: 'test error %' },
        { header: 'NFE-F/iter' },
        { header: 'NFE-F first → last 20' },
        { header: 'NFE-B/iter' },
        { header: 'stored MiB' },
        { header: 'train s' },
      ],
      rows,
    ),
  );

  const mem: string[][] = [];
  for (const L of [2, 6, 18]) {
    const r = await memoryOf({ architecture: 'resnet', channels, depth: L, headPool }, undefined, { method: 'backprop' });
    mem.push([`ResNet, ${L} blocks`, String(r.nfe), mb(r.stored), r.heap === null ? '-' : mb(r.heap)]);
  }
  for (const [label, gradient] of [
    ['ODE-Net (adjoint)', 'adjoint'],
    ['RK-Net (backprop)', 'backprop'],
  ] as const) {
    for (const steps of [2, 8, 32]) {
      const r = await memoryOf({ channels, headPool }, { method: 'rk4', options: { stepSize: 1 / steps } }, { method: gradient });
      mem.push([`${label}, rk4 × ${steps} steps`, String(r.nfe), mb(r.stored), r.heap === null ? '-' : mb(r.heap)]);
    }
    for (const tol of [1e-2, 1e-4, 1e-6]) {
      const r = await memoryOf({ channels, headPool }, { method: 'dopri5', rtol: tol, atol: tol }, { method: gradient });
      mem.push([`${label}, dopri5 rtol ${tol}`, String(r.nfe), mb(r.stored), r.heap === null ? '-' : mb(r.heap)]);
    }
  }
  console.log(`\nMemory of one gradient (batch ${batchSize}, untrained networks): bytes kept for the backward pass, and the live heap while they are held.`);
  console.log(
    formatTable(
      [{ header: 'model', align: 'left' }, { header: 'NFE-F' }, { header: 'stored MiB' }, { header: gc ? 'live heap MiB' : 'live heap (run with --expose-gc)' }],
      mem,
    ),
  );
})();
