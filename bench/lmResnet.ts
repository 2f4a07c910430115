/**
 * ResNet versus LM-ResNet at (nearly) equal parameter count on a Fashion-MNIST subset scaled to
 * a small CPU: pooled 14 × 14 inputs, a few thousand training images, a few epochs, several
 * seeds; with and without stochastic depth. Prints test accuracy as mean ± standard deviation
 * over seeds, and the paired difference LM − ResNet (same seed: same shared initial weights,
 * same mini-batches).
 *
 *   node --import tsx bench/lmResnet.ts [--seeds 6] [--epochs 10] [--train 6000] [--test 5000]
 *        [--depth 12] [--width 32] [--hidden 32] [--pool 2] [--lr 0.002] [--batch 64]
 *        [--survival 0.5] [--rk] [--synthetic] [--dir <folder of the IDX files>]
 *
 * Without the Fashion-MNIST files (Debian: apt-get install dataset-fashion-mnist) it says so
 * and runs a synthetic task instead (nested spheres in 16 dimensions).
 */
import { DataError } from '../engine/src/data/errors';
import { nestedSpheres } from '../engine/src/data/toys2d';
import type { PointData } from '../engine/src/data/types';
import { DiscreteNetwork, fashionMnistPoints, standardize, trainClassifier, type DiscreteNetworkOptions } from '../engine/src/resnet/index';
import { flag, has, text } from './flags';
import { formatTable } from './table';

/** The folder of the four Fashion-MNIST IDX files (default: the Debian package's). */
const dir = text('dir');

const seeds = flag('seeds', 6);
const epochs = flag('epochs', 10);
const nTrain = flag('train', 6000);
const nTest = flag('test', 5000);
const depth = flag('depth', 12);
const width = flag('width', 32);
const hidden = flag('hidden', 32);
const pool = flag('pool', 2) as 1 | 2 | 4 | 7;
const lr = flag('lr', 2e-3);
const batchSize = flag('batch', 64);
const finalSurvival = flag('survival', 0.5);

function loadData(): { train: PointData; test: PointData; what: string } {
  if (!has('synthetic')) {
    try {
      const [train, test] = standardize(fashionMnistPoints({ split: 'train', limit: nTrain, pool, dir }), fashionMnistPoints({ split: 'test', limit: nTest, pool, dir }));
      return { train, test, what: `Fashion-MNIST, first ${train.n} training and ${test.n} test images, ${28 / pool}×${28 / pool} average-pooled, standardised` };
    } catch (err) {
      if (!(err instanceof DataError && err.kind === 'missing')) throw err;
      console.warn(`Fashion-MNIST is not available: ${err.message}\nRunning the synthetic task instead; its numbers say nothing about Fashion-MNIST.\n`);
    }
  }
  const all = nestedSpheres({ n: nTrain + nTest, dim: 16, seed: 7 });
  const cut = (from: number, to: number, name: string): PointData => ({
    name,
    n: to - from,
    dim: all.dim,
    x: all.x.slice(from * all.dim, to * all.dim),
    labels: all.labels!.slice(from, to),
  });
  return { train: cut(0, nTrain, 'spheres-train'), test: cut(nTrain, nTrain + nTest, 'spheres-test'), what: `synthetic: nested spheres in 16 dimensions, ${nTrain} training and ${nTest} test points` };
}

const { train, test, what } = loadData();

interface Config {
  label: string;
  opts: Omit<DiscreteNetworkOptions, 'seed' | 'inputDim'>;
}
const common = { width, hidden, depth, activation: 'relu' as const };
const configs: Config[] = [
  { label: 'ResNet', opts: { ...common, architecture: 'resnet' } },
  { label: 'LM-ResNet', opts: { ...common, architecture: 'lm' } },
  { label: 'ResNet + stochastic depth', opts: { ...common, architecture: 'resnet', stochasticDepth: { finalSurvival } } },
  { label: 'LM-ResNet + stochastic depth', opts: { ...common, architecture: 'lm', stochasticDepth: { finalSurvival } } },
];
if (has('rk')) configs.push({ label: 'RK-Net (midpoint)', opts: { ...common, architecture: 'rk', method: 'midpoint' } });

const mean = (v: number[]): number => v.reduce((a, b) => a + b, 0) / v.length;
const std = (v: number[]): number => {
  if (v.length < 2) return 0;
  const m = mean(v);
  return Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / (v.length - 1));
};
const pct = (x: number): string => (100 * x).toFixed(2);

console.log(`Data: ${what}.`);
console.log(`Networks: input ${train.dim} → ${width}, ${depth} residual layers (MLP blocks ${width}→${hidden}→${width}, ReLU), softmax head; `);
console.log(`Adam lr ${lr} with cosine decay to 0, batch ${batchSize}, ${epochs} epochs, seeds 1…${seeds}; stochastic depth p_L = ${finalSurvival} (linear decay).\n`);

const results = new Map<string, { acc: number[]; trainAcc: number[]; seconds: number[]; params: number; k: number[]; kAll: number[] }>();
for (const c of configs) {
  const r = { acc: [] as number[], trainAcc: [] as number[], seconds: [] as number[], params: 0, k: [] as number[], kAll: [] as number[] };
  for (let seed = 1; seed <= seeds; seed++) {
    const net = new DiscreteNetwork({ ...c.opts, inputDim: train.dim, seed });
    const steps = epochs * Math.floor(train.n / batchSize);
    const out = trainClassifier(net, train, { optimizer: { name: 'adam', lr }, schedule: { kind: 'cosine', tMax: steps }, epochs, batchSize, seed, test });
    r.acc.push(out.testAccuracy!);
    r.trainAcc.push(out.trainAccuracy);
    r.seconds.push(out.seconds);
    r.params = net.params.length + out.head.params.length;
    if (c.opts.architecture === 'lm') {
      r.k.push(mean(Array.from(net.param('k'))));
      r.kAll.push(...net.param('k'));
    }
    process.stderr.write(`${c.label}, seed ${seed}: test ${pct(out.testAccuracy!)} %, train ${pct(out.trainAccuracy)} %, ${out.seconds.toFixed(1)} s\n`);
  }
  results.set(c.label, r);
}

const rows = configs.map((c) => {
  const r = results.get(c.label)!;
  return [
    c.label,
    String(r.params),
    `${pct(mean(r.acc))} ± ${pct(std(r.acc))}`,
    `${pct(Math.min(...r.acc))}–${pct(Math.max(...r.acc))}`,
    `${pct(mean(r.trainAcc))}`,
    r.k.length ? mean(r.k).toFixed(3) : '-',
    r.kAll.length ? `${Math.min(...r.kAll).toFixed(3)} … ${Math.max(...r.kAll).toFixed(3)}` : '-',
    mean(r.seconds).toFixed(1),
  ];
});
console.log(
  formatTable(
    [
      { header: 'network', align: 'left' },
      { header: 'params' },
      { header: 'test acc % (mean ± sd)' },
      { header: 'min–max' },
      { header: 'train acc %' },
      { header: 'mean k_n' },
      { header: 'k_n range' },
      { header: 's/run' },
    ],
    rows,
  ),
);

const paired = (a: string, b: string): string => {
  const x = results.get(a)!.acc;
  const y = results.get(b)!.acc;
  const d = x.map((v, i) => v - y[i]);
  const wins = d.filter((v) => v > 0).length;
  const se = std(d) / Math.sqrt(d.length);
  return `${a} − ${b}: ${(100 * mean(d)).toFixed(2)} points, sd ${(100 * std(d)).toFixed(2)}, standard error ${(100 * se).toFixed(2)} over ${d.length} paired seeds; ahead in ${wins} of ${d.length}`;
};
console.log('\nPaired differences of test accuracy:');
console.log('  ' + paired('LM-ResNet', 'ResNet'));
console.log('  ' + paired('LM-ResNet + stochastic depth', 'ResNet + stochastic depth'));
console.log('  ' + paired('ResNet + stochastic depth', 'ResNet'));
console.log('  ' + paired('LM-ResNet + stochastic depth', 'LM-ResNet'));
