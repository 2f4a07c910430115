/**
 * The times of a run's points, settled while the host still sees every record in order, so that
 * the webview can draw any subset of them (a downsampled run):
 *
 * - `iterationSeconds`, when a record lacks it (older runs and other writers record only
 *   `wallSeconds`), is the difference of consecutive records' wall-clock stamps; none across a
 *   resume, where the clock restarts, and none for the first record;
 * - `wallSeconds` becomes the training time up to the point across the run's resumed parts (the
 *   clock of the runs table and of the relative-time axis), which only grows, so a subset of the
 *   points gives the same x as the whole stream.
 */
import type { CurvePoint } from '../../../webview/src/protocol';
import { ElapsedClock } from '../../../webview/src/curves/elapsed';

export class CurvePointTimes {
  private readonly clock = new ElapsedClock();
  private started = false;
  private prevWall: number | undefined;

  /** The point with its times settled (a copy when they change; the record given is left as it is). */
  next(p: CurvePoint): CurvePoint {
    const wall = p.wallSeconds;
    const prev = this.prevWall;
    const first = !this.started;
    this.started = true;
    this.prevWall = wall;
    const elapsed = this.clock.next(wall);
    const derive = p.iterationSeconds === undefined && !first && wall !== undefined && prev !== undefined && wall >= prev;
    if (!derive && (elapsed === undefined || elapsed === wall)) return p;
    const out: CurvePoint = { ...p };
    if (derive) out.iterationSeconds = wall - prev;
    if (elapsed !== undefined) out.wallSeconds = elapsed;
    return out;
  }
}
