/**
 * The continuous normalising flow's dynamics as a native vector field over the augmented state
 * [z (d), Δlogp (1)] per sample (batch-major, so the state is [batch·(d+1)]):
 *
 *   dz/dt = f(t, z),     dΔlogp/dt = −tr(∂f/∂z)
 *
 * with f FFJORD's concat-time MLP. The trace is exact (d vjps with the unit vectors, for small
 * d) or Hutchinson's estimate εᵀ(∂f/∂z)ε with one draw ε per sample, held fixed for a whole
 * solve (forward and backward): set it with `drawNoise` or `noise` before each solve. The vjp
 * differentiates both components in z and θ (second derivatives of the MLP, written by hand in
 * concatMlp.ts), so odeint and odeintGrad (backprop, adjoint, checkpoint) train it unchanged.
 */
import type { Rng } from '../data/rng';
import type { NativeField } from '../fields/field';
import type { ParamEntry } from '../fields/mlpLayout';
import { CNF_ACTIVATIONS, ConcatMlp, type CnfActivation } from './concatMlp';
import { CnfError } from './errors';

export type TraceEstimator = 'exact' | 'hutchinson';
export type NoiseKind = 'rademacher' | 'gaussian';

/** The exact trace costs d tangent passes; above this many dimensions it is refused. */
export const MAX_EXACT_DIM = 16;

export interface CnfFieldOptions {
  /** The data dimension d (the state carries d + 1 components per sample). */
  dim: number;
  /** Hidden widths, e.g. [64, 64, 64] (FFJORD's toys). Default [32, 32]. */
  hidden?: readonly number[];
  /** Default 'tanh'. Only smooth activations: the trace's gradient needs σ''. */
  activation?: CnfActivation;
  /** Default 'exact' for d ≤ 2, else 'hutchinson'. */
  trace?: TraceEstimator;
  /** Hutchinson's ε: ±1 entries (Rademacher, the default: least variance) or standard normal. */
  noise?: NoiseKind;
  /** The flow runs from t = 0 (data) to t = time (the Gaussian base). Default 1. */
  time?: number;
  /** Seed of the default initialisation (nn.Linear's). Default 0. */
  seed?: number;
  /** Every parameter, in layout order. */
  init?: ArrayLike<number>;
}

export interface CnfField extends NativeField {
  /** Marks a CNF, so a trainer picks the density task for it. */
  readonly flow: 'cnf';
  /** Components per sample of the augmented state: dataDim + 1. */
  readonly dim: number;
  readonly dataDim: number;
  readonly hidden: readonly number[];
  readonly activation: CnfActivation;
  readonly trace: TraceEstimator;
  readonly noiseKind: NoiseKind;
  readonly time: number;
  readonly layout: readonly ParamEntry[];
  /** Hutchinson's ε, [batch·dataDim], used by every evaluation until replaced. */
  noise: Float64Array | null;
  /** Draws a fresh ε for `batch` samples from rng, sets it and returns it. */
  drawNoise(batch: number, rng: Rng): Float64Array;
  /** The same network (shared live parameters) with another trace estimator and its own ε. */
  withTrace(trace: TraceEstimator): CnfField;
  /** f and vjp from one forward pass (the adjoint needs both at every point). */
  fAndVjp(t: number, y: Float64Array, a: Float64Array): { f: Float64Array; y: Float64Array; params: Float64Array };
  /** dz/dt alone, [n·dataDim] → [n·dataDim] (sampling needs no trace). */
  velocity(t: number, z: Float64Array): Float64Array;
  /** The trace estimate per sample at (t, z) (exact: tr ∂f/∂z; Hutchinson: εᵀ(∂f/∂z)ε). */
  traceAt(t: number, z: Float64Array): Float64Array;
}

export function isCnfField(x: unknown): x is CnfField {
  return typeof x === 'object' && x !== null && (x as CnfField).flow === 'cnf' && (x as CnfField).kind === 'native';
}

/**
 *   const field = cnfField({ dim: 2, hidden: [32, 32], trace: 'exact' });
 *   const { logp } = await cnfLogDensity(field, x);
 */
export function cnfField(opts: CnfFieldOptions): CnfField {
  const where = 'cnfField';
  if (!opts || typeof opts !== 'object') throw new CnfError(`${where} needs options, e.g. cnfField({ dim: 2, hidden: [32, 32] }).`);
  const { dim } = opts;
  if (!Number.isInteger(dim) || dim < 1) throw new CnfError(`${where}: dim must be the data dimension, a whole number ≥ 1; got ${dim}.`);
  const hidden = opts.hidden ?? [32, 32];
  if (!Array.isArray(hidden) || hidden.length < 1 || !hidden.every((h) => Number.isInteger(h) && h > 0)) {
    throw new CnfError(`${where}: hidden must list at least one positive whole width, e.g. [32, 32]; got ${JSON.stringify(hidden)}.`);
  }
  const activation = opts.activation ?? 'tanh';
  if (!CNF_ACTIVATIONS.includes(activation)) {
    throw new CnfError(
      `${where}: activation '${String(activation)}' is not available for a CNF: the gradient of the trace needs a smooth σ with σ''. ` +
        `Use ${CNF_ACTIVATIONS.map((a) => `'${a}'`).join(' or ')}.`,
    );
  }
  const trace = opts.trace ?? (dim <= 2 ? 'exact' : 'hutchinson');
  checkTrace(trace, dim, where);
  const noiseKind = opts.noise ?? 'rademacher';
  if (noiseKind !== 'rademacher' && noiseKind !== 'gaussian') {
    throw new CnfError(`${where}: noise must be 'rademacher' or 'gaussian'; got '${String(noiseKind)}'.`);
  }
  const time = opts.time ?? 1;
  if (!(Number.isFinite(time) && time > 0)) throw new CnfError(`${where}: time (the flow's length T) must be a finite number > 0; got ${time}.`);
  const net = new ConcatMlp(dim, hidden, activation, opts.seed ?? 0, opts.init);
  return new AugmentedCnf(net, trace, noiseKind, time);
}

function checkTrace(trace: unknown, dim: number, where: string): asserts trace is TraceEstimator {
  if (trace !== 'exact' && trace !== 'hutchinson') throw new CnfError(`${where}: trace must be 'exact' or 'hutchinson'; got '${String(trace)}'.`);
  if (trace === 'exact' && dim > MAX_EXACT_DIM) {
    throw new CnfError(
      `${where}: the exact trace costs one pass per dimension, and dim is ${dim} (more than ${MAX_EXACT_DIM}). Use trace: 'hutchinson'.`,
    );
  }
}

class AugmentedCnf implements CnfField {
  readonly kind = 'native' as const;
  readonly flow = 'cnf' as const;
  readonly dim: number;
  readonly dataDim: number;
  noise: Float64Array | null = null;
  private basis: Float64Array[] = [];
  private zBuf = new Float64Array(0);

  constructor(
    private readonly net: ConcatMlp,
    readonly trace: TraceEstimator,
    readonly noiseKind: NoiseKind,
    readonly time: number,
  ) {
    this.dataDim = net.dim;
    this.dim = net.dim + 1;
  }

  get params(): Float64Array {
    return this.net.params;
  }
  get hidden(): readonly number[] {
    return this.net.hidden;
  }
  get activation(): CnfActivation {
    return this.net.activation;
  }
  get layout(): readonly ParamEntry[] {
    return this.net.layout;
  }

  withTrace(trace: TraceEstimator): CnfField {
    checkTrace(trace, this.dataDim, 'withTrace');
    return new AugmentedCnf(this.net, trace, this.noiseKind, this.time);
  }

  drawNoise(batch: number, rng: Rng): Float64Array {
    if (!Number.isInteger(batch) || batch < 1) throw new CnfError(`drawNoise: batch must be a whole number ≥ 1; got ${batch}.`);
    const eps = new Float64Array(batch * this.dataDim);
    if (this.noiseKind === 'gaussian') rng.fillNormal(eps);
    else for (let i = 0; i < eps.length; i++) eps[i] = rng.random() < 0.5 ? -1 : 1;
    this.noise = eps;
    return eps;
  }

  /** The tangent directions for a batch: ε, or the d unit vectors. */
  private directions(batch: number, where: string): Float64Array[] {
    const d = this.dataDim;
    if (this.trace === 'hutchinson') {
      const eps = this.noise;
      if (!eps) {
        throw new CnfError(
          `${where}: Hutchinson's trace estimator needs its noise ε, and none is set. Call field.drawNoise(batch, rng) ` +
            `(or set field.noise) before each solve; it stays fixed for the solve.`,
        );
      }
      if (eps.length !== batch * d) {
        throw new CnfError(
          `${where}: the state holds ${batch} samples but the noise ε holds ${eps.length / d} (${eps.length} values for dim ${d}). ` +
            'Draw ε for this batch (field.drawNoise(batch, rng)) before the solve.',
        );
      }
      return [eps];
    }
    if (this.basis.length === 0 || this.basis[0].length !== batch * d) {
      this.basis = Array.from({ length: d }, (_, c) => {
        const e = new Float64Array(batch * d);
        for (let n = 0; n < batch; n++) e[n * d + c] = 1;
        return e;
      });
    }
    return this.basis;
  }

  /** Splits the augmented state; z is a work copy [batch·d]. */
  private split(y: Float64Array, where: string): { z: Float64Array; batch: number } {
    const D = this.dim;
    if (!(y instanceof Float64Array) || y.length === 0 || y.length % D !== 0) {
      throw new CnfError(
        `${where}: the CNF state is [z (${this.dataDim}), Δlogp (1)] per sample, so its length must be a multiple of ${D}; ` +
          `got ${y instanceof Float64Array ? y.length : typeof y}. Build it with cnfInitialState(x, ${this.dataDim}).`,
      );
    }
    const batch = y.length / D;
    const d = this.dataDim;
    if (this.zBuf.length !== batch * d) this.zBuf = new Float64Array(batch * d);
    const z = this.zBuf;
    for (let n = 0; n < batch; n++) for (let i = 0; i < d; i++) z[n * d + i] = y[n * D + i];
    return { z, batch };
  }

  f(t: number, y: Float64Array): Float64Array {
    const { z, batch } = this.split(y, 'cnfField.f');
    const { f, s } = this.net.forward(t, z, this.directions(batch, 'cnfField.f'));
    const D = this.dim;
    const d = this.dataDim;
    const out = new Float64Array(y.length);
    for (let n = 0; n < batch; n++) {
      for (let i = 0; i < d; i++) out[n * D + i] = f[n * d + i];
      out[n * D + d] = -s[n];
    }
    return out;
  }

  vjp(t: number, y: Float64Array, a: Float64Array): { y: Float64Array; params: Float64Array } {
    const r = this.fAndVjp(t, y, a);
    return { y: r.y, params: r.params };
  }

  fAndVjp(t: number, y: Float64Array, a: Float64Array): { f: Float64Array; y: Float64Array; params: Float64Array } {
    const { z, batch } = this.split(y, 'cnfField.vjp');
    if (!(a instanceof Float64Array) || a.length !== y.length) {
      throw new CnfError(`cnfField.vjp: the cotangent a must match the state (${y.length} values); got ${a?.length}.`);
    }
    const D = this.dim;
    const d = this.dataDim;
    const eps = this.directions(batch, 'cnfField.vjp');
    const { f, s } = this.net.forward(t, z, eps);
    const out = new Float64Array(y.length);
    const aF = new Float64Array(batch * d);
    const g = new Float64Array(batch);
    let any = false;
    for (let n = 0; n < batch; n++) {
      for (let i = 0; i < d; i++) {
        out[n * D + i] = f[n * d + i];
        aF[n * d + i] = a[n * D + i];
      }
      out[n * D + d] = -s[n];
      // d Δlogp/dt = −s, so the weight of s is −a_Δlogp
      g[n] = -a[n * D + d];
      if (g[n] !== 0) any = true;
    }
    const gParams = new Float64Array(this.params.length);
    const gz = this.net.backward(t, z, eps, aF, any ? g : null, gParams);
    // Δlogp does not feed back into the dynamics: its cotangent is zero
    const gy = new Float64Array(y.length);
    for (let n = 0; n < batch; n++) for (let i = 0; i < d; i++) gy[n * D + i] = gz[n * d + i];
    return { f: out, y: gy, params: gParams };
  }

  velocity(t: number, z: Float64Array): Float64Array {
    const d = this.dataDim;
    if (!(z instanceof Float64Array) || z.length === 0 || z.length % d !== 0) {
      throw new CnfError(`cnfField.velocity: z must be a Float64Array of n·${d} values; got ${z instanceof Float64Array ? z.length : typeof z}.`);
    }
    return this.net.forward(t, z, []).f.slice();
  }

  traceAt(t: number, z: Float64Array): Float64Array {
    const d = this.dataDim;
    if (!(z instanceof Float64Array) || z.length === 0 || z.length % d !== 0) {
      throw new CnfError(`cnfField.traceAt: z must be a Float64Array of n·${d} values; got ${z instanceof Float64Array ? z.length : typeof z}.`);
    }
    return this.net.forward(t, z, this.directions(z.length / d, 'cnfField.traceAt')).s.slice();
  }
}
