/** Data coordinates ↔ canvas pixels in a plane's frame: one scale for both axes, so arrows keep their angles. */
import type { PlaneFrame } from './frame';

export class Viewport {
  /** Pixels per unit, on x and on y. */
  readonly scale: number;

  constructor(
    readonly frame: PlaneFrame,
    readonly width: number,
    readonly height: number,
  ) {
    this.scale = frame.plot.width / (frame.view.xMax - frame.view.xMin);
  }

  px(x: number): number {
    return this.frame.plot.left + (x - this.frame.view.xMin) * this.scale;
  }

  /** y grows upwards on screen. */
  py(y: number): number {
    return this.frame.plot.top + (this.frame.view.yMax - y) * this.scale;
  }

  /** Clips what follows to the plot area (until the caller restores the context). */
  clip(ctx: CanvasRenderingContext2D): void {
    const p = this.frame.plot;
    ctx.beginPath();
    ctx.rect(p.left, p.top, p.width, p.height);
    ctx.clip();
  }
}
