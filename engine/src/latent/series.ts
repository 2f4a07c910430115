/**
 * Irregularly sampled series as the latent models read them, and the rule for their times:
 * each series' observation times must be finite, ≥ 0 (the latent state starts at t = 0) and
 * strictly increasing. Unsorted or repeated times are refused with the series' index and the
 * offending times; `sortObservations` is the fix the message offers (sort, average repeats).
 */
import type { IrregularSpiral, IrregularSpiralsData } from '../data/irregularSpirals';

/** One series: observations, and the noise-free values to score interpolation and extrapolation. */
export interface LatentSeries {
  /** Observation times (strictly increasing, ≥ 0) and observations, n × dim. */
  t: Float64Array;
  ys: Float64Array;
  /** Query times inside the observed span and past it, with the noise-free values there. */
  interpT: Float64Array;
  interpYs: Float64Array;
  extrapT: Float64Array;
  extrapYs: Float64Array;
}

/** Series data that break the times rule (or the shapes): what is wrong, where, and the fix. */
export class SeriesError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SeriesError';
  }
}

const FIX = 'Sort each series by time, moving its observations (rows of ys) along, and merge repeated times: sortObservations(spiral) does both (it averages the observations at one time).';

/** Throws a SeriesError unless spiral `s` follows the times rule and its arrays fit. */
export function checkTimes(s: number, t: ArrayLike<number>, ys: ArrayLike<number>, dim: number): void {
  const n = t.length;
  if (n < 1) throw new SeriesError(`series ${s} has no observations: each needs at least one.`);
  if (ys.length !== n * dim) throw new SeriesError(`series ${s} has ${n} times but ${ys.length} values in ys; ys needs ${n * dim} (${n} × ${dim}, row-major).`);
  for (let j = 0; j < n; j++) {
    if (!Number.isFinite(t[j]) || t[j] < 0) {
      throw new SeriesError(`series ${s}: observation time t[${j}] = ${t[j]}; times must be finite and ≥ 0 (the latent state starts at t = 0). Shift the times so the series starts at 0 or later.`);
    }
    if (j > 0 && t[j] === t[j - 1]) {
      throw new SeriesError(`series ${s}: t[${j - 1}] and t[${j}] are both ${t[j]}: two observations at one time. ${FIX}`);
    }
    if (j > 0 && t[j] < t[j - 1]) {
      throw new SeriesError(`series ${s}: observation times are not increasing: t[${j}] = ${t[j]} comes after t[${j - 1}] = ${t[j - 1]}. ${FIX}`);
    }
  }
  const bad = Array.prototype.findIndex.call(ys, (v: number) => !Number.isFinite(v));
  if (bad >= 0) throw new SeriesError(`series ${s}: observation ${Math.floor(bad / dim)} has ${ys[bad]} in component ${bad % dim}; observations must be finite.`);
}

/**
 * A copy of a spiral with its observations sorted by time and those at one time averaged (the
 * noise-free values too): the documented fix for unsorted or repeated times.
 */
export function sortObservations<S extends Pick<IrregularSpiral, 't' | 'ys' | 'trueYs'>>(spiral: S, dim = 2): S {
  // Observations grouped by time, in time order.
  const groups = new Map<number, number[]>();
  spiral.t.forEach((v, j) => groups.set(v, [...(groups.get(v) ?? []), j]));
  const t = Float64Array.from([...groups.keys()].sort((a, b) => a - b));
  const mean = (src: Float64Array): Float64Array => {
    const out = new Float64Array(t.length * dim);
    t.forEach((v, i) => {
      const js = groups.get(v)!;
      for (const j of js) for (let k = 0; k < dim; k++) out[i * dim + k] += src[j * dim + k] / js.length;
    });
    return out;
  };
  return { ...spiral, t, ys: mean(spiral.ys), trueYs: mean(spiral.trueYs) };
}

/**
 * The spirals as latent series, after the times rule. Interpolation is scored at the window's
 * dense times before `observedUntil`, extrapolation at those from it on (none when the spirals
 * were observed over their whole window); spirals without a window are scored at their
 * observation times against `trueYs`.
 */
export function spiralSeries(data: IrregularSpiralsData): LatentSeries[] {
  const dim = data.dim;
  if (!Array.isArray(data.spirals) || data.spirals.length < 1) throw new SeriesError(`the data '${data.name}' hold no spirals: give at least one.`);
  return data.spirals.map((sp, s) => {
    checkTimes(s, sp.t, sp.ys, dim);
    if (!sp.windowT || !sp.windowYs) {
      return { t: sp.t, ys: sp.ys, interpT: sp.t, interpYs: sp.trueYs ?? sp.ys, extrapT: new Float64Array(0), extrapYs: new Float64Array(0) };
    }
    const cut = sp.windowT.findIndex((x) => x >= sp.observedUntil);
    const k = cut < 0 ? sp.windowT.length : cut;
    return {
      t: sp.t,
      ys: sp.ys,
      interpT: sp.windowT.slice(0, k),
      interpYs: sp.windowYs.slice(0, k * dim),
      extrapT: sp.windowT.slice(k),
      extrapYs: sp.windowYs.slice(k * dim),
    };
  });
}

/**
 * One time grid for a batch of series: 0, then every series' times merged (times closer than
 * a relative 1e-9 are one, as the same dense time reached by different sums), and where each
 * series' times fall in it.
 */
export function unionTimes(times: readonly Float64Array[]): { t: Float64Array; index: Int32Array[] } {
  const all: { v: number; s: number; j: number }[] = [];
  times.forEach((ts, s) => ts.forEach((v, j) => all.push({ v, s, j })));
  all.sort((a, b) => a.v - b.v);
  const grid: number[] = [0];
  const index = times.map((ts) => new Int32Array(ts.length));
  for (const { v, s, j } of all) {
    const last = grid[grid.length - 1];
    if (Math.abs(v - last) > 1e-9 * Math.max(1, Math.abs(v))) grid.push(v);
    index[s][j] = grid.length - 1;
  }
  return { t: Float64Array.from(grid), index };
}
