/**
 * Linear stability of Runge–Kutta methods: applied to y' = λy, one step multiplies y by
 * R(z) = 1 + z·bᵀ(I − zA)⁻¹·1 with z = hλ, and the step is stable where |R(z)| ≤ 1. The
 * region is sampled on a grid of the complex plane and its boundary traced as line segments,
 * ready for a canvas.
 */
import { esdirkMethodTableau } from './implicitTableaus';
import { cAbs, cDiv, cMul, cSub, type Complex } from './complex';
import { methodInfo } from '../solvers/registry';

/** A Runge–Kutta method as the full s×s matrix A and weights b (explicit or implicit). */
export interface RkCoefficients {
  A: number[][];
  b: number[];
}

/**
 * The coefficients of a registered method, or null (with why) for methods that are not
 * one-step Runge–Kutta methods (explicit_adams, lm).
 */
export function methodCoefficients(method: string): { coefficients: RkCoefficients; note: null } | { coefficients: null; note: string } {
  const info = methodInfo(method);
  if (info.tableau) {
    const s = info.tableau.stages;
    const A = info.tableau.a.map((row) => {
      const full = new Array<number>(s).fill(0);
      row.forEach((v, j) => (full[j] = v));
      return full;
    });
    return { coefficients: { A, b: [...info.tableau.b] }, note: null };
  }
  const implicit = esdirkMethodTableau(info.name);
  if (implicit) return { coefficients: implicit, note: null };
  return {
    coefficients: null,
    note: `${info.name} is a multistep method: its stability region is not that of a one-step R(z), so none is drawn.`,
  };
}

/** R(z) = 1 + z·bᵀ(I − zA)⁻¹·1, by Gaussian elimination with partial pivoting (s is small). */
export function stabilityFunction({ A, b }: RkCoefficients, z: Complex): Complex {
  const s = b.length;
  // M = I − zA, augmented with the right-hand side 1.
  const M: Complex[][] = A.map((row, i) => [
    ...row.map((a, j) => ({ re: (i === j ? 1 : 0) - z.re * a, im: -z.im * a })),
    { re: 1, im: 0 },
  ]);
  for (let k = 0; k < s; k++) {
    let p = k;
    for (let i = k + 1; i < s; i++) if (cAbs(M[i][k]) > cAbs(M[p][k])) p = i;
    if (cAbs(M[p][k]) === 0) return { re: Infinity, im: 0 }; // z is a pole of R
    [M[k], M[p]] = [M[p], M[k]];
    for (let i = k + 1; i < s; i++) {
      const m = cDiv(M[i][k], M[k][k]);
      if (m.re === 0 && m.im === 0) continue;
      for (let j = k; j <= s; j++) M[i][j] = cSub(M[i][j], cMul(m, M[k][j]));
    }
  }
  const x: Complex[] = new Array(s);
  for (let i = s - 1; i >= 0; i--) {
    let acc = M[i][s];
    for (let j = i + 1; j < s; j++) acc = cSub(acc, cMul(M[i][j], x[j]));
    x[i] = cDiv(acc, M[i][i]);
  }
  let sum: Complex = { re: 0, im: 0 };
  for (let i = 0; i < s; i++) sum = { re: sum.re + b[i] * x[i].re, im: sum.im + b[i] * x[i].im };
  const zs = cMul(z, sum);
  return { re: 1 + zs.re, im: zs.im };
}

/**
 * Where the stability region meets the negative real axis: the first x < 0, going left from 0,
 * with |R(x)| = 1 (rk4 −2.785, dopri5 −3.307). −Infinity when |R| ≤ 1 up to `limit` (A-stable methods).
 */
export function realAxisCrossing(coefficients: RkCoefficients, limit = 100): number {
  const g = (x: number): number => cAbs(stabilityFunction(coefficients, { re: x, im: 0 })) - 1;
  const dx = 1e-3;
  let a = -dx;
  // |R| dips below 1 just left of 0 for a consistent method; scan for where it climbs back over.
  while (a > -limit && g(a) <= 0) a -= dx;
  if (a <= -limit) return -Infinity;
  let lo = a; // g(lo) > 0
  let hi = a + dx; // g(hi) ≤ 0
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (g(mid) > 0) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

export interface PlaneBounds {
  reMin: number;
  reMax: number;
  imMin: number;
  imMax: number;
}

/** The region sampled for drawing. */
export interface StabilityRegion {
  bounds: PlaneBounds;
  /** Samples per axis: node (i, j) is re = reMin + i·dRe, im = imMin + j·dIm. */
  nx: number;
  ny: number;
  /** |R| at the nodes, row-major: index j·nx + i. */
  absR: Float64Array;
  /** The |R| = 1 curve as segments [re0, im0, re1, im1, …] (marching squares). */
  boundary: Float64Array;
  /** Where the region meets the negative real axis (−Infinity: nowhere in reach). */
  realAxis: number;
}

/** The crossing point of the level 1 on the edge between nodes of values va and vb. */
const lerp = (a: number, b: number, va: number, vb: number): number => a + ((1 - va) / (vb - va)) * (b - a);

/** Traces |R| = 1 through the grid: in each cell, the edges where |R| − 1 changes sign are joined. */
function traceBoundary(absR: Float64Array, nx: number, ny: number, bounds: PlaneBounds): Float64Array {
  const dx = (bounds.reMax - bounds.reMin) / (nx - 1);
  const dy = (bounds.imMax - bounds.imMin) / (ny - 1);
  const out: number[] = [];
  const at = (i: number, j: number): number => absR[j * nx + i];
  for (let j = 0; j < ny - 1; j++) {
    for (let i = 0; i < nx - 1; i++) {
      const x0 = bounds.reMin + i * dx;
      const y0 = bounds.imMin + j * dy;
      // Corners counter-clockwise: (i,j), (i+1,j), (i+1,j+1), (i,j+1).
      const v = [at(i, j), at(i + 1, j), at(i + 1, j + 1), at(i, j + 1)];
      const px = [x0, x0 + dx, x0 + dx, x0];
      const py = [y0, y0, y0 + dy, y0 + dy];
      const points: number[] = [];
      for (let e = 0; e < 4; e++) {
        const a = e;
        const b = (e + 1) % 4;
        const ia = v[a] <= 1;
        const ib = v[b] <= 1;
        if (ia === ib || !Number.isFinite(v[a]) || !Number.isFinite(v[b])) continue;
        points.push(lerp(px[a], px[b], v[a], v[b]), lerp(py[a], py[b], v[a], v[b]));
      }
      // Two crossings: one segment; four (a saddle): two, pairing neighbouring edges.
      for (let k = 0; k + 3 < points.length; k += 4) out.push(points[k], points[k + 1], points[k + 2], points[k + 3]);
    }
  }
  return Float64Array.from(out);
}

/** A window showing the whole region of an explicit method, or the unstable bubble of an implicit one. */
export function defaultBounds(coefficients: RkCoefficients): PlaneBounds {
  const cross = realAxisCrossing(coefficients);
  const left = Number.isFinite(cross) ? Math.max(3, -cross * 1.25) : 6;
  const right = Number.isFinite(cross) ? Math.max(1, 0.3 * left) : 6;
  const half = Math.max(left, right) * 0.75;
  return { reMin: -left, reMax: right, imMin: -half, imMax: half };
}

/** Samples |R| on an nx × ny grid over `bounds` and traces the |R| = 1 boundary. */
export function stabilityRegion(coefficients: RkCoefficients, bounds = defaultBounds(coefficients), nx = 161, ny = 121): StabilityRegion {
  if (!(nx >= 2 && ny >= 2 && bounds.reMin < bounds.reMax && bounds.imMin < bounds.imMax)) {
    throw new RangeError('The stability grid needs at least 2 × 2 samples over a non-empty window.');
  }
  const absR = new Float64Array(nx * ny);
  for (let j = 0; j < ny; j++) {
    const im = bounds.imMin + ((bounds.imMax - bounds.imMin) * j) / (ny - 1);
    for (let i = 0; i < nx; i++) {
      const re = bounds.reMin + ((bounds.reMax - bounds.reMin) * i) / (nx - 1);
      absR[j * nx + i] = cAbs(stabilityFunction(coefficients, { re, im }));
    }
  }
  return { bounds, nx, ny, absR, boundary: traceBoundary(absR, nx, ny, bounds), realAxis: realAxisCrossing(coefficients) };
}
