// The vector field panel's frame: the plane at equal aspect filling the canvas, ticks at one nice
// step on both axes, and every label inside the canvas (none clipped at its edges).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { componentNames, planeFrame, type TextMetrics } from '../../webview/src/vectorField/frame';
import { aspectError } from '../../webview/src/shared/plotBox';

/** About the widths of a 12 px sans-serif: 7 px a character. */
const metrics = (ratio = 1): TextMetrics => ({ ratio, fontPx: 12 * ratio, measure: (s) => 7 * ratio * [...s].length });

// The pendulum's box, wider than tall: in a tall narrow panel (the report: a band above the plot).
const pendulum = { xMin: -2.24, xMax: 3.29, yMin: -2.13, yMax: 1.67 };

describe('planeFrame', () => {
  for (const [w, h, ratio] of [[440, 570, 1], [800, 500, 1], [900, 1100, 2], [300, 260, 1]]) {
    it(`fills a ${w} × ${h} canvas at equal aspect (ratio ${ratio})`, () => {
      const f = planeFrame(pendulum, ['y₀', 'y₁'], w, h, metrics(ratio));
      const { plot, view } = f;
      assert.ok(aspectError(view, plot.width, plot.height) < 1e-9, 'one unit as long on x as on y');
      assert.ok(view.xMin <= pendulum.xMin && view.xMax >= pendulum.xMax && view.yMin <= pendulum.yMin && view.yMax >= pendulum.yMax, 'the box in view');
      // The plot takes the canvas but for the room of the labels: no band is left empty above or beside it.
      assert.ok(plot.left > 0 && plot.top > 0 && plot.left + plot.width < w && plot.top + plot.height < h);
      assert.ok(plot.width > w - 90 * ratio && plot.height > h - 70 * ratio, `plot ${plot.width} × ${plot.height}`);
    });
  }

  it('ticks both axes at one 1, 2 or 5 × 10ᵏ step, labelled with its decimals', () => {
    const f = planeFrame(pendulum, ['y₀', 'y₁'], 440, 570, metrics());
    const m = f.step / 10 ** Math.floor(Math.log10(f.step) + 1e-9);
    assert.ok([1, 2, 5].some((k) => Math.abs(m - k) < 1e-9), `step ${f.step}`);
    assert.ok(f.xTicks.length >= 3 && f.yTicks.length >= 3, `${f.xTicks.length} × ${f.yTicks.length} ticks`);
    for (const t of [...f.xTicks, ...f.yTicks]) {
      assert.ok(Math.abs(t.value / f.step - Math.round(t.value / f.step)) < 1e-9, `${t.value} is a multiple of ${f.step}`);
    }
    assert.deepEqual(f.xTicks.map((t) => t.label), ['−2', '−1', '0', '1', '2', '3']);
  });

  it('keeps every label inside the canvas', () => {
    for (const [w, h] of [[440, 570], [800, 500], [250, 250]]) {
      const m = metrics();
      const f = planeFrame({ xMin: -1234.5, xMax: 987.6, yMin: 0.5, yMax: 4000 }, ['y₀', 'y₁'], w, h, m);
      const px = (x: number) => f.plot.left + ((x - f.view.xMin) / (f.view.xMax - f.view.xMin)) * f.plot.width;
      for (const t of f.xTicks) {
        const half = m.measure(t.label) / 2;
        assert.ok(px(t.value) - half >= 0 && px(t.value) + half <= w, `x label ${t.label} at ${px(t.value)} in ${w}`);
      }
      for (const t of f.yTicks) assert.ok(f.plot.left - 7 - m.measure(t.label) >= 0, `y label ${t.label}`);
    }
  });

  it('names the axes after the plane shown', () => {
    assert.deepEqual(componentNames('0,1'), ['y₀', 'y₁']);
    assert.deepEqual(componentNames('1,3'), ['y₁', 'y₃']);
    assert.deepEqual(planeFrame(pendulum, componentNames('0,2'), 400, 400, metrics()).names, ['y₀', 'y₂']);
  });
});
