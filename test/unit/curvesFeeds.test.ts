// How the curves panel's host reads metrics files (curvesFeeds.ts, runFeed.ts, metricsPreview.ts):
// a small run is sent whole at once, as before; a long one gets a preview from its tail and
// samples at once, then, read in the background chunk by chunk, its downsampled points (the same
// as a downsampler fed every record) and its exact figures; appended lines follow as changed tails.
// The runs list reads figures at once within a budget, the rest in the background.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { formatMetricsLine, parseMetrics, type MetricsRecord } from '../../engine/src/train';
import { CurvePointTimes } from '../../extension/src/panels/curvePointTimes';
import { CurvesDownsampler } from '../../extension/src/panels/curvesDownsampler';
import { CurvesFeeds, UNKNOWN_STATS, type FeedOptions } from '../../extension/src/panels/curvesFeeds';
import { RunStatsFold } from '../../extension/src/panels/curvesRunStats';
import { MetricsTail, toCurvePoint } from '../../extension/src/panels/metricsTail';
import { previewPoints } from '../../extension/src/panels/metricsPreview';
import { mergePoints } from '../../webview/src/curves/series';
import type { CurvePoint, CurveRunStats } from '../../webview/src/protocol';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'curves-feeds-'));
after(() => fs.rmSync(root, { recursive: true, force: true }));

const record = (i: number): MetricsRecord => ({
  iteration: i,
  loss: Math.exp(-i / 3000) * (1 + 0.3 * Math.sin(i * 1.7)),
  ...(i % 20 === 0 ? { evalLoss: 0.2 + 0.1 * Math.cos(i) } : {}),
  nfeForward: 26 + (i % 5),
  nfeBackward: 38,
  wallSeconds: i * 0.01,
  iterationSeconds: 0.01,
  lr: 1e-3,
  gradNorm: 0.1,
});
const lines = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, k) => formatMetricsLine(record(from + k))).join('');

/** A metrics file of `n` iterations in its own folder. */
function metricsFile(name: string, n: number): string {
  const dir = path.join(root, name);
  fs.mkdirSync(dir);
  const file = path.join(dir, 'metrics.jsonl');
  fs.writeFileSync(file, lines(1, n));
  return file;
}

/** What a page holding every message would show, and what the host said. */
function sink() {
  const got = {
    messages: [] as { runId: string; reset: boolean; points: CurvePoint[] }[],
    shown: new Map<string, CurvePoint[]>(),
    bad: [] as string[],
    failed: [] as string[],
    statsChanged: 0,
  };
  return {
    got,
    sink: {
      points: (runId: string, reset: boolean, points: CurvePoint[]) => {
        got.messages.push({ runId, reset, points });
        got.shown.set(runId, mergePoints(reset ? [] : (got.shown.get(runId) ?? []), points));
      },
      badLines: (file: string, l: { line: number }[]) => got.bad.push(`${path.basename(path.dirname(file))}:${l.map((x) => x.line).join(',')}`),
      failed: (file: string, err: Error) => got.failed.push(`${file}: ${err.message}`),
      statsChanged: () => got.statsChanged++,
    },
  };
}

/** The downsampled points and figures of every record of iterations 1..n, as one pass computes them. */
function expected(n: number, buckets: number): { points: CurvePoint[]; stats: CurveRunStats } {
  const s = new CurvesDownsampler(buckets);
  const times = new CurvePointTimes();
  const fold = new RunStatsFold();
  for (let i = 1; i <= n; i++) {
    const p = toCurvePoint(record(i));
    fold.addPoint(p);
    s.add(times.next(p));
  }
  return { points: s.points(), stats: fold.stats };
}

const small: FeedOptions = {
  chunkBytes: 64 << 10,
  syncBytes: 128 << 10,
  previewBytes: 128 << 10,
  preview: { samples: 50, tailBytes: 8 << 10 },
  buckets: 100,
};

async function idle(feeds: CurvesFeeds): Promise<void> {
  while (feeds.busy) await new Promise((r) => setImmediate(r));
}

describe('CurvesFeeds', () => {
  it('sends a small run whole at once, then what it appends', () => {
    const file = metricsFile('small', 50);
    const { got, sink: s } = sink();
    const feeds = new CurvesFeeds(s, small);
    feeds.show('small', file);
    assert.equal(got.messages.length, 1);
    assert.deepEqual(got.messages[0].points, Array.from({ length: 50 }, (_, k) => toCurvePoint(record(k + 1))));
    assert.equal(got.messages[0].reset, true);
    fs.appendFileSync(file, lines(51, 53));
    feeds.update('small');
    assert.deepEqual(got.messages[1], { runId: 'small', reset: false, points: [51, 52, 53].map((i) => toCurvePoint(record(i))) });
    feeds.update('small');
    assert.equal(got.messages.length, 2, 'nothing new, nothing sent');
  });

  it('gives a long run a preview at once, then its downsampled points and exact figures from a background read', async () => {
    const n = 20_000;
    const file = metricsFile('long', n);
    assert.ok(fs.statSync(file).size > 20 * small.chunkBytes);
    const { got, sink: s } = sink();
    const feeds = new CurvesFeeds(s, small);
    feeds.show('long', file);
    assert.equal(got.messages.length, 1, 'the preview, before any background work');
    const preview = got.messages[0];
    assert.equal(preview.reset, true);
    assert.ok(preview.points.length > 50 && preview.points.length < 200, `${preview.points.length} preview points`);
    assert.equal(preview.points[preview.points.length - 1].iteration, n, 'the preview ends where the run is');
    assert.ok(preview.points[0].iteration <= 2, 'and starts where it started');
    assert.ok(feeds.busy);
    assert.deepEqual(feeds.stats('long', file, { bytes: Infinity }), UNKNOWN_STATS, 'no figures until the read is through');
    await idle(feeds);
    const want = expected(n, 100);
    assert.equal(got.messages.length, 2);
    assert.equal(got.messages[1].reset, true);
    assert.deepEqual(got.messages[1].points, want.points);
    assert.equal(got.statsChanged, 1);
    assert.deepEqual(feeds.stats('long', file, { bytes: 0 }), want.stats);

    fs.appendFileSync(file, lines(n + 1, n + 300));
    feeds.update('long');
    const delta = got.messages[2];
    assert.equal(delta.reset, false);
    assert.ok(delta.points.length < 50, `${delta.points.length} points for 300 appended lines`);
    assert.deepEqual(got.shown.get('long'), expected(n + 300, 100).points);
    assert.deepEqual(feeds.stats('long', file, { bytes: 0 }), expected(n + 300, 100).stats);
  });

  it('sends a shown run again from memory when the page starts afresh', async () => {
    const file = metricsFile('replay', 5000);
    const { got, sink: s } = sink();
    const feeds = new CurvesFeeds(s, small);
    feeds.show('replay', file);
    await idle(feeds);
    const before = got.shown.get('replay');
    got.shown.clear();
    feeds.replay('replay');
    assert.deepEqual(got.shown.get('replay'), before);
  });

  it('reads the runs figures at once within the budget, the rest in the background', async () => {
    const files = ['a', 'b', 'c'].map((id) => metricsFile(`budget-${id}`, 2000));
    const size = fs.statSync(files[0]).size;
    const { got, sink: s } = sink();
    const feeds = new CurvesFeeds(s, small);
    const budget = { bytes: size + 10 };
    const first = files.map((f, k) => feeds.stats(`r${k}`, f, budget));
    const want = expected(2000, 100).stats;
    assert.deepEqual(first, [want, UNKNOWN_STATS, UNKNOWN_STATS]);
    assert.equal(got.messages.length, 0, 'figures only: no points for runs not shown');
    await idle(feeds);
    assert.equal(got.statsChanged, 2);
    assert.deepEqual(files.map((f, k) => feeds.stats(`r${k}`, f, { bytes: 0 })), [want, want, want]);
  });

  it("reports a shown run's unreadable lines by their line numbers", () => {
    const file = metricsFile('bad', 3);
    fs.appendFileSync(file, '{"loss": 1}\n' + lines(4, 4));
    const { got, sink: s } = sink();
    new CurvesFeeds(s, small).show('bad', file);
    assert.deepEqual(got.bad, ['bad:4']);
    assert.deepEqual(got.shown.get('bad')?.map((p) => p.iteration), [1, 2, 3, 4]);
  });
});

describe('MetricsTail, bounded', () => {
  it('reads chunk by chunk the records one read gives, a line longer than the bound whole', () => {
    const file = metricsFile('chunks', 1000);
    fs.appendFileSync(file, formatMetricsLine({ ...record(1001), note: 'x'.repeat(5000) }));
    const whole = new MetricsTail(file).read().records;
    const tail = new MetricsTail(file);
    const chunked: MetricsRecord[] = [];
    let reads = 0;
    for (let more = true; more; reads++) {
      const r = tail.read(1024);
      chunked.push(...r.records);
      more = r.more === true;
    }
    assert.equal(chunked.length, 1001);
    assert.deepEqual(chunked, whole);
    assert.ok(reads > 100, `${reads} reads`);
    assert.equal(tail.unread(), 0);
  });
});

describe('parseMetrics', () => {
  it('reads non-finite numbers written as strings, escaped or not, on the lines that have them only', () => {
    const text = formatMetricsLine({ iteration: 1, loss: NaN, evalLoss: Infinity, lr: -Infinity }) + '{"iteration":2,"loss":"\\u004eaN","note":"NaN?"}\n' + formatMetricsLine(record(3));
    const [a, b, c] = parseMetrics(text).records;
    assert.deepEqual([a.loss, a.evalLoss, a.lr], [NaN, Infinity, -Infinity]);
    assert.deepEqual([b.loss, b.note], [NaN, 'NaN?']);
    assert.deepEqual(c, record(3));
  });
});

describe('previewPoints', () => {
  it('samples lines across the file and reads its tail whole', () => {
    const file = metricsFile('preview', 10_000);
    const pts = previewPoints(file, { samples: 100, tailBytes: 4096 });
    const iterations = pts.map((p) => p.iteration);
    for (let i = 1; i < iterations.length; i++) assert.ok(iterations[i] > iterations[i - 1], 'in file order, no line twice');
    assert.equal(iterations[iterations.length - 1], 10_000);
    const tailLines = iterations.filter((it) => it > 9_970).length;
    assert.ok(tailLines >= 15, `${tailLines} lines of the tail`);
    assert.ok(iterations.filter((it) => it < 9_000).length >= 90, 'samples across the file');
    assert.deepEqual(pts[5], toCurvePoint(record(iterations[5])));
  });
});
