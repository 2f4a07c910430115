// Small fields with hand-written VJPs for the gradient tests, and finite differences of a loss
// L = Σ_i ⟨c_i, y(t_i)⟩ computed by odeint.
import assert from 'node:assert/strict';
import type { NativeField } from '../../engine/src/fields/field';
import { odeint, type OdeintOptions, type StepReport } from '../../engine/src/index';

/** A seeded generator in [-1, 1) (mulberry32), so every test sees the same numbers. */
export function uniform(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let x = s;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return (((x ^ (x >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  };
}

export const randomArray = (n: number, rand: () => number, scale = 1): Float64Array =>
  Float64Array.from({ length: n }, () => scale * rand());

/**
 * f(t, y) = A·y + b·g(t), θ = (A row-major, b); g(t) = t, or a unit step at `jumpAt` (f then
 * jumps in t there).
 */
export function linearField(n: number, seed: number, jumpAt?: number): NativeField {
  const rand = uniform(seed);
  const params = randomArray(n * n + n, rand, 0.5);
  const g = (t: number): number => (jumpAt === undefined ? t : t >= jumpAt ? 1 : 0);
  return {
    kind: 'native',
    params,
    f(t, y) {
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        let s = params[n * n + i] * g(t);
        for (let j = 0; j < n; j++) s += params[i * n + j] * y[j];
        out[i] = s;
      }
      return out;
    },
    vjp(t, y, a) {
      const gy = new Float64Array(n);
      const gp = new Float64Array(n * n + n);
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          gy[j] += a[i] * params[i * n + j];
          gp[i * n + j] = a[i] * y[j];
        }
        gp[n * n + i] = a[i] * g(t);
      }
      return { y: gy, params: gp };
    },
  };
}

/**
 * A batched 2-D MLP, f = W2·tanh(W1·[y, t] + b1) + b2 per batch row; y is batch-major [B·2].
 * θ = (W1 [H×3], b1 [H], W2 [2×H], b2 [2]).
 */
export function mlp2d(hidden: number, seed: number): NativeField {
  const H = hidden;
  const rand = uniform(seed);
  const params = randomArray(6 * H + 2, rand, 0.8);
  const W1 = 0;
  const B1 = 3 * H;
  const W2 = 4 * H;
  const B2 = 6 * H;
  const hiddenAt = (t: number, y0: number, y1: number, s: Float64Array): void => {
    for (let h = 0; h < H; h++) {
      s[h] = Math.tanh(params[W1 + 3 * h] * y0 + params[W1 + 3 * h + 1] * y1 + params[W1 + 3 * h + 2] * t + params[B1 + h]);
    }
  };
  return {
    kind: 'native',
    params,
    f(t, y) {
      const out = new Float64Array(y.length);
      const s = new Float64Array(H);
      for (let b = 0; b < y.length / 2; b++) {
        hiddenAt(t, y[2 * b], y[2 * b + 1], s);
        for (let d = 0; d < 2; d++) {
          let v = params[B2 + d];
          for (let h = 0; h < H; h++) v += params[W2 + d * H + h] * s[h];
          out[2 * b + d] = v;
        }
      }
      return out;
    },
    vjp(t, y, a) {
      const gy = new Float64Array(y.length);
      const gp = new Float64Array(params.length);
      const s = new Float64Array(H);
      for (let b = 0; b < y.length / 2; b++) {
        const y0 = y[2 * b];
        const y1 = y[2 * b + 1];
        hiddenAt(t, y0, y1, s);
        const a0 = a[2 * b];
        const a1 = a[2 * b + 1];
        gp[B2] += a0;
        gp[B2 + 1] += a1;
        for (let h = 0; h < H; h++) {
          gp[W2 + h] += a0 * s[h];
          gp[W2 + H + h] += a1 * s[h];
          const dz = (a0 * params[W2 + h] + a1 * params[W2 + H + h]) * (1 - s[h] * s[h]);
          gp[W1 + 3 * h] += dz * y0;
          gp[W1 + 3 * h + 1] += dz * y1;
          gp[W1 + 3 * h + 2] += dz * t;
          gp[B1 + h] += dz;
          gy[2 * b] += dz * params[W1 + 3 * h];
          gy[2 * b + 1] += dz * params[W1 + 3 * h + 1];
        }
      }
      return { y: gy, params: gp };
    },
  };
}

/** L = Σ_i ⟨c_i, y(t_i)⟩ from an odeint solve of the field as it is now. */
export async function loss(
  field: NativeField,
  y0: Float64Array,
  t: number[],
  cots: (Float64Array | null)[],
  opts: OdeintOptions<Float64Array>,
): Promise<number> {
  const { ys } = await odeint((tt: number, y: Float64Array) => field.f(tt, y), y0, t, opts);
  let L = 0;
  ys.forEach((y, i) => {
    const c = cots[i];
    if (c) for (let r = 0; r < y.length; r++) L += c[r] * y[r];
  });
  return L;
}

/** Central finite differences of `loss` in y0 and in every parameter (restored afterwards). */
export async function finiteDifferences(
  field: NativeField,
  y0: Float64Array,
  t: number[],
  cots: (Float64Array | null)[],
  opts: OdeintOptions<Float64Array>,
  eps = 1e-6,
): Promise<{ gradY0: Float64Array; gradParams: Float64Array }> {
  const central = async (x: Float64Array, k: number, y: Float64Array): Promise<number> => {
    const keep = x[k];
    const d = eps * Math.max(1, Math.abs(keep));
    x[k] = keep + d;
    const up = await loss(field, y, t, cots, opts);
    x[k] = keep - d;
    const down = await loss(field, y, t, cots, opts);
    x[k] = keep;
    return (up - down) / (2 * d);
  };
  const gradY0 = new Float64Array(y0.length);
  const y = Float64Array.from(y0);
  for (let k = 0; k < y.length; k++) gradY0[k] = await central(y, k, y);
  const gradParams = new Float64Array(field.params.length);
  for (let k = 0; k < gradParams.length; k++) gradParams[k] = await central(field.params, k, y);
  return { gradY0, gradParams };
}

/**
 * The accepted step starts of an adaptive solve. With them, `replayOptions` re-runs exactly those
 * steps (huge tolerances accept every attempt, and stepT makes each end on the next recorded
 * start), so finite differences see the discretisation with the steps held fixed.
 */
export async function acceptedStarts(
  field: NativeField,
  y0: Float64Array,
  t: number[],
  opts: OdeintOptions<Float64Array>,
): Promise<number[]> {
  const starts: number[] = [];
  await odeint((tt: number, y: Float64Array) => field.f(tt, y), y0, t, {
    ...opts,
    hooks: { onStep: (r: StepReport) => void (r.accepted && starts.push(r.t)) },
  });
  return starts;
}

export function replayOptions(method: string, starts: number[], t: number[], jumpT: number[] = []): OdeintOptions<Float64Array> {
  const jumps = new Set(jumpT);
  return {
    method,
    rtol: 1e10,
    atol: 1e10,
    options: {
      firstStep: Math.abs(t[t.length - 1] - t[0]),
      stepT: starts.slice(1).filter((s) => !jumps.has(s)),
      jumpT,
      maxNumSteps: 10 * starts.length + 10,
    },
  };
}

/** ‖a − b‖ / ‖b‖. */
export function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.length; i++) {
    num += (a[i] - b[i]) ** 2;
    den += b[i] ** 2;
  }
  return Math.sqrt(num / den);
}

/** Bitwise equality (Object.is per entry: −0 and NaN count). */
export function assertSameBits(actual: Float64Array, expected: Float64Array, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < actual.length; i++) {
    if (!Object.is(actual[i], expected[i])) assert.fail(`${what}[${i}]: ${actual[i]} vs ${expected[i]}`);
  }
}

/** The same field without its activation tape: gradients then come from vjp alone. */
export function untaped(field: NativeField): NativeField {
  return { kind: 'native', dim: field.dim, params: field.params, f: (t, y) => field.f(t, y), vjp: (t, y, a) => field.vjp(t, y, a) };
}
