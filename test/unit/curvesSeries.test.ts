// Metrics → chart series for the training curves panel: which curves a run gets, gaps for
// non-finite and (on log axes) non-positive values, derived time per iteration, smoothed curves
// over raw ones, the best evaluation, run names, and merging appended points (including a
// rewound, resumed stream).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CurvePoint } from '../../webview/src/protocol';
import { bestEvaluation, CHARTS, chartDatasets, chartVisible, mergePoints, runIdTail, runLabel, toSeries } from '../../webview/src/curves/series';

const chart = (id: string) => CHARTS.find((c) => c.id === id)!;
/** Raw curves only, as with the smoothing slider at 0. */
const plain = (log: boolean) => ({ log, smoothing: 0 });

/** A decaying loss with NFE growing as training sharpens the field, like a real run. */
function run(n: number, extra: (i: number) => Partial<CurvePoint> = () => ({})): CurvePoint[] {
  return Array.from({ length: n }, (_, k) => {
    const i = k + 1;
    return { iteration: i, loss: 2 * Math.exp(-i / 10), nfeForward: 20 + 2 * Math.floor(i / 5), iterationSeconds: 0.05 + i / 1000, lr: 1e-3, ...extra(i) };
  });
}

describe('toSeries', () => {
  it('maps each record to (iteration, value) in order', () => {
    const pts = run(5);
    const s = toSeries(pts, 'loss', false);
    assert.deepEqual(s.map((p) => p.x), [1, 2, 3, 4, 5]);
    assert.deepEqual(s.map((p) => p.y), pts.map((p) => p.loss));
  });

  it('skips records without the metric, so a sparse evaluation joins its own points', () => {
    const pts = run(20, (i) => (i % 5 === 0 ? { evalLoss: 1 / i } : {}));
    const s = toSeries(pts, 'evalLoss', false);
    assert.deepEqual(s, [5, 10, 15, 20].map((i) => ({ x: i, y: 1 / i })));
  });

  it('turns NaN and ±Infinity into gaps instead of dropping them', () => {
    const pts: CurvePoint[] = [{ iteration: 1, loss: 1 }, { iteration: 2, loss: NaN }, { iteration: 3, loss: Infinity }, { iteration: 4, loss: 0.5 }];
    assert.deepEqual(toSeries(pts, 'loss', false), [{ x: 1, y: 1 }, { x: 2, y: null }, { x: 3, y: null }, { x: 4, y: 0.5 }]);
  });

  it('on a log axis, values ≤ 0 are gaps; on a linear one they are drawn', () => {
    const pts: CurvePoint[] = [{ iteration: 1, loss: 1 }, { iteration: 2, loss: 0 }, { iteration: 3, loss: -1 }];
    assert.deepEqual(toSeries(pts, 'loss', true).map((p) => p.y), [1, null, null]);
    assert.deepEqual(toSeries(pts, 'loss', false).map((p) => p.y), [1, 0, -1]);
  });

  it('draws the time per iteration it is given: the host derived what a run did not record (curvesDownsampler.test.ts)', () => {
    // Consecutive points of a downsampled run are not consecutive iterations: no difference of their stamps is a time per iteration.
    const pts: CurvePoint[] = [
      { iteration: 1, wallSeconds: 0.5 },
      { iteration: 200, wallSeconds: 100 },
      { iteration: 400, wallSeconds: 200, iterationSeconds: 0.5 },
    ];
    assert.deepEqual(toSeries(pts, 'iterationSeconds', false), [{ x: 400, y: 0.5 }]);
  });
});

describe('chartDatasets', () => {
  it('gives each run the series it recorded and none it did not', () => {
    const a = { runId: 'a', label: 'A', points: run(50, (i) => (i % 10 === 0 ? { evalLoss: 0.1 } : {})) };
    const b = { runId: 'b', label: 'B', points: run(30, () => ({ nfeBackward: 40 })) };
    const loss = chartDatasets(chart('loss'), [a, b], plain(true));
    assert.deepEqual(loss.map((d) => [d.runId, d.series.key, d.raw.length, d.runIndex]), [
      ['a', 'loss', 50, 0],
      ['a', 'evalLoss', 5, 0],
      ['b', 'loss', 30, 1],
    ]);
    const nfe = chartDatasets(chart('nfe'), [a, b], plain(false));
    assert.deepEqual(nfe.map((d) => [d.runId, d.series.key, d.raw.length]), [
      ['a', 'nfeForward', 50],
      ['b', 'nfeForward', 30],
      ['b', 'nfeBackward', 30],
    ]);
    assert.equal(nfe[2].label, 'B · backward');
    assert.equal(nfe[2].series.dashed, true);
    assert.deepEqual(nfe.map((d) => d.seriesIndex), [0, 0, 1], 'backward is the second series: its own colour');
  });

  it('labels the curves of a lone run by series (the picker names the run)', () => {
    const [d, e] = chartDatasets(chart('nfe'), [{ runId: 'a', label: 'spiral · 120000-a1b2', points: run(3, () => ({ nfeBackward: 40 })) }], plain(false));
    assert.deepEqual([d.label, e.label], ['forward', 'backward']);
  });

  it('has nothing to draw for a run with no metrics yet', () => {
    for (const c of CHARTS) assert.deepEqual(chartDatasets(c, [{ runId: 'a', label: 'A', points: [] }], plain(c.defaultLog)), []);
  });
});

describe('accuracy chart', () => {
  // A classifier: batch accuracy every iteration, accuracy on every point every 10.
  const classifier = { runId: 'c', label: 'C', points: run(40, (i) => ({ accuracy: Math.min(1, 0.5 + i / 60), ...(i % 10 === 0 ? { evalAccuracy: 0.5 + i / 100, evalLoss: 1 / i } : {}) })) };
  const trajectory = { runId: 't', label: 'T', points: run(40, (i) => (i % 10 === 0 ? { evalLoss: 0.1 } : {})) };

  it('is shown only when a shown run recorded accuracy', () => {
    assert.equal(chartVisible(chart('accuracy'), [trajectory]), false);
    assert.equal(chartVisible(chart('accuracy'), []), false);
    assert.equal(chartVisible(chart('accuracy'), [trajectory, classifier]), true);
    assert.equal(chartVisible(chart('accuracy'), [{ ...classifier, points: classifier.points.filter((p) => p.iteration === 10).map((p) => ({ iteration: 10, evalAccuracy: p.evalAccuracy })) }]), true);
    // The other charts stay, even empty: a run that has not logged yet still shows its axes.
    for (const c of CHARTS.filter((c) => !c.optional)) assert.equal(chartVisible(c, [trajectory]), true);
  });

  it('shows the regularisers only when a shown run logged them (train.regularize)', () => {
    assert.equal(chartVisible(chart('regularizers'), [trajectory, classifier]), false);
    const regularized = { ...trajectory, points: trajectory.points.map((p) => ({ ...p, kinetic: 0.5, jacobian: 2 })) };
    assert.equal(chartVisible(chart('regularizers'), [trajectory, regularized]), true);
    const ds = chartDatasets(chart('regularizers'), [regularized], plain(true));
    assert.deepEqual(ds.map((d) => [d.series.key, d.raw.length, d.series.dashed]), [
      ['kinetic', regularized.points.length, false],
      ['jacobian', regularized.points.length, true],
    ]);
  });

  it('draws batch accuracy solid and accuracy on every point dashed with its points, on [0, 1]', () => {
    const spec = chart('accuracy');
    assert.deepEqual(spec.yRange, { min: 0, max: 1 });
    const ds = chartDatasets(spec, [trajectory, classifier], plain(spec.defaultLog));
    assert.deepEqual(ds.map((d) => [d.runId, d.series.key, d.raw.length, d.series.dashed, d.series.sparse]), [
      ['c', 'accuracy', 40, false, false],
      ['c', 'evalAccuracy', 4, true, true],
    ]);
    assert.deepEqual(ds[1].raw, [10, 20, 30, 40].map((i) => ({ x: i, y: 0.5 + i / 100 })));
    assert.equal(ds[1].runIndex, 1, 'the classifier keeps its colour among the shown runs');
  });

  it('names the evaluation loss for every task, not only trajectories', () => {
    const [, evalLoss] = chartDatasets(chart('loss'), [classifier], plain(true));
    assert.equal(evalLoss.series.key, 'evalLoss');
    assert.equal(evalLoss.label, 'evaluation loss');
  });
});

describe('mergePoints', () => {
  it('appends points after the last iteration', () => {
    const merged = mergePoints(run(3), run(6).slice(3));
    assert.deepEqual(merged.map((p) => p.iteration), [1, 2, 3, 4, 5, 6]);
  });

  it('replaces the tail when the stream was rewound (a resume redoes iterations)', () => {
    const merged = mergePoints(run(10), [{ iteration: 8, loss: 9 }, { iteration: 9, loss: 8 }]);
    assert.deepEqual(merged.map((p) => p.iteration), [1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.equal(merged[7].loss, 9);
  });
});

describe('smoothed datasets', () => {
  const noisy = { runId: 'n', label: 'N', points: run(30, (i) => ({ loss: 1 + (i % 2 === 0 ? 0.5 : -0.5), lr: i < 15 ? 1e-3 : 1e-4 })) };

  it('keep the raw values and smooth a copy, starting at the first raw value', () => {
    const [loss] = chartDatasets(chart('loss'), [noisy], { log: false, smoothing: 0.6 });
    assert.equal(loss.raw.length, 30);
    assert.equal(loss.raw[0].y, 0.5);
    assert.ok(loss.smoothed);
    assert.equal(loss.smoothed[0].y, 0.5, 'debiased: no pull towards 0 at the start');
    const spread = (ys: number[]) => Math.max(...ys) - Math.min(...ys);
    const tail = (xy: { y: number | null }[]) => xy.slice(10).map((p) => p.y as number);
    assert.ok(spread(tail(loss.smoothed)) < spread(tail(loss.raw)) / 2, 'the noise band narrows');
  });

  it('are off at 0, and never smooth the learning rate (a setting, not a measurement)', () => {
    assert.equal(chartDatasets(chart('loss'), [noisy], { log: false, smoothing: 0 })[0].smoothed, null);
    assert.equal(chartDatasets(chart('lr'), [noisy], { log: false, smoothing: 0.9 })[0].smoothed, null);
  });

  it('smooth over linear values, then leave values ≤ 0 as gaps on a log axis', () => {
    const pts: CurvePoint[] = [{ iteration: 1, loss: 1 }, { iteration: 2, loss: -1 }, { iteration: 3, loss: 1 }, { iteration: 4, loss: 1 }];
    const [d] = chartDatasets(chart('loss'), [{ runId: 'x', label: 'X', points: pts }], { log: true, smoothing: 0.5 });
    assert.deepEqual(d.raw.map((p) => p.y), [1, null, 1, 1]);
    // 1, then (1·0.5·0.5 + −1·0.5)/0.75 < 0: a gap, then back above 0.
    assert.equal(d.smoothed![1].y, null);
    assert.ok((d.smoothed![3].y as number) > 0);
  });

  it('put each point at the x given for it, leaving out points without one', () => {
    const pts = run(4);
    const [d] = chartDatasets(chart('loss'), [{ runId: 'x', label: 'X', points: pts, xs: [0.5, undefined, 1.5, 2] }], plain(false));
    assert.deepEqual(d.raw.map((p) => p.x), [0.5, 1.5, 2]);
  });
});

describe('bestEvaluation', () => {
  it('is the evaluation with the lowest loss, skipping NaN and iterations without one', () => {
    const pts: CurvePoint[] = [
      { iteration: 10, loss: 1, evalLoss: 0.5 },
      { iteration: 15, loss: 0.1 },
      { iteration: 20, loss: 1, evalLoss: NaN },
      { iteration: 30, loss: 1, evalLoss: 0.2 },
      { iteration: 40, loss: 1, evalLoss: 0.2 },
      { iteration: 50, loss: 1, evalLoss: 0.3 },
    ];
    assert.deepEqual(bestEvaluation(pts), { index: 3, iteration: 30, value: 0.2 });
    assert.equal(bestEvaluation(run(10)), null);
  });
});

describe('runLabel', () => {
  it('names the experiment and the run: its own name, else the time part of its id', () => {
    assert.equal(runLabel({ id: '20250102-030405-spiral-3f2a', experiment: 'spiral', name: 'wide net' }), 'spiral · wide net');
    assert.equal(runLabel({ id: '20250102-030405-spiral-3f2a', experiment: 'spiral', name: null }), 'spiral · 030405-3f2a');
    assert.equal(runLabel({ id: '20250102-030405-spiral-3f2a', experiment: 'spiral', name: '  ' }), 'spiral · 030405-3f2a');
    assert.equal(runLabel({ id: 'hand-made', experiment: '' }), 'hand-made');
  });

  it('shortens ids of other shapes to their end', () => {
    assert.equal(runIdTail('20261122-081530-my-long-experiment-name-3f2a'), '081530-3f2a');
    assert.equal(runIdTail('a-very-long-hand-made-run-folder'), 'hand-made-run-folder'.slice(-16));
  });
});
