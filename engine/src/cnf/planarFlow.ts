/**
 * The planar flow of Rezende & Mohamed (2015), the discrete normalising flow the Neural ODE paper
 * compares CNFs with. K layers, each
 *
 *   g(x) = x + û·tanh(wᵀx + b),    log|det ∂g/∂x| = log(1 + tanh'(wᵀx + b)·ûᵀw)
 *
 * with û = u + (m(wᵀu) − wᵀu)·w/‖w‖², m(a) = −1 + softplus(a), so ûᵀw = m(wᵀu) > −1 and every
 * layer is invertible. For maximum likelihood on samples the layers run data → noise:
 * log p(x) = log N(g_K∘…∘g_1(x)) + Σ_k log det_k, exactly, with a hand-written gradient.
 * Sampling inverts each layer: wᵀy = α + m·tanh(α + b) is increasing in α = wᵀx, so α is found
 * by safeguarded Newton, then x = y − û·tanh(α + b).
 * Parameters per layer, in order: u (d), w (d), b (1).
 */
import { Rng } from '../data/rng';
import { seededRandom } from '../layers/init';
import { sigmoid } from '../layers/activations';
import { CnfError } from './errors';

const LOG_2PI = Math.log(2 * Math.PI);
const softplus = (a: number): number => Math.max(a, 0) + Math.log1p(Math.exp(-Math.abs(a)));

export interface PlanarFlowOptions {
  dim: number;
  /** Number of layers K. */
  layers: number;
  /** Default 0. */
  seed?: number;
  /** Initial u and w entries are uniform on ±initScale (default 0.1), then u is set so that ûᵀw = 0. */
  initScale?: number;
}

export interface PlanarNll {
  loss: number;
  logp: Float64Array;
  grad: Float64Array;
}

/** One layer's effective û, its μ = ûᵀw and what the constraint's gradient needs. */
interface LayerHat {
  uHat: Float64Array;
  mu: number;
  c: number;
  r: number;
  beta: number;
}

export class PlanarFlow {
  readonly params: Float64Array;
  readonly dim: number;
  readonly layers: number;
  private readonly stride: number;

  constructor(opts: PlanarFlowOptions) {
    const { dim, layers } = opts ?? ({} as PlanarFlowOptions);
    if (!Number.isInteger(dim) || dim < 1) throw new CnfError(`planarFlow: dim must be the data dimension, a whole number ≥ 1; got ${dim}.`);
    if (!Number.isInteger(layers) || layers < 1) throw new CnfError(`planarFlow: layers (K) must be a whole number ≥ 1; got ${layers}.`);
    this.dim = dim;
    this.layers = layers;
    this.stride = 2 * dim + 1;
    this.params = new Float64Array(layers * this.stride);
    const scale = opts.initScale ?? 0.1;
    if (!(scale > 0 && Number.isFinite(scale))) throw new CnfError(`planarFlow: initScale must be a finite number > 0; got ${scale}.`);
    const rand = seededRandom(opts.seed ?? 0);
    // wᵀu = log(e − 1) makes m(wᵀu) = 0: û is u's part orthogonal to w, every layer a shear with
    // log det = 0, and the stack starts near the identity however deep it is (wᵀu = 0 would
    // give m = −0.31, a contraction along w in every layer).
    const c0 = Math.log(Math.E - 1);
    for (let k = 0; k < layers; k++) {
      const o = k * this.stride;
      for (let i = 0; i < 2 * dim; i++) this.params[o + i] = (2 * rand() - 1) * scale;
      let c = 0;
      let r = 0;
      for (let i = 0; i < dim; i++) {
        c += this.params[o + i] * this.params[o + dim + i];
        r += this.params[o + dim + i] ** 2;
      }
      for (let i = 0; i < dim; i++) this.params[o + i] += ((c0 - c) / r) * this.params[o + dim + i];
      this.params[o + 2 * dim] = 0;
    }
  }

  private hat(k: number): LayerHat {
    const d = this.dim;
    const P = this.params;
    const o = k * this.stride;
    let c = 0;
    let r = 0;
    for (let i = 0; i < d; i++) {
      c += P[o + d + i] * P[o + i];
      r += P[o + d + i] * P[o + d + i];
    }
    // ‖w‖ = 0 makes the layer the identity whatever u is; leave u as it is then
    const beta = r > 0 ? (-1 + softplus(c) - c) / r : 0;
    const uHat = new Float64Array(d);
    let mu = 0;
    for (let i = 0; i < d; i++) {
      uHat[i] = P[o + i] + beta * P[o + d + i];
      mu += uHat[i] * P[o + d + i];
    }
    return { uHat, mu, c, r, beta };
  }

  private checkX(x: Float64Array, where: string): number {
    const d = this.dim;
    if (!(x instanceof Float64Array) || x.length === 0 || x.length % d !== 0) {
      throw new CnfError(`${where}: points must be a Float64Array of n·${d} values; got ${x instanceof Float64Array ? `${x.length} values` : typeof x}.`);
    }
    const bad = x.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) throw new CnfError(`${where}: point ${Math.floor(bad / d)}, component ${bad % d}, is ${x[bad]}; every coordinate must be finite.`);
    return x.length / d;
  }

  /** log p(x) per point. */
  logDensity(x: Float64Array): Float64Array {
    return this.run(x, false, 'planarFlow.logDensity').logp;
  }

  /** The layers applied data → noise: z = g_K∘…∘g_1(x), [n·d]. */
  toBase(x: Float64Array): Float64Array {
    return this.run(x, false, 'planarFlow.toBase').z;
  }

  /** Mean NLL of the batch and its gradient in the parameters. */
  nllAndGrad(x: Float64Array): PlanarNll {
    const r = this.run(x, true, 'planarFlow.nllAndGrad');
    return { loss: r.loss, logp: r.logp, grad: r.grad! };
  }

  private run(x: Float64Array, withGrad: boolean, where: string): { loss: number; logp: Float64Array; z: Float64Array; grad?: Float64Array } {
    const n = this.checkX(x, where);
    const d = this.dim;
    const K = this.layers;
    const P = this.params;
    const hats = Array.from({ length: K }, (_, k) => this.hat(k));
    // inputs of every layer, kept for the backward pass
    const xs: Float64Array[] = [Float64Array.from(x)];
    const pre: Float64Array[] = [];
    const logp = new Float64Array(n);
    for (let k = 0; k < K; k++) {
      const o = k * this.stride;
      const { uHat, mu } = hats[k];
      const xin = xs[k];
      const xout = new Float64Array(xin.length);
      const a = new Float64Array(n);
      for (let s = 0; s < n; s++) {
        let v = P[o + 2 * d];
        for (let i = 0; i < d; i++) v += P[o + d + i] * xin[s * d + i];
        a[s] = v;
        const h = Math.tanh(v);
        for (let i = 0; i < d; i++) xout[s * d + i] = xin[s * d + i] + uHat[i] * h;
        logp[s] += Math.log(1 + (1 - h * h) * mu);
      }
      pre.push(a);
      xs.push(xout);
    }
    const z = xs[K];
    let loss = 0;
    for (let s = 0; s < n; s++) {
      let q = 0;
      for (let i = 0; i < d; i++) q += z[s * d + i] * z[s * d + i];
      logp[s] += -0.5 * (d * LOG_2PI + q);
      loss -= logp[s];
    }
    loss /= n;
    if (!withGrad) return { loss, logp, z };
    const grad = new Float64Array(P.length);
    // g = dLoss/dx_k, starting from the Gaussian term at z
    const g = Float64Array.from(z, (v) => v / n);
    const uBar = new Float64Array(d);
    for (let k = K - 1; k >= 0; k--) {
      const o = k * this.stride;
      const { uHat, mu, c, r, beta } = hats[k];
      const xin = xs[k];
      const a = pre[k];
      uBar.fill(0);
      let muBar = 0;
      let bBar = 0;
      const wBar = grad.subarray(o + d, o + 2 * d);
      for (let s = 0; s < n; s++) {
        const h = Math.tanh(a[s]);
        const h1 = 1 - h * h;
        const h2 = -2 * h * h1;
        const D = 1 + h1 * mu;
        let gu = 0;
        for (let i = 0; i < d; i++) {
          gu += g[s * d + i] * uHat[i];
          uBar[i] += g[s * d + i] * h;
        }
        // −log D / n with D = 1 + h'(a)·μ
        muBar += -h1 / D / n;
        const aBar = gu * h1 - (h2 * mu) / D / n;
        bBar += aBar;
        for (let i = 0; i < d; i++) {
          wBar[i] += aBar * xin[s * d + i];
          g[s * d + i] += aBar * P[o + d + i];
        }
      }
      grad[o + 2 * d] = bBar;
      // μ = ûᵀw
      for (let i = 0; i < d; i++) {
        uBar[i] += muBar * P[o + d + i];
        wBar[i] += muBar * uHat[i];
      }
      // û = u + β(c, r)·w with c = wᵀu, r = ‖w‖²
      let uw = 0;
      for (let i = 0; i < d; i++) uw += uBar[i] * P[o + d + i];
      const dBetaDc = r > 0 ? (sigmoid(c) - 1) / r : 0;
      const dBetaDr = r > 0 ? -beta / r : 0;
      for (let i = 0; i < d; i++) {
        grad[o + i] = uBar[i] + uw * dBetaDc * P[o + d + i];
        wBar[i] += beta * uBar[i] + uw * (dBetaDc * P[o + i] + dBetaDr * 2 * P[o + d + i]);
      }
    }
    return { loss, logp, z, grad };
  }

  /** n samples: z ~ N(0, I) through the inverse layers, [n·d]. */
  sample(n: number, seed = 0): Float64Array {
    if (!Number.isInteger(n) || n < 1) throw new CnfError(`planarFlow.sample: the number of samples must be a whole number ≥ 1; got ${n}.`);
    const d = this.dim;
    const P = this.params;
    const y = new Rng(seed).fillNormal(new Float64Array(n * d));
    for (let k = this.layers - 1; k >= 0; k--) {
      const o = k * this.stride;
      const { uHat, mu } = this.hat(k);
      const b = P[o + 2 * d];
      for (let s = 0; s < n; s++) {
        let wy = 0;
        for (let i = 0; i < d; i++) wy += P[o + d + i] * y[s * d + i];
        const alpha = solveScalar(wy, mu, b);
        const h = Math.tanh(alpha + b);
        for (let i = 0; i < d; i++) y[s * d + i] -= uHat[i] * h;
      }
    }
    return y;
  }
}

/** α with α + μ·tanh(α + b) = target (increasing in α since μ > −1): Newton inside a shrinking bracket. */
function solveScalar(target: number, mu: number, b: number): number {
  let lo = target - Math.abs(mu) - 1e-12;
  let hi = target + Math.abs(mu) + 1e-12;
  let x = target - mu * Math.tanh(target + b);
  for (let it = 0; it < 100; it++) {
    const h = Math.tanh(x + b);
    const r = x + mu * h - target;
    if (r > 0) hi = x;
    else lo = x;
    if (Math.abs(r) < 1e-14 * (1 + Math.abs(target))) return x;
    const step = x - r / (1 + mu * (1 - h * h));
    x = step > lo && step < hi ? step : 0.5 * (lo + hi);
  }
  return x;
}

/** A planar flow of K layers (2d + 1 parameters each). */
export function planarFlow(opts: PlanarFlowOptions): PlanarFlow {
  return new PlanarFlow(opts);
}
