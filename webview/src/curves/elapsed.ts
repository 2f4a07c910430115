/*
 * A run's training time, shared by the panel (its relative-time axis) and the extension host
 * (the runs table's time column), so both count resumed runs alike. The host compiles this file
 * too: no DOM, no imports.
 */

/**
 * Counts seconds of training across a run's resumed parts. `wallSeconds` counts from the start
 * of the run or of its resumed part, so where it falls back the run was resumed, and the count
 * goes on from the last point before.
 */
export class ElapsedClock {
  private base = 0;
  private prevWall: number | undefined;
  private prevElapsed = 0;

  /** The training time at a point with this `wallSeconds` (undefined: none recorded). */
  next(wall: number | undefined): number | undefined {
    if (wall === undefined || !Number.isFinite(wall)) return undefined;
    if (this.prevWall !== undefined && wall < this.prevWall) this.base = this.prevElapsed;
    this.prevWall = wall;
    this.prevElapsed = this.base + wall;
    return this.prevElapsed;
  }

  /** The training time so far. */
  get total(): number | null {
    return this.prevWall === undefined ? null : this.prevElapsed;
  }
}
