/**
 * The benchmark's problems: f(t, y) = tanh(y W1ᵀ + b1) W2ᵀ + b2 with state 2, at several
 * batch × hidden sizes. 256×64 uses the peer's own inputs (so answers can be checked against
 * its recorded outputs); the other sizes use seeded weights drawn like them.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { normalSampler } from './prng';

export const STATE_DIM = 2;

export interface MlpProblem {
  /** "batch×hidden", e.g. "256x64". */
  readonly name: string;
  readonly batch: number;
  readonly hidden: number;
  /** Row-major float32 values held in float64: W1 [hidden, 2], W2 [2, hidden]. */
  readonly W1: Float64Array;
  readonly b1: Float64Array;
  readonly W2: Float64Array;
  readonly b2: Float64Array;
  /** Initial states, batch-major: y0[2·i + j] is component j of sample i. */
  readonly y0: Float64Array;
  /** Where the numbers come from, for the report. */
  readonly source: string;
  /** The peer's recorded y(T) by case key (see `referenceKey`), when it has any. */
  readonly reference: ReadonlyMap<string, Float64Array>;
}

/** How Python prints a float (repr): 1e-05, 0.05, 1e-07. The reference file's keys use it. */
function pythonFloat(x: number): string {
  const exponent = Math.floor(Math.log10(Math.abs(x)));
  if (x === 0 || (exponent >= -4 && exponent < 16)) return String(x);
  const [mantissa, exp] = x.toExponential().split('e');
  const e = Number(exp);
  return `${mantissa}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
}

/** The key under which `reference_outputs.json` stores a forward case. */
export function referenceKey(method: string, T: number, rtol?: number, atol?: number, stepSize?: number): string {
  if (method === 'rk4') return `rk4_h${pythonFloat(stepSize ?? 0)}_T${T}`;
  return `${method}_rtol${pythonFloat(rtol ?? 0)}_atol${pythonFloat(atol ?? 0)}_T${T}`;
}

/** The folder with the peer's inputs and outputs: $NEURAL_ODE_PEER_DATA, else ../shared/peer. */
export function peerDataDir(): string {
  const fromEnv = process.env.NEURAL_ODE_PEER_DATA;
  if (fromEnv) return resolve(fromEnv);
  const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  return resolve(repoRoot, '..', 'shared', 'peer');
}

const flat = (rows: number[][] | number[]): Float64Array =>
  Float64Array.from((rows as (number | number[])[]).flat());

/** 256×64 from the peer's files; null (with the reason) when they are missing. */
export function loadPeerProblem(dir: string): { problem: MlpProblem | null; note: string } {
  const inputs = join(dir, 'bench_inputs.json');
  const outputs = join(dir, 'reference_outputs.json');
  if (!existsSync(inputs)) {
    return { problem: null, note: `no ${inputs}; 256x64 uses seeded weights (set NEURAL_ODE_PEER_DATA to the folder with bench_inputs.json)` };
  }
  const data = JSON.parse(readFileSync(inputs, 'utf8')) as Record<string, number[][] | number[]>;
  const reference = new Map<string, Float64Array>();
  if (existsSync(outputs)) {
    const out = JSON.parse(readFileSync(outputs, 'utf8')) as { forward?: Record<string, number[][]> };
    for (const [key, rows] of Object.entries(out.forward ?? {})) reference.set(key, flat(rows));
  }
  const W1 = flat(data.W1);
  const y0 = flat(data.y0);
  const problem: MlpProblem = {
    name: `${y0.length / STATE_DIM}x${W1.length / STATE_DIM}`,
    batch: y0.length / STATE_DIM,
    hidden: W1.length / STATE_DIM,
    W1,
    b1: flat(data.b1),
    W2: flat(data.W2),
    b2: flat(data.b2),
    y0,
    source: inputs,
    reference,
  };
  const note = reference.size > 0 ? `answers checked against ${outputs}` : `no ${outputs}: answers compared with the live peer only`;
  return { problem, note };
}

/**
 * Seeded weights drawn like the peer's: W1, b1 ~ N(0, 1/2), W2, b2 ~ N(0, 1/hidden),
 * y0 ~ N(0, 1), each value rounded to float32.
 */
export function generateProblem(batch: number, hidden: number, seed: number): MlpProblem {
  const normal = normalSampler(seed);
  const draw = (n: number, variance: number) => Float64Array.from({ length: n }, () => normal(variance));
  return {
    name: `${batch}x${hidden}`,
    batch,
    hidden,
    W1: draw(hidden * STATE_DIM, 1 / STATE_DIM),
    b1: draw(hidden, 1 / STATE_DIM),
    W2: draw(STATE_DIM * hidden, 1 / hidden),
    b2: draw(STATE_DIM, 1 / hidden),
    y0: draw(batch * STATE_DIM, 1),
    source: `seeded (mulberry32, seed ${seed})`,
    reference: new Map(),
  };
}

/** The problem as the peer reads it: nested row-major lists, like bench_inputs.json. */
export function problemToJson(p: MlpProblem): string {
  const rows = (a: Float64Array, cols: number) =>
    Array.from({ length: a.length / cols }, (_, i) => Array.from(a.subarray(i * cols, (i + 1) * cols)));
  return JSON.stringify({
    W1: rows(p.W1, STATE_DIM),
    b1: Array.from(p.b1),
    W2: rows(p.W2, p.hidden),
    b2: Array.from(p.b2),
    y0: rows(p.y0, STATE_DIM),
  });
}
