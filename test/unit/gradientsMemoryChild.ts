// Run by gradientsMemory.test.ts in a fresh `node --expose-gc` process: the peak of live
// ArrayBuffer bytes (after a full collection, sampled at every evaluation of the field) during
// one odeintGrad call, for a number of steps given on the command line.
import { odeintGrad, type GradientMethod } from '../../engine/src/gradients/index';
import type { NativeField } from '../../engine/src/fields/field';
import { mlp2d, randomArray, uniform } from './gradientProblems';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');
const collect = gc;

function sampled(field: NativeField, onCall: () => void): NativeField {
  return {
    kind: 'native',
    params: field.params,
    f: (t, y) => (onCall(), field.f(t, y)),
    vjp: (t, y, a) => (onCall(), field.vjp(t, y, a)),
  };
}

async function peakBytes(gradient: GradientMethod, steps: number): Promise<number> {
  const batch = 1000;
  const rand = uniform(5);
  const y0 = randomArray(2 * batch, rand);
  const t = [0, 1, 2];
  const cots = [null, randomArray(2 * batch, rand), randomArray(2 * batch, rand)];
  let peak = 0;
  collect();
  const base = process.memoryUsage().arrayBuffers;
  // A full collection costs milliseconds: sample every 7th call (7 is prime to the 4 stages and
  // the 2 calls of an augmented evaluation, so the samples visit every point of a step).
  let calls = 0;
  const field = sampled(mlp2d(4, 7), () => {
    if (++calls % 7 !== 0) return;
    collect();
    peak = Math.max(peak, process.memoryUsage().arrayBuffers - base);
  });
  const opts = { method: 'rk4', options: { stepSize: 2 / steps } };
  const r = await odeintGrad(field, y0, t, cots, { ...opts, gradient, adjointOptions: opts });
  if (r.stats.nAccepted !== steps) throw new Error(`expected ${steps} steps, took ${r.stats.nAccepted}`);
  return peak;
}

async function main(): Promise<void> {
  const [gradient, ...counts] = process.argv.slice(2);
  const out: Record<string, number> = {};
  for (const c of counts) out[c] = await peakBytes(gradient as GradientMethod, Number(c));
  process.stdout.write(JSON.stringify(out));
}

main().catch((e) => {
  process.stderr.write(String(e?.stack ?? e));
  process.exit(1);
});
