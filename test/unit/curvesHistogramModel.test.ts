// The histograms section's data: samples merged by iteration, the groups in the model's order,
// one group's columns, the value range they span, columns tiling the iteration axis, and the bin
// under the cursor.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { HistogramSample } from '../../webview/src/protocol';
import { binAt, binInterval, columnAt, columnEdges, groupColumns, groupNames, mergeSamples, valueRange } from '../../webview/src/curves/histogramModel';

const bins = (min: number, max: number, counts = [1, 2, 1]) => ({ min, max, counts });
const sample = (iteration: number, groups: [string, number, number][]): HistogramSample => ({
  iteration,
  groups: groups.map(([name, min, max]) => ({ name, size: 4, weights: bins(min, max), gradients: bins(min / 100, max / 100) })),
});

describe('histogram model', () => {
  it('merges samples by iteration, the newer replacing the older', () => {
    const a = [sample(50, [['w', 0, 1]]), sample(100, [['w', 0, 2]])];
    const merged = mergeSamples(a, [sample(100, [['w', 0, 3]]), sample(150, [['w', 0, 4]]), sample(25, [['w', 0, 5]])]);
    assert.deepEqual(merged.map((s) => [s.iteration, s.groups[0].weights.max]), [[25, 5], [50, 1], [100, 3], [150, 4]]);
  });

  it("lists the groups in the model's order and a group's columns of weights or gradients", () => {
    const samples = [sample(1, [['0.weight', -1, 1], ['0.bias', 0, 0.5]]), sample(2, [['0.weight', -2, 1], ['0.bias', 0, 1], ['readout', 0, 1]])];
    assert.deepEqual(groupNames(samples), ['0.weight', '0.bias', 'readout']);
    assert.deepEqual(groupColumns(samples, 'readout', 'weights'), [{ iteration: 2, bins: bins(0, 1) }]);
    assert.deepEqual(groupColumns(samples, '0.weight', 'gradients').map((c) => c.bins.min), [-0.01, -0.02]);
  });

  it('the value range is the union of the columns, widened around a constant', () => {
    assert.deepEqual(valueRange([{ iteration: 1, bins: bins(-1, 0.5) }, { iteration: 2, bins: bins(-0.5, 2) }]), { min: -1, max: 2 });
    assert.deepEqual(valueRange([{ iteration: 1, bins: bins(2, 2, [4, 0, 0]) }]), { min: 1.8, max: 2.2 });
    assert.deepEqual(valueRange([{ iteration: 1, bins: bins(0, 0, [4, 0, 0]) }]), { min: -1, max: 1 });
    assert.equal(valueRange([]), null);
    assert.equal(valueRange([{ iteration: 1, bins: bins(0, 0, [0, 0, 0]) }]), null, 'no value at all (every one NaN)');
  });

  it('columns tile the iteration axis, the last one as wide as its gap', () => {
    assert.deepEqual(columnEdges([50, 100, 120]), [[25, 75], [75, 110], [110, 130]]);
    assert.deepEqual(columnEdges([7]), [[6.5, 7.5]]);
    assert.deepEqual(columnEdges([]), []);
    const edges = columnEdges([50, 100, 120]);
    assert.deepEqual([0, 60, 75, 76, 111, 500].map((x) => columnAt(edges, x)), [0, 0, 0, 1, 2, 2]);
  });

  it('a bin holds its equal share of the range; a constant one its value', () => {
    const h = bins(0, 3, [1, 1, 1]);
    assert.deepEqual(binInterval(h, 1), [1, 2]);
    assert.deepEqual(binInterval(h, 2), [2, 3]);
    assert.deepEqual(binInterval(bins(5, 5), 0), [5, 5]);
    assert.deepEqual([-1, 0, 1.5, 3, 4].map((v) => binAt(h, v)), [null, 0, 1, 2, null]);
    assert.equal(binAt(bins(5, 5), 5), 0);
  });
});
