/**
 * A run's points, downsampled for the chart as they stream in, in memory bounded by the number
 * of buckets rather than by the run's length: iterations fall into buckets of equal width, and
 * each bucket keeps its first and last records and, per drawn metric, the records of its lowest
 * and highest value and its first non-finite one (the envelope a pixel column shows, as
 * TensorBoard's samplers keep it). When the buckets are more than allowed, the width doubles and
 * neighbours merge. While every bucket is one iteration wide, every record is kept.
 *
 * The lowest evaluation loss is kept exactly (a bucket's minimum, the first of equals), so the
 * best-checkpoint marker is where it is in the full stream.
 */
import type { CurvePoint } from '../../../webview/src/protocol';

/** The metrics drawn as curves; `wallSeconds` is an x, carried by every point that has one. */
export const CURVE_KEYS = ['loss', 'evalLoss', 'accuracy', 'evalAccuracy', 'nfeForward', 'nfeBackward', 'iterationSeconds', 'lr', 'kinetic', 'jacobian'] as const;
type CurveKey = (typeof CURVE_KEYS)[number];

/** One kept value of one metric. */
interface Slot {
  iteration: number;
  value: number;
  wall: number | undefined;
}

interface Bucket {
  key: number;
  first: CurvePoint;
  last: CurvePoint;
  /** Per metric (CURVE_KEYS order): the lowest and highest finite value, the first NaN or ±Infinity. */
  min: (Slot | undefined)[];
  max: (Slot | undefined)[];
  odd: (Slot | undefined)[];
}

/** What changed since the last `takeChanges`: everything (`reset`), or the points from the first changed bucket on. */
export interface DownsampledChanges {
  reset: boolean;
  points: CurvePoint[];
}

/** About 1000 buckets: four points a bucket per metric, a few thousand a curve, a few per pixel of a wide chart. */
export const DEFAULT_BUCKETS = 1000;

export class CurvesDownsampler {
  private buckets: Bucket[] = [];
  private bucketWidth = 1;
  private lastIteration: number | undefined;
  /** Key of the first bucket changed since the last takeChanges; null: none. */
  private dirtyKey: number | null = null;
  private resetPending = true;
  private count = 0;

  constructor(readonly maxBuckets = DEFAULT_BUCKETS) {
    if (!(maxBuckets >= 1)) throw new Error(`A downsampler needs at least one bucket, got ${maxBuckets}.`);
  }

  /** Iterations per bucket. */
  get width(): number {
    return this.bucketWidth;
  }

  /** Points added (every record, kept or not). */
  get added(): number {
    return this.count;
  }

  /**
   * Adds the next record. Records come in iteration order; one whose iteration is not after the
   * last replaces what was kept from its iteration on (as the panel does with a rewound stream).
   */
  add(p: CurvePoint): void {
    this.count++;
    if (this.lastIteration !== undefined && p.iteration <= this.lastIteration) this.cut(p.iteration);
    this.lastIteration = p.iteration;
    const key = Math.floor(p.iteration / this.bucketWidth);
    let b = this.buckets[this.buckets.length - 1];
    if (b === undefined || b.key !== key) {
      b = { key, first: p, last: p, min: [], max: [], odd: [] };
      this.buckets.push(b);
    } else {
      b.last = p;
    }
    for (let i = 0; i < CURVE_KEYS.length; i++) {
      const v = p[CURVE_KEYS[i]];
      if (v === undefined) continue;
      if (!Number.isFinite(v)) {
        if (b.odd[i] === undefined) b.odd[i] = { iteration: p.iteration, value: v, wall: p.wallSeconds };
        continue;
      }
      // Strictly lower or higher: the first of equals stays.
      const lo = b.min[i];
      if (lo === undefined || v < lo.value) b.min[i] = { iteration: p.iteration, value: v, wall: p.wallSeconds };
      const hi = b.max[i];
      if (hi === undefined || v > hi.value) b.max[i] = { iteration: p.iteration, value: v, wall: p.wallSeconds };
    }
    if (this.dirtyKey === null || key < this.dirtyKey) this.dirtyKey = key;
    if (this.buckets.length > this.maxBuckets) this.coarsen();
  }

  /** Every kept point, in iteration order. */
  points(): CurvePoint[] {
    return this.buckets.flatMap(bucketPoints);
  }

  /**
   * What to send since the last call: everything the first time and after the buckets were
   * widened; otherwise the points of the changed buckets, which replace the receiver's points
   * from the first of them on (the first point of a bucket is its first iteration).
   */
  takeChanges(): DownsampledChanges {
    if (this.resetPending) {
      this.resetPending = false;
      this.dirtyKey = null;
      return { reset: true, points: this.points() };
    }
    if (this.dirtyKey === null) return { reset: false, points: [] };
    const from = this.dirtyKey;
    this.dirtyKey = null;
    return { reset: false, points: this.buckets.filter((b) => b.key >= from).flatMap(bucketPoints) };
  }

  /** Doubles the width until the buckets fit, merging neighbours. */
  private coarsen(): void {
    while (this.buckets.length > this.maxBuckets) {
      this.bucketWidth *= 2;
      const merged: Bucket[] = [];
      for (const b of this.buckets) {
        const key = Math.floor(b.key / 2);
        const prev = merged[merged.length - 1];
        if (prev !== undefined && prev.key === key) mergeInto(prev, b);
        else {
          b.key = key;
          merged.push(b);
        }
      }
      this.buckets = merged;
    }
    this.resetPending = true;
  }

  /** Forgets what was kept from `iteration` on (a rewritten stretch of the stream). */
  private cut(iteration: number): void {
    while (this.buckets.length > 0 && this.buckets[this.buckets.length - 1].first.iteration >= iteration) this.buckets.pop();
    const b = this.buckets[this.buckets.length - 1];
    if (b !== undefined) {
      const before = (s: Slot | undefined) => (s !== undefined && s.iteration < iteration ? s : undefined);
      b.min = b.min.map(before);
      b.max = b.max.map(before);
      b.odd = b.odd.map(before);
      // The records between the first and the cut are not kept: the first stands in as the last.
      if (b.last.iteration >= iteration) b.last = b.first;
      if (this.dirtyKey === null || b.key < this.dirtyKey) this.dirtyKey = b.key;
    }
  }
}

function mergeInto(a: Bucket, b: Bucket): void {
  a.last = b.last;
  for (let i = 0; i < CURVE_KEYS.length; i++) {
    const lo = b.min[i];
    if (lo !== undefined && (a.min[i] === undefined || lo.value < a.min[i]!.value)) a.min[i] = lo;
    const hi = b.max[i];
    if (hi !== undefined && (a.max[i] === undefined || hi.value > a.max[i]!.value)) a.max[i] = hi;
    if (a.odd[i] === undefined) a.odd[i] = b.odd[i];
  }
}

/**
 * A bucket's points in iteration order: its first and last records whole, and each metric's kept
 * values at their own iterations (a point there carries only the metrics kept at it, and its x).
 */
function bucketPoints(b: Bucket): CurvePoint[] {
  const at = new Map<number, CurvePoint>();
  const point = (iteration: number, wall: number | undefined): CurvePoint => {
    let p = at.get(iteration);
    if (p === undefined) {
      p = wall === undefined ? { iteration } : { iteration, wallSeconds: wall };
      at.set(iteration, p);
    }
    return p;
  };
  for (const r of b.first === b.last ? [b.first] : [b.first, b.last]) Object.assign(point(r.iteration, r.wallSeconds), r);
  for (let i = 0; i < CURVE_KEYS.length; i++) {
    const key: CurveKey = CURVE_KEYS[i];
    for (const s of [b.min[i], b.max[i], b.odd[i]]) if (s !== undefined) point(s.iteration, s.wall)[key] = s.value;
  }
  return [...at.values()].sort((x, y) => x.iteration - y.iteration);
}
