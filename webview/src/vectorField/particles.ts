/**
 * Particles advected by the sampled field: midpoint (RK2) steps through the bilinear field,
 * each particle living a random number of frames and respawning anywhere in the box when it
 * ages out or leaves. Positions are in data coordinates; the time step is chosen so that the
 * fastest particle moves `pixelsPerFrame` on screen, whatever the field's scale.
 */
import type { FieldGrid } from './fieldGrid';

const MIN_AGE = 40;
const MAX_AGE = 160;

export class Particles {
  x = new Float64Array(0);
  y = new Float64Array(0);
  /** Where each particle was before the last step (a streak from there to here is drawn). */
  px = new Float64Array(0);
  py = new Float64Array(0);
  private age = new Int32Array(0);
  private life = new Int32Array(0);
  private readonly k = new Float64Array(2);

  constructor(private grid: FieldGrid, count: number) {
    this.resize(count);
  }

  get count(): number {
    return this.x.length;
  }

  setGrid(grid: FieldGrid): void {
    this.grid = grid;
  }

  resize(count: number): void {
    const old = this.x.length;
    const grow = <T extends Float64Array | Int32Array>(a: T, make: (n: number) => T): T => {
      const b = make(count);
      b.set(a.subarray(0, Math.min(old, count)));
      return b;
    };
    this.x = grow(this.x, (n) => new Float64Array(n));
    this.y = grow(this.y, (n) => new Float64Array(n));
    this.px = grow(this.px, (n) => new Float64Array(n));
    this.py = grow(this.py, (n) => new Float64Array(n));
    this.age = grow(this.age, (n) => new Int32Array(n));
    this.life = grow(this.life, (n) => new Int32Array(n));
    for (let p = old; p < count; p++) {
      this.spawn(p);
      // Spread the first deaths out, so the particles do not all respawn in one frame.
      this.age[p] = Math.floor(Math.random() * this.life[p]);
    }
  }

  private spawn(p: number): void {
    const g = this.grid;
    this.x[p] = this.px[p] = g.xMin + Math.random() * g.dx * (g.n - 1);
    this.y[p] = this.py[p] = g.yMin + Math.random() * g.dy * (g.n - 1);
    this.age[p] = 0;
    this.life[p] = MIN_AGE + Math.floor(Math.random() * (MAX_AGE - MIN_AGE));
  }

  /** One frame: `unitsPerPixel` converts the on-screen speed to data units. */
  step(unitsPerPixel: number, pixelsPerFrame = 1.5): void {
    const g = this.grid;
    const dt = g.maxMagnitude > 0 ? (pixelsPerFrame * unitsPerPixel) / g.maxMagnitude : 0;
    const k = this.k;
    for (let p = 0; p < this.x.length; p++) {
      const x = this.x[p], y = this.y[p];
      this.px[p] = x;
      this.py[p] = y;
      if (++this.age[p] > this.life[p] || !g.sample(x, y, k)) {
        this.spawn(p);
        continue;
      }
      const mx = x + 0.5 * dt * k[0];
      const my = y + 0.5 * dt * k[1];
      if (!g.sample(mx, my, k)) {
        this.spawn(p);
        continue;
      }
      this.x[p] = x + dt * k[0];
      this.y[p] = y + dt * k[1];
    }
  }
}
