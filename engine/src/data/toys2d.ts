import { DataError } from './errors';
import { toRng, type Rng } from './rng';
import type { PointData } from './types';

/** FFJORD's 2-D density toys and ANODE's nested spheres: point clouds, seeded. */
export interface ToyOptions {
  n?: number;
  seed?: number | Rng;
}

function count(name: string, n: number | undefined, fallback: number): number {
  const v = n ?? fallback;
  if (!Number.isInteger(v) || v < 1) throw new DataError('input', `${name}: n must be a positive integer, got ${v}.`);
  return v;
}

/**
 * Eight Gaussians (std 0.5 before scaling) centred on the compass points of a circle of radius 4,
 * the whole cloud divided by 1.414 as in FFJORD. Labels: the index of the mode.
 */
export function eightGaussians(opts: ToyOptions = {}): PointData {
  const n = count('eightGaussians', opts.n, 1024);
  const rng = toRng(opts.seed);
  const s = 1 / Math.SQRT2;
  const centers = [
    [1, 0], [-1, 0], [0, 1], [0, -1],
    [s, s], [s, -s], [-s, s], [-s, -s],
  ];
  const x = new Float64Array(2 * n);
  const labels = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const k = rng.int(8);
    labels[i] = k;
    x[2 * i] = (rng.normal(0, 0.5) + 4 * centers[k][0]) / 1.414;
    x[2 * i + 1] = (rng.normal(0, 0.5) + 4 * centers[k][1]) / 1.414;
  }
  return { name: 'eightGaussians', n, dim: 2, x, labels };
}

export interface MoonsOptions extends ToyOptions {
  /** Std of the Gaussian noise on each coordinate (default 0.1). */
  noise?: number;
}

/**
 * Two interleaving half circles (scikit-learn's make_moons: the upper arc cos/sin θ, the lower
 * 1 − cos θ, 0.5 − sin θ, θ evenly spaced on [0, π]), noisy, shuffled, then scaled by 2 and
 * shifted by (−1, −0.2) as in FFJORD. Labels 0 (upper) and 1 (lower).
 */
export function moons(opts: MoonsOptions = {}): PointData {
  const n = count('moons', opts.n, 1024);
  const noise = opts.noise ?? 0.1;
  const rng = toRng(opts.seed);
  const nOuter = Math.floor(n / 2);
  const nInner = n - nOuter;
  const raw = new Float64Array(2 * n);
  const rawLabels = new Float64Array(n);
  for (let i = 0; i < nOuter; i++) {
    const th = nOuter === 1 ? 0 : (Math.PI * i) / (nOuter - 1);
    raw[2 * i] = Math.cos(th);
    raw[2 * i + 1] = Math.sin(th);
  }
  for (let j = 0; j < nInner; j++) {
    const th = nInner === 1 ? 0 : (Math.PI * j) / (nInner - 1);
    const i = nOuter + j;
    raw[2 * i] = 1 - Math.cos(th);
    raw[2 * i + 1] = 0.5 - Math.sin(th);
    rawLabels[i] = 1;
  }
  const order = rng.permutation(n);
  const x = new Float64Array(2 * n);
  const labels = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const k = order[i];
    x[2 * i] = 2 * (raw[2 * k] + rng.normal(0, noise)) - 1;
    x[2 * i + 1] = 2 * (raw[2 * k + 1] + rng.normal(0, noise)) - 0.2;
    labels[i] = rawLabels[k];
  }
  return { name: 'moons', n, dim: 2, x, labels };
}

/**
 * FFJORD's checkerboard: x₁ uniform on [−2, 2); x₂ uniform on a unit interval chosen so that
 * (⌊x₁⌋ + ⌊x₂⌋) is even; both scaled by 2, giving 8 filled squares of side 2 in [−4, 4]².
 */
export function checkerboard(opts: ToyOptions = {}): PointData {
  const n = count('checkerboard', opts.n, 1024);
  const rng = toRng(opts.seed);
  const x = new Float64Array(2 * n);
  for (let i = 0; i < n; i++) {
    const x1 = rng.uniform(-2, 2);
    const x2 = rng.random() - 2 * rng.int(2) + (((Math.floor(x1) % 2) + 2) % 2);
    x[2 * i] = 2 * x1;
    x[2 * i + 1] = 2 * x2;
  }
  return { name: 'checkerboard', n, dim: 2, x };
}

export interface NestedSpheresOptions extends ToyOptions {
  /** Dimension of the space (2: concentric circles). */
  dim?: number;
  /** Radius range of the inner ball, labelled −1 (default [0, 0.5]). */
  innerRange?: [number, number];
  /** Radius range of the outer shell, labelled +1 (default [1, 1.5]). */
  outerRange?: [number, number];
  /** Share of points in the inner ball (default 0.5). */
  innerFraction?: number;
}

/**
 * ANODE's counter-example g(x) = −1 for ‖x‖ ≤ r₁, +1 for r₂ ≤ ‖x‖ ≤ r₃: an inner ball and an
 * outer shell that no homeomorphism (so no neural ODE without augmentation) can separate
 * linearly. Direction uniform on the sphere (normalised Gaussian); radius r_min + (r_max − r_min)·u^(1/dim).
 * The points come in random order.
 */
export function nestedSpheres(opts: NestedSpheresOptions = {}): PointData {
  const n = count('nestedSpheres', opts.n, 1024);
  const dim = opts.dim ?? 2;
  if (!Number.isInteger(dim) || dim < 1) throw new DataError('input', `nestedSpheres: dim must be a positive integer, got ${dim}.`);
  const [i0, i1] = opts.innerRange ?? [0, 0.5];
  const [o0, o1] = opts.outerRange ?? [1, 1.5];
  if (!(0 <= i0 && i0 <= i1 && i1 < o0 && o0 <= o1)) {
    throw new DataError('input', `nestedSpheres: radii must satisfy 0 ≤ inner[0] ≤ inner[1] < outer[0] ≤ outer[1], got inner [${i0}, ${i1}], outer [${o0}, ${o1}].`);
  }
  const frac = opts.innerFraction ?? 0.5;
  const nInner = Math.round(n * frac);
  const rng = toRng(opts.seed);
  const order = rng.permutation(n);
  const x = new Float64Array(n * dim);
  const labels = new Float64Array(n);
  const dir = new Float64Array(dim);
  for (let k = 0; k < n; k++) {
    const inner = k < nInner;
    const [r0, r1] = inner ? [i0, i1] : [o0, o1];
    let norm: number;
    do {
      rng.fillNormal(dir);
      norm = Math.hypot(...dir);
    } while (norm === 0);
    const r = r0 + (r1 - r0) * Math.pow(rng.random(), 1 / dim);
    const i = order[k];
    for (let d = 0; d < dim; d++) x[i * dim + d] = (r * dir[d]) / norm;
    labels[i] = inner ? -1 : 1;
  }
  return { name: dim === 2 ? 'circles' : 'nestedSpheres', n, dim, x, labels };
}

/** Concentric circles: nested spheres in 2-D. */
export function circles(opts: Omit<NestedSpheresOptions, 'dim'> = {}): PointData {
  return nestedSpheres({ ...opts, dim: 2 });
}
