/** Data coordinates ↔ canvas pixels, with one scale for both axes so arrows keep their angles. */
import type { FieldPreview } from '../protocol';

export class Viewport {
  readonly scale: number;
  private readonly ox: number;
  private readonly oy: number;

  constructor(
    readonly bounds: FieldPreview['bounds'],
    readonly width: number,
    readonly height: number,
    readonly margin: number,
  ) {
    const w = Math.max(1, width - 2 * margin);
    const h = Math.max(1, height - 2 * margin);
    const bw = bounds.xMax - bounds.xMin;
    const bh = bounds.yMax - bounds.yMin;
    this.scale = Math.min(w / bw, h / bh);
    // Centre the box; y grows upwards on screen.
    this.ox = margin + (w - bw * this.scale) / 2 - bounds.xMin * this.scale;
    this.oy = margin + (h + bh * this.scale) / 2 + bounds.yMin * this.scale;
  }

  px(x: number): number {
    return this.ox + x * this.scale;
  }

  py(y: number): number {
    return this.oy - y * this.scale;
  }
}
