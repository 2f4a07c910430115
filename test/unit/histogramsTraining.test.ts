// train.histograms: the trainer writes a sample of the weights after the step and the gradient
// used at every `every`-th iteration and the last, only when asked; a resume continues the stream
// without repeats; the spec's checks name the key at its line.
import { lineOf, loadMistake, specFile } from './specFiles';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { defineExperiment, loadLatestCheckpoint, mapInput, mlpField, spiral, trainExperiment, type ExperimentSpec } from '../../engine/src/index';
import { loadExperiment } from '../../engine/src/experiments/load';
import { histogram } from '../../engine/src/train/histograms';
import { HISTOGRAMS_FILE, readHistograms } from '../../engine/src/train/histogramLog';

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'neural-ode-histograms-train-'));
after(() => fs.rmSync(scratch, { recursive: true, force: true }));
const tmp = (): string => fs.mkdtempSync(path.join(scratch, 'runs-'));
const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);

/** The spiral on a short span with a small model (2-16-2): a dozen iterations in well under a second. */
function spec(train: Partial<ExperimentSpec['train']> = {}): ExperimentSpec {
  return {
    name: 'histogram-spiral',
    data: () => spiral({ dataSize: 100, t1: 5 }),
    model: () => mapInput(mlpField({ sizes: [2, 16, 2], seed: 1 }), (x) => x ** 3, (x) => 3 * x * x),
    solver: { method: 'dopri5', rtol: 1e-6, atol: 1e-8 },
    train: { iterations: 12, optimizer: { name: 'adam', lr: 3e-2 }, batchTime: 5, batchSize: 10, evalEvery: 0, checkpointEvery: 5, ...train },
  };
}

describe('trainExperiment with train.histograms', () => {
  it('samples every group at every `every`-th iteration and the last', async () => {
    const out = await trainExperiment(defineExperiment(spec({ histograms: { every: 5, bins: 12 } })), { runsRoot: tmp() });
    assert.equal(out.status, 'finished');
    const samples = readHistograms(out.runDir);
    assert.deepEqual(samples.map((s) => s.iteration), [5, 10, 12]);
    for (const s of samples) {
      assert.deepEqual(s.groups.map((g) => [g.name, g.size]), [['0.weight', 32], ['0.bias', 16], ['2.weight', 32], ['2.bias', 2]]);
      for (const g of s.groups) {
        assert.equal(g.weights.counts.length, 12);
        assert.equal(sum(g.weights.counts), g.size);
        assert.equal(sum(g.gradients.counts), g.size);
        assert.ok(g.gradients.max > g.gradients.min || g.size === 1, `${g.name}: a gradient that varies`);
      }
    }
    // The last sample's weights are those the run ends with (its last checkpoint).
    const params = loadLatestCheckpoint(out.runDir).checkpoint.params as Float64Array;
    const last = samples[2].groups[0];
    assert.deepEqual(last.weights, histogram(params, 12, 0, 32));
  });

  it('true samples every 50 iterations (here only the last); without it no file is written', async () => {
    const on = await trainExperiment(defineExperiment(spec({ histograms: true })), { runsRoot: tmp() });
    assert.deepEqual(readHistograms(on.runDir).map((s) => [s.iteration, s.groups[0].weights.counts.length]), [[12, 30]]);
    for (const histograms of [undefined, false]) {
      const off = await trainExperiment(defineExperiment(spec({ iterations: 3, histograms })), { runsRoot: tmp() });
      assert.equal(off.status, 'finished');
      assert.equal(fs.existsSync(path.join(off.runDir, HISTOGRAMS_FILE)), false, `histograms: ${histograms}`);
    }
  });

  it('a resumed run continues the stream from its checkpoint, without repeats', async () => {
    const root = tmp();
    const stop = new AbortController();
    const exp = defineExperiment(spec({ histograms: { every: 2 } }));
    const first = await trainExperiment(exp, { runsRoot: root, signal: stop.signal, onProgress: (p) => p.iteration === 7 && stop.abort() });
    assert.equal(first.status, 'cancelled');
    // As if the writer had died after sampling iteration 8, before its checkpoint.
    const file = path.join(first.runDir, HISTOGRAMS_FILE);
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    fs.appendFileSync(file, lines[0].replace(/^\{"iteration":2,/, '{"iteration":8,') + '\n');
    const resumed = await trainExperiment(exp, { runsRoot: root, resume: first.runId });
    assert.equal(resumed.status, 'finished');
    assert.deepEqual(readHistograms(resumed.runDir).map((s) => s.iteration), [2, 4, 6, 8, 10, 12]);
  });
});

describe('train.histograms in the spec', () => {
  /** An experiment file whose train object holds `lines`. */
  const experimentFile = (name: string, lines: string[]): string =>
    specFile(scratch, name, ['train: {', '  iterations: 3,', "  optimizer: { name: 'adam', lr: 1e-3 },", ...lines.map((l) => `  ${l}`), '},']);
  const mistake = loadMistake;

  it('accepts true, false and { every, bins }', async () => {
    for (const [i, value] of ['true', 'false', '{ every: 10 }', '{ bins: 5 }', '{ every: 1, bins: 200 }'].entries()) {
      await assert.doesNotReject(loadExperiment(experimentFile(`good${i}`, [`histograms: ${value},`])), value);
    }
  });

  it('refuses a bad every, bins, value or key at its line', async () => {
    const cases: [string[], string, string][] = [
      [['histograms: {', '      every: 0,', '    },'], 'every: 0', 'train.histograms.every must be a whole number ≥ 1, got 0.'],
      [['histograms: {', '      every: 2.5,', '    },'], 'every: 2.5', 'train.histograms.every must be a whole number ≥ 1, got 2.5.'],
      [['histograms: { every: 10,', '      bins: 4 },'], 'bins: 4', 'train.histograms.bins must be a whole number from 5 to 200, got 4.'],
      [['histograms: {', '      bins: 201,', '    },'], 'bins: 201', 'train.histograms.bins must be a whole number from 5 to 200, got 201.'],
      [['histograms: 50,'], 'histograms: 50', 'train.histograms must be true, false or { every, bins }, e.g. histograms: { every: 50, bins: 30 }; got 50.'],
      [['histograms: {', '      evry: 10,', '    },'], 'evry: 10', "unknown key 'evry' in train.histograms — did you mean 'every'?"],
    ];
    for (const [i, [lines, at, message]] of cases.entries()) {
      const file = experimentFile(`bad${i}`, lines);
      assert.deepEqual(await mistake(file), { message, line: lineOf(file, at) });
    }
  });
});
