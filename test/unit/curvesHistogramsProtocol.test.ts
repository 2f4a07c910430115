// curves/histograms: what the host reads from a run's histograms.jsonl (only appended samples,
// everything again after a rewind) passes the webview's validator; malformed or oversized
// samples are refused with a message that names the field.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { HISTOGRAMS_FILE, HistogramLog, rewindHistograms } from '../../engine/src/train/histogramLog';
import { histogramSample, paramGroups } from '../../engine/src/train/histograms';
import { HistogramsTail } from '../../extension/src/panels/histogramsTail';
import { validateHostMessage, type HistogramSample } from '../../webview/src/protocol';

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'curves-histograms-'));
after(() => fs.rmSync(scratch, { recursive: true, force: true }));

const runId = '20250101-120000-spiral-a1b2';
const layout = [
  { name: '0.weight', shape: [4, 2], offset: 0 },
  { name: '0.bias', shape: [4], offset: 8 },
];
const sample = (iteration: number): HistogramSample => {
  const w = Array.from({ length: 12 }, (_, i) => Math.sin(i + iteration));
  const g = Array.from({ length: 12 }, (_, i) => Math.cos(i * iteration) * 1e-3);
  return histogramSample(iteration, paramGroups(layout, 12), w, g, 30);
};
const message = (samples: unknown, reset = true) => ({ type: 'curves/histograms', payload: { runId, reset, samples } });

describe('HistogramsTail', () => {
  it('reads every sample first, then only the appended ones, and everything again after a rewind', () => {
    const dir = fs.mkdtempSync(path.join(scratch, 'run-'));
    const tail = new HistogramsTail(dir);
    assert.deepEqual(tail.read(), { reset: true, samples: [], badLines: 0 }, 'no file yet');
    const log = new HistogramLog(dir);
    for (const it of [50, 100]) log.append(sample(it));
    assert.deepEqual(tail.read(), { reset: false, samples: [sample(50), sample(100)], badLines: 0 });
    log.append(sample(150));
    fs.appendFileSync(path.join(dir, HISTOGRAMS_FILE), '{"iteration":200,"gro');
    assert.deepEqual(tail.read(), { reset: false, samples: [sample(150)], badLines: 0 }, 'a line being written waits');
    log.close();
    rewindHistograms(dir, 100);
    assert.deepEqual(tail.read(), { reset: true, samples: [sample(50), sample(100)], badLines: 0 });
    fs.appendFileSync(path.join(dir, HISTOGRAMS_FILE), '{"iteration":120}\nnot json\n');
    assert.deepEqual(tail.read(), { reset: false, samples: [], badLines: 2 });
  });
});

describe('curves/histograms', () => {
  it('accepts what the host sends', () => {
    for (const m of [message([sample(50), sample(100)]), message([], true), message([sample(150)], false)]) {
      const r = validateHostMessage(m);
      assert.ok(r.ok, r.ok ? '' : r.error);
    }
    const nonFinite = { ...sample(1), groups: [{ ...sample(1).groups[0], gradients: { min: 0, max: 0, counts: [0, 0, 0, 0, 0], nonFinite: 8 } }] };
    assert.ok(validateHostMessage(message([nonFinite])).ok);
  });

  it('refuses malformed samples, naming the field', () => {
    const good = sample(10);
    const group = good.groups[0];
    const cases: [unknown, RegExp][] = [
      [[{ ...good, iteration: -1 }], /samples\[0\]\.iteration: expected a count ≥ 0/],
      [[{ ...good, iteration: 1.5 }], /samples\[0\]\.iteration: expected an integer/],
      [[{ iteration: 1 }], /samples\[0\]\.groups: missing/],
      [[{ ...good, groups: [{ ...group, weights: { ...group.weights, min: 2, max: 1 } }] }], /groups\[0\]\.weights: expected finite min ≤ max/],
      [[{ ...good, groups: [{ ...group, weights: { ...group.weights, max: Infinity } }] }], /groups\[0\]\.weights: expected finite min ≤ max/],
      [[{ ...good, groups: [{ ...group, gradients: { ...group.gradients, counts: [1, -2] } }] }], /gradients\.counts\[1\]: expected a count ≥ 0/],
      [[{ ...good, groups: [{ ...group, gradients: { ...group.gradients, counts: [] } }] }], /gradients\.counts: expected at least one bin/],
      [[{ ...good, groups: [{ ...group, extra: 1 }] }], /groups\[0\]\.extra: not a field of this message/],
      [[{ ...good, groups: [{ ...group, name: 3 }] }], /groups\[0\]\.name: expected a string/],
    ];
    for (const [samples, mentions] of cases) {
      const r = validateHostMessage(message(samples));
      assert.equal(r.ok, false, JSON.stringify(samples).slice(0, 120));
      assert.match((r as { error: string }).error, mentions);
    }
    const unsafe = validateHostMessage({ type: 'curves/histograms', payload: { runId: '../x', reset: true, samples: [] } });
    assert.equal(unsafe.ok, false);
  });

  it('bounds the sizes: bins, groups per sample, samples per message', () => {
    const group = sample(1).groups[0];
    const bins = (n: number) => [{ iteration: 1, groups: [{ ...group, weights: { min: 0, max: 1, counts: new Array<number>(n).fill(0) } }] }];
    assert.ok(validateHostMessage(message(bins(200))).ok);
    assert.match((validateHostMessage(message(bins(201))) as { error: string }).error, /weights\.counts: more than 200 items/);
    const groups = [{ iteration: 1, groups: new Array(1001).fill(group) }];
    assert.match((validateHostMessage(message(groups)) as { error: string }).error, /samples\[0\]\.groups: more than 1000 items/);
    const many = new Array(100_001).fill({ iteration: 1, groups: [] });
    assert.match((validateHostMessage(message(many)) as { error: string }).error, /samples: more than 100000 items/);
  });
});
