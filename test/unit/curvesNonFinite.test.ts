// A diverged loss (NaN, ±Infinity) reaches the curves panel as null (webview messages go through
// JSON): the message is accepted, the page reads null back as NaN, and the chart marks the gap.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { toCurvePoint } from '../../extension/src/panels/metricsTail';
import { nonFinitePoints } from '../../webview/src/curves/nonFiniteMarker';
import { toSeries } from '../../webview/src/curves/series';
import { fromWire, validateHostMessage, type WireCurvePoint } from '../../webview/src/protocol';

describe('non-finite metrics in the curves panel', () => {
  const records = [
    { iteration: 1, loss: 0.5, nfeForward: 26 },
    { iteration: 2, loss: Number.NaN, nfeForward: 32 },
    { iteration: 3, loss: Number.POSITIVE_INFINITY, nfeForward: 38 },
  ];

  it('survives the trip through JSON: the batch is accepted, and null is read back as NaN', () => {
    const message = JSON.parse(JSON.stringify({ type: 'curves/metrics', payload: { runId: 'r', reset: true, points: records.map(toCurvePoint) } }));
    const checked = validateHostMessage(message);
    assert.equal(checked.ok, true, checked.ok ? '' : checked.error);
    const points = (message.payload.points as WireCurvePoint[]).map(fromWire);
    assert.deepEqual(points.map((p) => p.loss), [0.5, NaN, NaN]);
    assert.deepEqual(points.map((p) => p.nfeForward), [26, 32, 38], 'the other metrics of those iterations are kept');
  });

  it('draws a gap where the loss was not finite, and marks each one', () => {
    const points = records.map((r) => fromWire(JSON.parse(JSON.stringify(toCurvePoint(r)))));
    assert.deepEqual(toSeries(points, 'loss', true), [{ x: 1, y: 0.5 }, { x: 2, y: null }, { x: 3, y: null }]);
    assert.deepEqual(nonFinitePoints(points, 'loss').map((p) => p.index), [1, 2]);
    assert.deepEqual(nonFinitePoints(points, 'nfeForward'), []);
  });
});
