/**
 * RNODE's regularisers (train.regularize) against none, over several seeds, on two tasks:
 * the CNF of examples/cnf.ode.ts (8 Gaussians, NLL in nats, adjoint) and the spiral fit of
 * examples/spiral.ode.ts (ode_demo's L1 loss, backprop). Each run trains through the trainer;
 * the table gives the final evaluation loss (the NLL of every training point, or the trajectory
 * loss), NFE per iteration (forward + backward) over the first and the last 10 iterations, and
 * wall time, as mean ± sample standard deviation over the seeds. RNODE's claim, for reference:
 * the same NLL within 2 % with at least 2× fewer evaluations per iteration at the end of training.
 *
 *   node --import tsx bench/regularize.ts [--seeds 3] [--cnf-iters 200] [--spiral-iters 300] [--lambda 0.01] [--only cnf,spiral] [--json out.json]
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cnfField } from '../engine/src/cnf/cnfField';
import { eightGaussians } from '../engine/src/data/toys2d';
import { spiral } from '../engine/src/data/spiral';
import { defineExperiment, type ExperimentSpec } from '../engine/src/experiments/define';
import { trainExperiment } from '../engine/src/experiments/trainer';
import { mapInput } from '../engine/src/fields/mapInput';
import { mlpField } from '../engine/src/fields/mlpField';
import { readMetrics } from '../engine/src/train/runStore';
import { flag, text } from './flags';
import { formatTable } from './table';

const seeds = flag('seeds', 3);
const cnfIters = flag('cnf-iters', 200);
const spiralIters = flag('spiral-iters', 300);
const lambda = flag('lambda', 0.01);
const only = text('only')?.split(',');
const jsonOut = text('json');
/** Iterations averaged for NFE at the start and at the end. */
const EDGE = 10;

type Regularize = ExperimentSpec['train']['regularize'];

const tasks: { name: string; spec: (seed: number, regularize: Regularize) => ExperimentSpec }[] = [
  {
    name: 'cnf',
    spec: (seed, regularize) => ({
      name: 'cnf',
      data: () => eightGaussians({ n: 2000, seed: 0 }),
      model: () => cnfField({ dim: 2, hidden: [32, 32], time: 0.5, seed: 1 + seed }),
      solver: { method: 'dopri5', rtol: 1e-5, atol: 1e-5 },
      gradient: 'adjoint',
      train: { iterations: cnfIters, optimizer: { name: 'adam', lr: 5e-3 }, batchSize: 128, evalEvery: cnfIters, checkpointEvery: cnfIters, seed, regularize },
    }),
  },
  {
    name: 'spiral',
    spec: (seed, regularize) => ({
      name: 'spiral',
      data: () => spiral(),
      model: () => mapInput(mlpField({ sizes: [2, 50, 2], activation: 'tanh', seed }), (x) => x ** 3, (x) => 3 * x * x),
      solver: { method: 'dopri5', rtol: 1e-7, atol: 1e-9 },
      gradient: 'backprop',
      train: { iterations: spiralIters, optimizer: { name: 'rmsprop', lr: 1e-3 }, batchTime: 10, batchSize: 20, loss: 'l1', evalEvery: spiralIters, checkpointEvery: spiralIters, seed, regularize },
    }),
  },
];

interface Result {
  task: string;
  variant: string;
  seed: number;
  evalLoss: number;
  nfeStart: number;
  nfeEnd: number;
  seconds: number;
}

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
const sd = (xs: number[]): number => (xs.length < 2 ? 0 : Math.sqrt(xs.reduce((s, x) => s + (x - mean(xs)) ** 2, 0) / (xs.length - 1)));
const pm = (xs: number[], digits: number): string => `${mean(xs).toFixed(digits)} ± ${sd(xs).toFixed(digits)}`;

async function run(): Promise<void> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'neural-ode-bench-regularize-'));
  const results: Result[] = [];
  const variants: { name: string; regularize: Regularize }[] = [
    { name: 'none', regularize: undefined },
    { name: `kinetic + jacobian, λ = ${lambda}`, regularize: { kinetic: lambda, jacobian: lambda } },
  ];
  try {
    for (const task of tasks.filter((t) => !only || only.includes(t.name))) {
      for (let seed = 0; seed < seeds; seed++) {
        for (const v of variants) {
          const t0 = performance.now();
          const out = await trainExperiment(defineExperiment(task.spec(seed, v.regularize)), { runsRoot: root });
          const seconds = (performance.now() - t0) / 1000;
          if (out.status !== 'finished') throw new Error(`${task.name} seed ${seed} ${v.name}: ${out.status}: ${out.message}`);
          const m = readMetrics(out.runDir).records;
          const nfe = (r: (typeof m)[number]): number => Number(r.nfeForward) + Number(r.nfeBackward);
          const r: Result = { task: task.name, variant: v.name, seed, evalLoss: out.evalLoss ?? NaN, nfeStart: mean(m.slice(0, EDGE).map(nfe)), nfeEnd: mean(m.slice(-EDGE).map(nfe)), seconds };
          results.push(r);
          process.stderr.write(`${task.name} seed ${seed} ${v.name}: loss ${r.evalLoss.toFixed(4)}, NFE ${r.nfeStart.toFixed(0)} → ${r.nfeEnd.toFixed(0)}, ${seconds.toFixed(1)} s\n`);
        }
      }
    }
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
  const rows: string[][] = [];
  for (const task of [...new Set(results.map((r) => r.task))]) {
    const base = results.filter((r) => r.task === task && r.variant === 'none');
    for (const v of variants) {
      const rs = results.filter((r) => r.task === task && r.variant === v.name);
      const endRatio = mean(base.map((r) => r.nfeEnd)) / mean(rs.map((r) => r.nfeEnd));
      const lossChange = mean(rs.map((r) => r.evalLoss)) / mean(base.map((r) => r.evalLoss)) - 1;
      rows.push([
        task,
        v.name,
        pm(rs.map((r) => r.evalLoss), 4),
        pm(rs.map((r) => r.nfeStart), 0),
        pm(rs.map((r) => r.nfeEnd), 0),
        `${endRatio.toFixed(2)}×`,
        `${(100 * lossChange).toFixed(1)} %`,
        pm(rs.map((r) => r.seconds), 1),
      ]);
    }
  }
  process.stdout.write(
    `RNODE regularisers vs none, ${seeds} seeds each (mean ± sd); ${os.cpus().length} cores, ${new Date().toISOString().slice(0, 16)} UTC\n\n` +
      formatTable(
        [
          { header: 'task', align: 'left' },
          { header: 'regularisers', align: 'left' },
          { header: 'final eval loss' },
          { header: `NFE/it first ${EDGE}` },
          { header: `NFE/it last ${EDGE}` },
          { header: 'fewer NFE at the end' },
          { header: 'loss vs none' },
          { header: 'wall s' },
        ],
        rows,
      ) +
      '\n',
  );
  if (jsonOut) fs.writeFileSync(jsonOut, JSON.stringify(results, null, 2));
}

run().catch((err: unknown) => {
  process.stderr.write(`bench/regularize: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
