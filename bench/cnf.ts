/**
 * A continuous normalising flow (FFJORD-style: concat-time MLP, exact trace or Hutchinson's
 * estimator, adjoint gradients) against a planar flow (Rezende & Mohamed) of about the same
 * number of parameters, by maximum likelihood on FFJORD's 2-D toys: 8 Gaussians, two moons,
 * checkerboard. Same data, batches, optimiser and iterations for every model; the NLL is
 * measured on held-out samples of the same generator (exact trace for the CNF), beside the
 * generator's own entropy (the lowest NLL any model can reach).
 *
 *   node --import tsx bench/cnf.ts [--iters 600] [--batch 128] [--lr 0.005] [--planar-lr 0.001] [--hidden 32]
 *        [--depth 2] [--time 0.5] [--tol 1e-5] [--test 10000] [--planar-long 20] [--gradient adjoint|backprop]
 *        [--hutchinson | --trace exact|hutchinson|both] [--only eightGaussians,moons,checkerboard] [--json out.json]
 */
import * as fs from 'node:fs';
import { cnfField, type TraceEstimator } from '../engine/src/cnf/cnfField';
import { cnfLogDensity, cnfSample } from '../engine/src/cnf/density';
import { planarFlow } from '../engine/src/cnf/planarFlow';
import { Rng } from '../engine/src/data/rng';
import { checkerboard, eightGaussians, moons } from '../engine/src/data/toys2d';
import type { PointData } from '../engine/src/data/types';
import { cnfTask } from '../engine/src/experiments/cnfTask';
import type { GradientMethod } from '../engine/src/gradients/types';
import { createOptimizer } from '../engine/src/train/optimizers';
import { lrSchedule } from '../engine/src/train/schedules';
import { flag, has, text } from './flags';
import { formatTable } from './table';


const iters = flag('iters', 600);
const batch = flag('batch', 128);
const lr = flag('lr', 5e-3);
/** Planar flows this deep diverge now and then at the CNF's rate (Rezende & Mohamed trained them with RMSprop for 500k steps). */
const planarLr = flag('planar-lr', 1e-3);
const width = flag('hidden', 32);
const depth = flag('depth', 2);
const time = flag('time', 0.5);
const tol = flag('tol', 1e-5);
const nTest = flag('test', 10000);
/** The planar flow is ~40× cheaper per iteration: it also trains this many times longer (about the CNF's wall time); 0 skips it. */
const planarLong = flag('planar-long', 20);
const gradient = (text('gradient') ?? 'adjoint') as GradientMethod;
const traceFlag = text('trace') ?? (has('hutchinson') ? 'both' : 'exact');
if (!['exact', 'hutchinson', 'both'].includes(traceFlag)) throw new Error(`--trace must be exact, hutchinson or both; got '${traceFlag}'.`);
const traces: TraceEstimator[] = traceFlag === 'both' ? ['exact', 'hutchinson'] : [traceFlag as TraceEstimator];
const only = text('only')?.split(',');
const jsonOut = text('json');

/** Training points: many, so that the models see fresh samples as FFJORD's (infinite-data) toys do. */
const N_TRAIN = 20000;

interface Toy {
  name: string;
  make: (n: number, seed: number) => PointData;
  /** The generator's density, for its entropy. */
  logDensity: (x: number, y: number) => number;
}

const logSumExp = (v: number[]): number => {
  const m = Math.max(...v);
  return m + Math.log(v.reduce((s, x) => s + Math.exp(x - m), 0));
};

/** Eight Gaussians: std 0.5/1.414 around 4·c/1.414, equal weights. */
const eightLogDensity = (() => {
  const s = 1 / Math.SQRT2;
  const c = [[1, 0], [-1, 0], [0, 1], [0, -1], [s, s], [s, -s], [-s, s], [-s, -s]].map(([a, b]) => [(4 * a) / 1.414, (4 * b) / 1.414]);
  const sd = 0.5 / 1.414;
  return (x: number, y: number) =>
    logSumExp(c.map(([a, b]) => -((x - a) ** 2 + (y - b) ** 2) / (2 * sd * sd) - Math.log(2 * Math.PI * sd * sd) - Math.log(8)));
})();

/** Two moons in the limit of many points: θ uniform on [0, π], Gaussian noise of std 2·0.1 after the scaling. */
const moonsLogDensity = (() => {
  const m = 400;
  const sd = 0.2;
  const centres: [number, number][] = [];
  for (let j = 0; j < m; j++) {
    const th = (Math.PI * (j + 0.5)) / m;
    centres.push([2 * Math.cos(th) - 1, 2 * Math.sin(th) - 0.2]);
    centres.push([2 * (1 - Math.cos(th)) - 1, 2 * (0.5 - Math.sin(th)) - 0.2]);
  }
  return (x: number, y: number) =>
    logSumExp(centres.map(([a, b]) => -((x - a) ** 2 + (y - b) ** 2) / (2 * sd * sd))) - Math.log(2 * Math.PI * sd * sd) - Math.log(centres.length);
})();

const TOYS: Toy[] = [
  { name: 'eightGaussians', make: (n, seed) => eightGaussians({ n, seed }), logDensity: eightLogDensity },
  { name: 'moons', make: (n, seed) => moons({ n, seed }), logDensity: moonsLogDensity },
  // 8 squares of side 2: uniform density 1/32 on them
  { name: 'checkerboard', make: (n, seed) => checkerboard({ n, seed }), logDensity: () => -Math.log(32) },
];

function entropy(toy: Toy, test: PointData): number {
  let s = 0;
  for (let i = 0; i < test.n; i++) s -= toy.logDensity(test.x[2 * i], test.x[2 * i + 1]);
  return s / test.n;
}

interface Row {
  data: string;
  model: string;
  params: number;
  nll: number;
  entropy: number;
  iters: number;
  nfeF: number;
  nfeB: number;
  /** NFE of the test-set density solve (exact trace). */
  nfeEval: number;
  seconds: number;
  msPerIter: number;
}

const cosine = (base: number, n: number) => lrSchedule(base, { kind: 'cosine', tMax: n, etaMin: base / 10 });
const schedule = cosine(lr, iters);

async function trainCnf(toy: Toy, train: PointData, test: PointData, trace: TraceEstimator, h: number): Promise<Row> {
  const field = cnfField({ dim: 2, hidden: Array(depth).fill(width), trace, time, seed: 1 });
  const task = cnfTask(
    { train: { iterations: iters, optimizer: { name: 'adam', lr }, batchSize: batch }, solver: { method: 'dopri5', rtol: tol, atol: tol } },
    train,
    field,
    { method: gradient },
  );
  const opt = createOptimizer({ name: 'adam', lr });
  const rng = new Rng(7);
  let nfeF = 0;
  let nfeB = 0;
  const t0 = performance.now();
  for (let it = 0; it < iters; it++) {
    opt.lr = schedule(it);
    const s = await task.step(rng);
    if (!Number.isFinite(s.loss)) throw new Error(`CNF on ${toy.name} diverged at iteration ${it}.`);
    opt.step(field.params, s.gradParams);
    nfeF += s.stats.nfeForward;
    nfeB += s.stats.nfeBackward;
    if ((it + 1) % 100 === 0) console.error(`  cnf/${trace} ${toy.name} ${it + 1}/${iters}: batch NLL ${s.loss.toFixed(3)}, NFE ${s.stats.nfeForward}/${s.stats.nfeBackward}`);
  }
  const seconds = (performance.now() - t0) / 1000;
  const ev = await cnfLogDensity(field, test.x, { rtol: tol, atol: tol, trace: 'exact' });
  const nll = -ev.logp.reduce((a, v) => a + v, 0) / test.n;
  // a sampling pass, so the bench also exercises the way back (N(0, I) → data)
  await cnfSample(field, 256, 3, { rtol: tol, atol: tol });
  return {
    data: toy.name,
    model: `CNF ${trace} [${Array(depth).fill(width).join(',')}]`,
    params: field.params.length,
    nll,
    entropy: h,
    iters,
    nfeF: nfeF / iters,
    nfeB: nfeB / iters,
    nfeEval: ev.nfe,
    seconds,
    msPerIter: (1000 * seconds) / iters,
  };
}

function trainPlanar(toy: Toy, train: PointData, test: PointData, layers: number, h: number, iters: number): Row {
  const planarSchedule = cosine(planarLr, iters);
  const flow = planarFlow({ dim: 2, layers, seed: 1 });
  const opt = createOptimizer({ name: 'adam', lr: planarLr });
  const rng = new Rng(7);
  const x = new Float64Array(batch * 2);
  const t0 = performance.now();
  for (let it = 0; it < iters; it++) {
    opt.lr = planarSchedule(it);
    const index = rng.choice(train.n, batch);
    index.forEach((i, s) => x.set(train.x.subarray(2 * i, 2 * i + 2), 2 * s));
    const r = flow.nllAndGrad(x);
    if (!Number.isFinite(r.loss)) throw new Error(`planar flow on ${toy.name} diverged at iteration ${it}.`);
    opt.step(flow.params, r.grad);
    if ((it + 1) % Math.ceil(iters / 6) === 0) console.error(`  planar ${toy.name} ${it + 1}/${iters}: batch NLL ${r.loss.toFixed(3)}`);
  }
  const seconds = (performance.now() - t0) / 1000;
  const logp = flow.logDensity(test.x);
  let nll = 0;
  for (const v of logp) nll -= v;
  flow.sample(256, 3);
  return {
    data: toy.name,
    model: `planar K=${layers}`,
    params: flow.params.length,
    nll: nll / logp.length,
    entropy: h,
    iters,
    nfeF: 0,
    nfeB: 0,
    nfeEval: 0,
    seconds,
    msPerIter: (1000 * seconds) / iters,
  };
}

async function main(): Promise<void> {
  const rows: Row[] = [];
  const cnfParams = cnfField({ dim: 2, hidden: Array(depth).fill(width) }).params.length;
  const layers = Math.round(cnfParams / 5);
  console.error(
    `CNF [${Array(depth).fill(width)}] (${cnfParams} parameters, T = ${time}, dopri5 rtol = atol = ${tol}, ${gradient}) against planar K = ${layers}; ` +
      `${iters} iterations, batch ${batch}, Adam lr ${lr} (planar ${planarLr}), cosine to lr/10.`,
  );
  for (const toy of TOYS) {
    if (only && !only.includes(toy.name)) continue;
    const train = toy.make(N_TRAIN, 1);
    const test = toy.make(nTest, 2);
    const h = entropy(toy, test);
    for (const trace of traces) rows.push(await trainCnf(toy, train, test, trace, h));
    rows.push(trainPlanar(toy, train, test, layers, h, iters));
    if (planarLong > 1) rows.push(trainPlanar(toy, train, test, layers, h, Math.round(planarLong * iters)));
  }
  const f = (v: number, d = 3) => v.toFixed(d);
  console.log(
    formatTable(
      [
        { header: 'data', align: 'left' }, { header: 'model', align: 'left' }, { header: 'params' }, { header: 'test NLL' },
        { header: 'entropy' }, { header: 'iters' }, { header: 'NFE fwd/it' }, { header: 'NFE bwd/it' }, { header: 'NFE test' }, { header: 'ms/it' }, { header: 'train s' },
      ],
      rows.map((r) => [
        r.data, r.model, String(r.params), f(r.nll), f(r.entropy), String(r.iters), r.nfeF ? f(r.nfeF, 1) : '-', r.nfeB ? f(r.nfeB, 1) : '-',
        r.nfeEval ? String(r.nfeEval) : '-', f(r.msPerIter, 1), f(r.seconds, 1),
      ]),
    ),
  );
  if (jsonOut) fs.writeFileSync(jsonOut, JSON.stringify({ iters, batch, lr, planarLr, width, depth, time, tol, gradient, rows }, null, 2));
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
