// The ranges a plot shows: the box around its data, padded, and widened to equal aspect so that a
// phase portrait or the complex plane keeps its geometry (a circle stays a circle).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { aspectError, boundsOf, equalAspect, padBox, unionBox } from '../../webview/src/shared/plotBox';

const close = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) < 1e-9, `${what}: ${a} vs ${b}`);

describe('boundsOf', () => {
  it('spans the finite points of every list', () => {
    const b = boundsOf([{ x: 1, y: 2 }, { x: Number.NaN, y: 100 }], [{ x: -3, y: 0.5 }, { x: 2, y: Infinity }]);
    assert.deepEqual(b, { xMin: -3, xMax: 1, yMin: 0.5, yMax: 2 });
  });
  it('is null without a finite point', () => {
    assert.equal(boundsOf([], [{ x: Number.NaN, y: 0 }]), null);
  });
  it('joins boxes', () => {
    assert.deepEqual(unionBox(null, { xMin: 0, xMax: 1, yMin: 0, yMax: 1 }, { xMin: -1, xMax: 0.5, yMin: 0.5, yMax: 3 }), { xMin: -1, xMax: 1, yMin: 0, yMax: 3 });
    assert.equal(unionBox(null, undefined), null);
  });
});

describe('padBox', () => {
  it('adds the same margin on both axes, a fraction of the larger side', () => {
    assert.deepEqual(padBox({ xMin: 0, xMax: 10, yMin: 0, yMax: 1 }, 0.05), { xMin: -0.5, xMax: 10.5, yMin: -0.5, yMax: 1.5 });
  });
  it('makes a box of a single point', () => {
    const b = padBox({ xMin: 2, xMax: 2, yMin: 2, yMax: 2 }, 0.05);
    assert.ok(b.xMin < 2 && b.xMax > 2 && b.yMin < 2 && b.yMax > 2);
  });
});

describe('equalAspect', () => {
  it('widens the short side about the centre so one unit is as long on x as on y', () => {
    // A wide box in a tall plot: y grows.
    const b = equalAspect({ xMin: -2, xMax: 2, yMin: -1, yMax: 1 }, 400, 600);
    close(b.xMin, -2, 'xMin');
    close(b.xMax, 2, 'xMax');
    close(b.yMin, -3, 'yMin');
    close(b.yMax, 3, 'yMax');
    close(aspectError(b, 400, 600), 0, 'aspect');
    // A tall box in a wide plot: x grows.
    const c = equalAspect({ xMin: 0, xMax: 1, yMin: 0, yMax: 4 }, 800, 400);
    close(c.yMin, 0, 'yMin');
    close(c.yMax, 4, 'yMax');
    close(c.xMin, -3.5, 'xMin');
    close(c.xMax, 4.5, 'xMax');
  });
  it('keeps the whole box in view', () => {
    for (const [w, h] of [[300, 300], [1000, 120], [90, 700]]) {
      const box = { xMin: -2.24, xMax: 3.29, yMin: -2.13, yMax: 1.67 };
      const b = equalAspect(box, w, h);
      assert.ok(b.xMin <= box.xMin + 1e-12 && b.xMax >= box.xMax - 1e-12 && b.yMin <= box.yMin + 1e-12 && b.yMax >= box.yMax - 1e-12);
      assert.ok(aspectError(b, w, h) < 1e-9);
    }
  });
  it('leaves the box as it is without an area to fit', () => {
    const box = { xMin: 0, xMax: 1, yMin: 0, yMax: 2 };
    assert.deepEqual(equalAspect(box, 0, 100), box);
  });
});
