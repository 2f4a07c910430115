/**
 * Evenly spaced streamlines of the sampled field (after Jobard and Lefer): seeds on a regular
 * grid, each traced forwards and backwards along the unit direction of the bilinear field with
 * midpoint steps, until it leaves the box, stalls, closes on itself or comes within half the
 * separation of a line already drawn; a seed within the separation of a line is skipped. Pure (no DOM), so it is unit-tested.
 */
import type { FieldGrid } from './fieldGrid';

export interface Streamline {
  /** x0, y0, x1, y1, … in data coordinates, in the direction of the flow. */
  points: Float64Array;
  /** Mean field magnitude along the line (for its colour). */
  magnitude: number;
}

export interface StreamlineOptions {
  /** Seeds per axis; also sets the separation between lines (default 18). */
  density?: number;
  /** Steps per line in each direction (default 400). */
  maxSteps?: number;
}

/** Cells marking where lines run, `cell` data units wide. */
class Occupancy {
  private readonly cells: Uint8Array;
  readonly nx: number;
  readonly ny: number;

  constructor(
    private readonly x0: number,
    private readonly y0: number,
    private readonly cell: number,
    width: number,
    height: number,
  ) {
    this.nx = Math.max(1, Math.ceil(width / cell));
    this.ny = Math.max(1, Math.ceil(height / cell));
    this.cells = new Uint8Array(this.nx * this.ny);
  }

  private index(x: number, y: number): number {
    const i = Math.min(this.nx - 1, Math.max(0, Math.floor((x - this.x0) / this.cell)));
    const j = Math.min(this.ny - 1, Math.max(0, Math.floor((y - this.y0) / this.cell)));
    return j * this.nx + i;
  }

  taken(x: number, y: number): boolean {
    return this.cells[this.index(x, y)] === 1;
  }

  /** A line runs in this cell or one next to it: too close to seed a new line. */
  near(x: number, y: number): boolean {
    const k = this.index(x, y);
    const i = k % this.nx, j = (k - i) / this.nx;
    for (let dj = -1; dj <= 1; dj++) {
      for (let di = -1; di <= 1; di++) {
        const a = i + di, b = j + dj;
        if (a >= 0 && b >= 0 && a < this.nx && b < this.ny && this.cells[b * this.nx + a] === 1) return true;
      }
    }
    return false;
  }

  mark(x: number, y: number): void {
    this.cells[this.index(x, y)] = 1;
  }
}

export function traceStreamlines(grid: FieldGrid, options: StreamlineOptions = {}): Streamline[] {
  const density = options.density ?? 18;
  const maxSteps = options.maxSteps ?? 400;
  const width = grid.dx * (grid.n - 1);
  const height = grid.dy * (grid.n - 1);
  if (!(grid.maxMagnitude > 0) || !(width > 0) || !(height > 0)) return [];
  const separation = Math.min(width, height) / density;
  const h = separation / 4;
  // Cells half the separation wide: a line stops where another one already runs.
  const occupied = new Occupancy(grid.xMin, grid.yMin, separation / 2, width, height);
  const k = new Float64Array(2);
  const stall = grid.maxMagnitude * 1e-4;
  const inside = (x: number, y: number) => x >= grid.xMin && y >= grid.yMin && x <= grid.xMin + width && y <= grid.yMin + height;

  /** Unit direction at (x, y) times `sign`, or false where the field stalls or the box ends. */
  const direction = (x: number, y: number, sign: number, out: Float64Array): boolean => {
    if (!grid.sample(x, y, k)) return false;
    const m = Math.hypot(k[0], k[1]);
    if (!(m > stall)) return false;
    out[0] = (sign * k[0]) / m;
    out[1] = (sign * k[1]) / m;
    return true;
  };

  const d1 = new Float64Array(2);
  const d2 = new Float64Array(2);
  /** One half of a line from the seed; its points after the seed, their summed magnitude, and whether it closed on itself. */
  const half = (sx: number, sy: number, sign: number): { xs: number[]; sum: number; closed: boolean } => {
    const xs: number[] = [];
    let x = sx, y = sy, sum = 0, closed = false;
    for (let s = 0; s < maxSteps; s++) {
      if (!direction(x, y, sign, d1)) break;
      if (!direction(x + 0.5 * h * d1[0], y + 0.5 * h * d1[1], sign, d2)) break;
      const nx = x + h * d2[0], ny = y + h * d2[1];
      if (!inside(nx, ny) || occupied.taken(nx, ny)) break;
      // A closed orbit: back near the seed after going round.
      if (s > 8 && Math.hypot(nx - sx, ny - sy) < h) {
        closed = true;
        break;
      }
      x = nx;
      y = ny;
      xs.push(x, y);
      grid.sample(x, y, k);
      sum += Math.hypot(k[0], k[1]);
    }
    return { xs, sum, closed };
  };

  const lines: Streamline[] = [];
  const seedsX = Math.max(2, Math.round(width / separation));
  const seedsY = Math.max(2, Math.round(height / separation));
  for (let j = 0; j < seedsY; j++) {
    for (let i = 0; i < seedsX; i++) {
      const sx = grid.xMin + ((i + 0.5) * width) / seedsX;
      const sy = grid.yMin + ((j + 0.5) * height) / seedsY;
      if (occupied.near(sx, sy) || !grid.sample(sx, sy, k)) continue;
      const back = half(sx, sy, -1);
      // A closed orbit traced backwards is the whole line.
      const ahead = back.closed ? { xs: [], sum: 0, closed: true } : half(sx, sy, 1);
      const count = back.xs.length / 2 + 1 + ahead.xs.length / 2;
      if (count < 4) continue;
      const points = new Float64Array(2 * count);
      // The backward half reversed, the seed, the forward half: one line in the flow's direction.
      let o = 0;
      for (let p = back.xs.length - 2; p >= 0; p -= 2) {
        points[o++] = back.xs[p];
        points[o++] = back.xs[p + 1];
      }
      points[o++] = sx;
      points[o++] = sy;
      points.set(ahead.xs, o);
      for (let p = 0; p < points.length; p += 2) occupied.mark(points[p], points[p + 1]);
      lines.push({ points, magnitude: (back.sum + ahead.sum) / (count - 1) });
    }
  }
  return lines;
}
