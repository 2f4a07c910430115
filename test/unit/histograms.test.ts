// Histograms of weights and gradients: the pure histogram (counts sum to the values, min and max,
// constant and non-finite values), the groups of a parameter vector, and histograms.jsonl
// (appended whole lines, a cut last line skipped by readers and dropped by a resume's rewind).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { histogram, histogramSample, histogramSettings, paramGroups } from '../../engine/src/train/histograms';
import { HISTOGRAMS_FILE, HistogramLog, readHistograms, rewindHistograms, toHistogramSample } from '../../engine/src/train/histogramLog';

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'neural-ode-histograms-'));
after(() => fs.rmSync(scratch, { recursive: true, force: true }));
const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);

describe('histogram', () => {
  it('counts every value once, between its min and max', () => {
    const values = Float64Array.from({ length: 1001 }, (_, i) => Math.sin(i) * 3 + i / 1000);
    const h = histogram(values, 30);
    assert.equal(h.counts.length, 30);
    assert.equal(sum(h.counts), values.length);
    assert.equal(h.min, Math.min(...values));
    assert.equal(h.max, Math.max(...values));
    assert.equal(h.nonFinite, undefined);
  });

  it('puts each value in its bin, the maximum in the last', () => {
    const h = histogram([0, 0.1, 0.2, 0.5, 0.79, 1], 5);
    assert.deepEqual(h, { min: 0, max: 1, counts: [2, 1, 1, 1, 1] });
    assert.deepEqual(histogram([-1, 1], 5).counts, [1, 0, 0, 0, 1]);
  });

  it('a constant group is all in the first bin, at min = max', () => {
    assert.deepEqual(histogram(new Float64Array(7).fill(0.25), 5), { min: 0.25, max: 0.25, counts: [7, 0, 0, 0, 0] });
    assert.deepEqual(histogram(new Float64Array(3), 5), { min: 0, max: 0, counts: [3, 0, 0, 0, 0] });
  });

  it('leaves NaN and infinities out of the bins and says how many', () => {
    const h = histogram([1, NaN, 2, Infinity, -Infinity, 3], 4);
    assert.deepEqual(h, { min: 1, max: 3, counts: [1, 0, 1, 1], nonFinite: 3 });
    assert.deepEqual(histogram([NaN], 5), { min: 0, max: 0, counts: [0, 0, 0, 0, 0], nonFinite: 1 });
  });

  it('reads a slice of the vector', () => {
    const h = histogram([100, 1, 2, 3, -100], 3, 1, 3);
    assert.deepEqual(h, { min: 1, max: 3, counts: [1, 1, 1] });
  });
});

describe('parameter groups and samples', () => {
  const layout = [
    { name: '0.weight', shape: [3, 2], offset: 0 },
    { name: '0.bias', shape: [3], offset: 6 },
  ];

  it('one group per named entry, then the readout; one group "params" without names', () => {
    assert.deepEqual(paramGroups(layout, 9), [
      { name: '0.weight', offset: 0, size: 6 },
      { name: '0.bias', offset: 6, size: 3 },
    ]);
    assert.deepEqual(paramGroups(undefined, 9, 4), [
      { name: 'params', offset: 0, size: 9 },
      { name: 'readout', offset: 9, size: 4 },
    ]);
  });

  it('a sample holds the weights and gradients of every group', () => {
    const weights = Float64Array.from({ length: 9 }, (_, i) => i);
    const grads = Float64Array.from({ length: 9 }, (_, i) => -i / 10);
    const s = histogramSample(50, paramGroups(layout, 9), weights, grads, 6);
    assert.equal(s.iteration, 50);
    assert.deepEqual(s.groups.map((g) => [g.name, g.size, sum(g.weights.counts), sum(g.gradients.counts)]), [
      ['0.weight', 6, 6, 6],
      ['0.bias', 3, 3, 3],
    ]);
    assert.deepEqual([s.groups[1].weights.min, s.groups[1].weights.max, s.groups[1].gradients.min, s.groups[1].gradients.max], [6, 8, -0.8, -0.6]);
  });

  it('train.histograms: off by default, true is every 50 into 30 bins', () => {
    assert.equal(histogramSettings(undefined), null);
    assert.equal(histogramSettings(false), null);
    assert.deepEqual(histogramSettings(true), { every: 50, bins: 30 });
    assert.deepEqual(histogramSettings({ bins: 10 }), { every: 50, bins: 10 });
    assert.deepEqual(histogramSettings({ every: 5 }), { every: 5, bins: 30 });
  });
});

describe('histograms.jsonl', () => {
  const sample = (iteration: number) => histogramSample(iteration, [{ name: 'params', offset: 0, size: 3 }], [1, 2, iteration], [0, -1, 1], 5);

  it('appends one line per sample and reads them back', () => {
    const dir = fs.mkdtempSync(path.join(scratch, 'run-'));
    assert.deepEqual(readHistograms(dir), [], 'no file: no samples');
    const log = new HistogramLog(dir);
    for (const it of [5, 10, 12]) log.append(sample(it));
    log.close();
    const text = fs.readFileSync(path.join(dir, HISTOGRAMS_FILE), 'utf8');
    assert.equal(text.split('\n').length, 4, 'three lines and the final newline');
    assert.deepEqual(readHistograms(dir), [sample(5), sample(10), sample(12)]);
  });

  it('a cut last line is skipped by readers and dropped, with later samples, on rewind', () => {
    const dir = fs.mkdtempSync(path.join(scratch, 'run-'));
    const file = path.join(dir, HISTOGRAMS_FILE);
    const lines = [5, 10, 15].map((it) => JSON.stringify(sample(it)));
    fs.writeFileSync(file, `${lines.join('\n')}\n${lines[2].slice(0, 30)}`);
    assert.deepEqual(readHistograms(dir).map((s) => s.iteration), [5, 10, 15]);
    rewindHistograms(dir, 10);
    assert.equal(fs.readFileSync(file, 'utf8'), `${lines[0]}\n${lines[1]}\n`);
    assert.deepEqual(fs.readdirSync(dir), [HISTOGRAMS_FILE], 'no temporary file left');
    const log = new HistogramLog(dir);
    log.append(sample(11));
    log.close();
    assert.deepEqual(readHistograms(dir).map((s) => s.iteration), [5, 10, 11]);
    rewindHistograms(fs.mkdtempSync(path.join(scratch, 'none-')), 3); // nothing to rewind: no error
  });

  it('a line that is not a sample is refused', () => {
    assert.equal(toHistogramSample({ iteration: 1 }), null);
    assert.equal(toHistogramSample({ iteration: 1, groups: [{ name: 'a', size: 1, weights: { min: 1, max: 0, counts: [1] }, gradients: { min: 0, max: 0, counts: [1] } }] }), null);
    assert.equal(toHistogramSample({ iteration: 1, groups: [{ name: 'a', size: 1, weights: { min: 0, max: 1, counts: [-1] }, gradients: { min: 0, max: 0, counts: [1] } }] }), null);
    assert.deepEqual(toHistogramSample({ ...sample(3), extra: true }), sample(3), 'other fields are left out');
  });
});
