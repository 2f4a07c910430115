/**
 * The sampled field as the panel uses it: bilinear interpolation between grid points (for the
 * particles), the largest magnitude (for colours and the particle speed) and a checksum (so a
 * test can tell that the field changed).
 */
import type { FieldPreview } from '../protocol';

export class FieldGrid {
  readonly n: number;
  readonly xMin: number;
  readonly yMin: number;
  readonly dx: number;
  readonly dy: number;
  readonly u: Float64Array;
  readonly v: Float64Array;
  readonly maxMagnitude: number;

  constructor(p: Pick<FieldPreview, 'n' | 'u' | 'v' | 'bounds'>) {
    this.n = p.n;
    this.xMin = p.bounds.xMin;
    this.yMin = p.bounds.yMin;
    this.dx = (p.bounds.xMax - p.bounds.xMin) / (p.n - 1);
    this.dy = (p.bounds.yMax - p.bounds.yMin) / (p.n - 1);
    // Non-finite samples (a field that overflows) count as still air.
    this.u = Float64Array.from(p.u, (x) => (Number.isFinite(x) ? x : 0));
    this.v = Float64Array.from(p.v, (x) => (Number.isFinite(x) ? x : 0));
    let max = 0;
    for (let k = 0; k < this.u.length; k++) max = Math.max(max, Math.hypot(this.u[k], this.v[k]));
    this.maxMagnitude = max;
  }

  /** Writes the interpolated (u, v) at (x, y) into out; false outside the grid. */
  sample(x: number, y: number, out: Float64Array): boolean {
    const fx = (x - this.xMin) / this.dx;
    const fy = (y - this.yMin) / this.dy;
    const n = this.n;
    if (!(fx >= 0 && fy >= 0 && fx <= n - 1 && fy <= n - 1)) return false;
    const i = Math.min(Math.floor(fx), n - 2);
    const j = Math.min(Math.floor(fy), n - 2);
    const a = fx - i;
    const b = fy - j;
    const k00 = j * n + i, k10 = k00 + 1, k01 = k00 + n, k11 = k01 + 1;
    const w00 = (1 - a) * (1 - b), w10 = a * (1 - b), w01 = (1 - a) * b, w11 = a * b;
    out[0] = w00 * this.u[k00] + w10 * this.u[k10] + w01 * this.u[k01] + w11 * this.u[k11];
    out[1] = w00 * this.v[k00] + w10 * this.v[k10] + w01 * this.v[k01] + w11 * this.v[k11];
    return true;
  }
}

/** FNV-1a over the values to 6 significant digits: equal fields give equal checksums. */
export function fieldChecksum(u: readonly number[], v: readonly number[]): string {
  let h = 0x811c9dc5;
  const feed = (x: number) => {
    const s = Number.isFinite(x) ? x.toPrecision(6) : String(x);
    for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  };
  for (let k = 0; k < u.length; k++) {
    feed(u[k]);
    feed(v[k]);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}

/**
 * The field at slider position `s` (0: the first frame, 1: the last), linear in time between
 * the two frames around it; the preview's own samples when the field has no frames.
 */
export function fieldAt(p: FieldPreview, s: number): { u: number[]; v: number[]; t: number | null } {
  const f = p.frames;
  if (!f || f.t.length < 2) return { u: p.u, v: p.v, t: null };
  const pos = Math.min(1, Math.max(0, s)) * (f.t.length - 1);
  const i = Math.min(f.t.length - 2, Math.floor(pos));
  const a = pos - i;
  const mix = (x: number[], y: number[]) => (a === 0 ? x : x.map((xv, k) => xv + (y[k] - xv) * a));
  return { u: mix(f.u[i], f.u[i + 1]), v: mix(f.v[i], f.v[i + 1]), t: f.t[i] + (f.t[i + 1] - f.t[i]) * a };
}
