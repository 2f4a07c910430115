/**
 * A discrete network read through its modified equation. Layer n of depth L steps over
 * t ∈ [nΔt, (n + 1)Δt] with Δt = 1 (the step is absorbed in the block f_n). Per layer: k_n, the
 * coefficients (1 + k_n) of u_t and (1 − k_n)Δt/2 of u_tt of the scheme's expansion, and the
 * effective step Δt/(1 + k_n). For sampled inputs: the network's states u_0 … u_L against
 * (a) the plain ODE of the blocks, u_t = f_n(u)/(1 + k_n) on layer n (the order-1 modified
 * equation: u_t = f_n for ResNet and RK-Net), and (b) the modified equation to the next order,
 * both solved accurately (dopri5) layer by layer from u_0. And the stability picture: Δt·λ of
 * ∂f_n/∂u at the states u_n against each layer's region.
 */
import { odeint } from '../odeint';
import type { DiscreteNetwork } from '../resnet/network';
import { SolverError } from '../solvers/errors';
import { modifiedEquation, type ModifiedEquation } from './modifiedEquation';
import { formatDerivativeForm, formatModifiedEquation } from './print';
import type { Coef } from './coefficient';
import { lmScheme, rungeKuttaScheme } from './schemes';
import { differenceJacobian, regionPicture, scaledSpectrum, stableAt, type RegionPicture, type SpectrumPoint } from './stabilityPicture';
import { coefAt, termWeights, vectorModifiedField, MAX_VECTOR_ORDER } from './vectorModifiedField';
import type { SchemeChoice } from './fixedStep';

/** The step the layers take (absorbed in f_n). */
export const NETWORK_DT = 1;
/** Jacobians of wider states are skipped (d VJP-like evaluations and O(d³) eigenvalues each). */
export const MAX_SPECTRUM_WIDTH = 64;

export interface LayerCoefficients {
  layer: number;
  /** k_n (0 for a ResNet step, LM's first layer included); null for RK-Net. */
  k: number | null;
  /** Coefficient of u_t: 1 + k_n. */
  uT: number;
  /** Coefficient of u_tt: (1 − k_n)Δt/2 (Δt/2 for Euler, 0 for RK methods of order ≥ 2). */
  uTT: number;
  /** Δt/(1 + k_n): the step of the ODE u_t = f_n the layer advances to first order. */
  effectiveDt: number;
}

/** The scheme layer n applies. */
export function layerScheme(net: DiscreteNetwork, n: number): SchemeChoice {
  if (net.architecture === 'lm') return n === 0 ? { scheme: 'euler' } : { scheme: 'lm', k: net.k(n) };
  if (net.architecture === 'resnet') return { scheme: 'euler' };
  return { scheme: net.options.tableau?.name ?? 'midpoint' };
}

export function layerCoefficients(net: DiscreteNetwork): LayerCoefficients[] {
  const dt = NETWORK_DT;
  return Array.from({ length: net.depth }, (_, n) => {
    const s = layerScheme(net, n);
    if (net.architecture === 'rk') return { layer: n, k: null, uT: 1, uTT: 0, effectiveDt: dt };
    const k = s.k ?? 0;
    return { layer: n, k, uT: 1 + k, uTT: ((1 - k) * dt) / 2, effectiveDt: dt / (1 + k) };
  });
}

/** The order the comparison's modified equation is taken to: one past the scheme's own. */
export function networkModeqOrder(net: DiscreteNetwork): number {
  if (net.architecture !== 'rk') return 2;
  return Math.min(MAX_VECTOR_ORDER, (net.options.tableau?.order ?? 2) + 1);
}

/** The equations the panel prints: symbolic in k for LM-ResNet. */
export function networkEquationText(net: DiscreteNetwork): { scheme: string; text: string; derivativeForm: string | null } {
  const order = networkModeqOrder(net);
  const eq =
    net.architecture === 'lm'
      ? modifiedEquation(lmScheme(), order)
      : modifiedEquation(rungeKuttaScheme(net.architecture === 'resnet' ? 'euler' : (net.options.tableau?.name ?? 'midpoint')), order);
  const scheme = net.architecture === 'lm' ? 'lm' : eq.scheme.name;
  return { scheme, text: formatModifiedEquation(eq), derivativeForm: formatDerivativeForm(eq) };
}

/** Per layer, the plain (order 1) and modified fields of that layer's scheme. */
function layerFields(net: DiscreteNetwork, order: number): { plain: ((u: Float64Array) => Float64Array)[]; modified: ((u: Float64Array) => Float64Array)[] } {
  const eqs = new Map<string, ModifiedEquation>();
  const eqOf = (scheme: string, o: number): ModifiedEquation => {
    const key = `${scheme}:${o}`;
    let e = eqs.get(key);
    if (!e) {
      e = modifiedEquation(scheme === 'lm' ? lmScheme() : rungeKuttaScheme(scheme), o);
      eqs.set(key, e);
    }
    return e;
  };
  const plain: ((u: Float64Array) => Float64Array)[] = [];
  const modified: ((u: Float64Array) => Float64Array)[] = [];
  for (let n = 0; n < net.depth; n++) {
    const s = layerScheme(net, n);
    const f = (u: Float64Array): Float64Array => net.branch(n, u);
    const at = s.k === undefined ? undefined : (c: Coef) => coefAt(c, s.k!);
    plain.push(vectorModifiedField(termWeights(eqOf(s.scheme, 1), NETWORK_DT, at), f));
    modified.push(vectorModifiedField(termWeights(eqOf(s.scheme, order), NETWORK_DT, at), f));
  }
  return { plain, modified };
}

export interface NetworkTracking {
  /** Rows of the data the samples are. */
  samples: number[];
  width: number;
  /** Components kept in the trajectories (the first ones). */
  components: number;
  /** The modified equation's order used in (b). */
  order: number;
  /** Layer boundaries t = 0 … L. */
  t: number[];
  /** Per sample: u_0 … u_L, [L + 1 × components] row-major. */
  discrete: Float64Array[];
  /** Per sample, at `fineT`: the plain ODE's and the modified equation's solutions. */
  fineT: number[];
  plain: Float64Array[];
  modified: Float64Array[];
  /** Per layer boundary n: mean over samples of ‖u_n − u(t_n)‖ / mean ‖u_n‖. */
  plainDistance: number[];
  modifiedDistance: number[];
  /** Which continuous model ends closer to the network (by the distance at t = L). */
  closer: 'modified' | 'plain' | 'tie';
}

/** Output times within each layer of the continuous solutions. */
const FINE = 8;
/** Components kept in the trajectories sent on. */
export const MAX_COMPONENTS = 64;

export async function trackNetwork(net: DiscreteNetwork, x: Float64Array, samples: number[], opts: { rtol?: number; atol?: number } = {}): Promise<NetworkTracking> {
  const B = samples.length;
  if (B === 0) throw new SolverError('input', 'Tracking a network needs at least one sample.');
  const W = net.width;
  const input = new Float64Array(B * net.dim);
  samples.forEach((s, b) => input.set(x.subarray(s * net.dim, (s + 1) * net.dim), b * net.dim));
  const states = net.forward(input).states;
  const order = networkModeqOrder(net);
  const fields = layerFields(net, order);
  const C = Math.min(W, MAX_COMPONENTS);
  const L = net.depth;
  // LM's first layer is an Euler step: u_1 is off the scheme's principal solution by the
  // parasitic mode B(−k)^n (ζ = −k), O(Δt). Its second difference u_2 − 2u_1 + u_0 is
  // B(1 + k)² + O(Δt²), so both continuous models restart at t = 1 from ũ(1) = u_1 + k B.
  let principal: Float64Array | null = null;
  if (net.architecture === 'lm' && L >= 2) {
    const k = net.k(1);
    principal = states[1].map((u1, i) => u1 + (k * (states[2][i] - 2 * u1 + states[0][i])) / (1 + k) ** 2);
  }
  const solve = async (which: ((u: Float64Array) => Float64Array)[]): Promise<{ fine: Float64Array[]; at: Float64Array[] }> => {
    let u: Float64Array = Float64Array.from(states[0]);
    const fine: Float64Array[] = [Float64Array.from(u)];
    const at: Float64Array[] = [Float64Array.from(u)];
    for (let n = 0; n < L; n++) {
      const ts = Array.from({ length: FINE + 1 }, (_, i) => (n + i / FINE) * NETWORK_DT);
      const g = which[n];
      const sol = await odeint((_t: number, y: Float64Array) => g(y), u, ts, { method: 'dopri5', rtol: opts.rtol ?? 1e-7, atol: opts.atol ?? 1e-9 });
      for (let i = 1; i <= FINE; i++) fine.push(sol.ys[i]);
      u = sol.ys[FINE];
      at.push(u);
      if (n === 0 && principal) u = Float64Array.from(principal);
    }
    return { fine, at };
  };
  const plain = await solve(fields.plain);
  const modified = await solve(fields.modified);
  const pick = (rows: Float64Array[], b: number): Float64Array => {
    const out = new Float64Array(rows.length * C);
    rows.forEach((r, i) => out.set(r.subarray(b * W, b * W + C), i * C));
    return out;
  };
  const distance = (at: Float64Array[]): number[] =>
    at.map((u, n) => {
      let d = 0;
      let s = 0;
      for (let b = 0; b < B; b++) {
        let dd = 0;
        let ss = 0;
        for (let i = b * W; i < (b + 1) * W; i++) {
          dd += (u[i] - states[n][i]) ** 2;
          ss += states[n][i] ** 2;
        }
        d += Math.sqrt(dd);
        s += Math.sqrt(ss);
      }
      return s > 0 ? d / s : d;
    });
  const plainDistance = distance(plain.at);
  const modifiedDistance = distance(modified.at);
  const [pe, me] = [plainDistance[L], modifiedDistance[L]];
  const closer = Math.abs(pe - me) <= 1e-3 * Math.max(pe, me) ? 'tie' : me < pe ? 'modified' : 'plain';
  return {
    samples,
    width: W,
    components: C,
    order,
    t: Array.from({ length: L + 1 }, (_, n) => n * NETWORK_DT),
    discrete: samples.map((_, b) => pick(states, b)),
    fineT: Array.from({ length: L * FINE + 1 }, (_, i) => (i / FINE) * NETWORK_DT),
    plain: samples.map((_, b) => pick(plain.fine, b)),
    modified: samples.map((_, b) => pick(modified.fine, b)),
    plainDistance,
    modifiedDistance,
    closer,
  };
}

export interface NetworkStability {
  /** The region of the mean k_n (LM), or of the network's scheme. */
  region: RegionPicture;
  points: SpectrumPoint[];
  notes: string[];
}

/** Δt·λ of ∂f_n/∂u at every sample's u_n, each checked against its own layer's scheme (network form). */
export function networkStability(net: DiscreteNetwork, x: Float64Array, samples: number[]): NetworkStability {
  const notes: string[] = [];
  const points: SpectrumPoint[] = [];
  const W = net.width;
  if (W > MAX_SPECTRUM_WIDTH) {
    notes.push(`The state has ${W} components: the Jacobian's eigenvalues are computed for states of up to ${MAX_SPECTRUM_WIDTH}.`);
  } else {
    const input = new Float64Array(samples.length * net.dim);
    samples.forEach((s, b) => input.set(x.subarray(s * net.dim, (s + 1) * net.dim), b * net.dim));
    const states = net.forward(input).states;
    for (let n = 0; n < net.depth; n++) {
      const scheme = layerScheme(net, n);
      for (let b = 0; b < samples.length; b++) {
        const u = states[n].slice(b * W, (b + 1) * W);
        const jac = differenceJacobian((v) => net.branch(n, v), u);
        for (const z of scaledSpectrum(jac, W, NETWORK_DT)) {
          if (Number.isFinite(z.re) && Number.isFinite(z.im)) points.push({ ...z, group: n, stable: stableAt(scheme, 'network', z.re, z.im) });
        }
      }
    }
  }
  const coeffs = layerCoefficients(net);
  const ks = coeffs.map((c) => c.k).filter((k): k is number => k !== null).slice(net.architecture === 'lm' ? 1 : 0);
  const shown: SchemeChoice =
    net.architecture === 'lm' ? { scheme: 'lm', k: ks.reduce((a, b) => a + b, 0) / Math.max(1, ks.length) } : layerScheme(net, 0);
  if (net.architecture === 'lm') notes.push('The region drawn is that of the mean k_n; each point is checked against its own layer\'s k_n.');
  return { region: regionPicture(shown, 'network', points), points, notes };
}
