// The curves panel's downsampler: every record while the buckets are one iteration wide; past
// that, each bucket's first and last records and every metric's exact minimum and maximum (the
// best evaluation among them), in memory bounded by the buckets; appended records sent as the
// changed tail, which the page's mergePoints splices in. And the times the host settles before
// downsampling: derived seconds per iteration, and training time across resumes as the x.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CurvePointTimes } from '../../extension/src/panels/curvePointTimes';
import { CURVE_KEYS, CurvesDownsampler } from '../../extension/src/panels/curvesDownsampler';
import { bestEvaluation, mergePoints, toSeries } from '../../webview/src/curves/series';
import { elapsedSeconds } from '../../webview/src/curves/xAxis';
import type { CurvePoint } from '../../webview/src/protocol';

/** A seeded noisy run: loss, an evaluation every 7 iterations, NFE, time, lr. */
function records(from: number, to: number, seed = 1): CurvePoint[] {
  let a = seed >>> 0;
  const rand = () => (a = (Math.imul(a, 1664525) + 1013904223) >>> 0) / 4294967296;
  const out: CurvePoint[] = [];
  for (let i = from; i <= to; i++) {
    out.push({
      iteration: i,
      loss: Math.exp(-i / 5000) * (0.5 + rand()),
      ...(i % 7 === 0 ? { evalLoss: 0.1 + rand() } : {}),
      nfeForward: 20 + Math.floor(10 * rand()),
      nfeBackward: 30,
      iterationSeconds: 0.01 * (1 + rand()),
      wallSeconds: i * 0.015,
      lr: 1e-3,
    });
  }
  return out;
}

const feed = (s: CurvesDownsampler, pts: readonly CurvePoint[]) => pts.forEach((p) => s.add(p));

/** A metric's values as (iteration, value) pairs. */
const valuesOf = (pts: readonly CurvePoint[], key: (typeof CURVE_KEYS)[number]) =>
  pts.flatMap((p) => (p[key] === undefined ? [] : [`${p.iteration}:${p[key]}`]));

describe('CurvesDownsampler', () => {
  it('keeps every record while the run fits its buckets', () => {
    const s = new CurvesDownsampler(1000);
    const all = records(1, 1000);
    feed(s, all);
    assert.equal(s.width, 1);
    assert.deepEqual(s.points(), all);
  });

  it("keeps each bucket's first and last records and every metric's exact minimum and maximum", () => {
    const s = new CurvesDownsampler(100);
    const all = records(1, 20_000);
    feed(s, all);
    const kept = s.points();
    const width = s.width;
    assert.ok(Number.isInteger(Math.log2(width)) && width > 1, `width ${width}`);
    const byIteration = new Map(kept.map((p) => [p.iteration, p]));
    const buckets = new Map<number, CurvePoint[]>();
    for (const p of all) {
      const k = Math.floor(p.iteration / width);
      buckets.set(k, [...(buckets.get(k) ?? []), p]);
    }
    assert.ok(buckets.size <= 100);
    for (const members of buckets.values()) {
      assert.deepEqual(byIteration.get(members[0].iteration), members[0], 'the first record, whole');
      assert.deepEqual(byIteration.get(members[members.length - 1].iteration), members[members.length - 1], 'the last record, whole');
      for (const key of CURVE_KEYS) {
        const has = members.filter((p) => p[key] !== undefined);
        if (has.length === 0) continue;
        // The first of equals, as the best checkpoint is.
        const lo = has.reduce((a, b) => (b[key]! < a[key]! ? b : a));
        const hi = has.reduce((a, b) => (b[key]! > a[key]! ? b : a));
        assert.equal(byIteration.get(lo.iteration)?.[key], lo[key], `${key}: the minimum at ${lo.iteration}`);
        assert.equal(byIteration.get(hi.iteration)?.[key], hi[key], `${key}: the maximum at ${hi.iteration}`);
        // Every kept value is a recorded one at its iteration.
        for (const p of kept.filter((q) => q.iteration >= has[0].iteration && q.iteration <= members[members.length - 1].iteration && q[key] !== undefined)) {
          assert.equal(p[key], all[p.iteration - 1][key]);
        }
      }
    }
    assert.deepEqual(bestEvaluation(kept), { ...bestEvaluation(all)!, index: kept.findIndex((p) => p.iteration === bestEvaluation(all)!.iteration) });
  });

  it('stays within its bounds however long the run: at most four points per bucket and metric', () => {
    const s = new CurvesDownsampler(1000);
    for (let from = 1; from <= 300_000; from += 10_000) feed(s, records(from, from + 9_999, from));
    const kept = s.points();
    assert.equal(s.added, 300_000);
    for (const key of CURVE_KEYS) assert.ok(valuesOf(kept, key).length <= 4000, `${key}: ${valuesOf(kept, key).length} points`);
    assert.ok(kept.length <= 4000 + 2 * CURVE_KEYS.length * 1000);
    assert.ok(kept.length > 2000, 'a few per pixel column, not a handful');
    for (let i = 1; i < kept.length; i++) assert.ok(kept[i].iteration > kept[i - 1].iteration, 'in iteration order');
  });

  it('keeps a non-finite value of every bucket, for the gap and its marker', () => {
    const s = new CurvesDownsampler(10);
    const all = records(1, 1000).map((p) => (p.iteration === 517 ? { ...p, loss: NaN } : p.iteration === 811 ? { ...p, evalLoss: Infinity } : p));
    feed(s, all);
    const kept = s.points();
    assert.ok(Number.isNaN(kept.find((p) => p.iteration === 517)?.loss));
    assert.equal(kept.find((p) => p.iteration === 811)?.evalLoss, Infinity);
  });

  it('sends the changed tail of appended records, which the page splices in, and everything after a widening', () => {
    const s = new CurvesDownsampler(50);
    const all = records(1, 10_000);
    let shown: CurvePoint[] = [];
    let resets = 0;
    for (let from = 0; from < all.length; from += 137) {
      feed(s, all.slice(from, from + 137));
      const c = s.takeChanges();
      if (c.reset) resets++;
      shown = mergePoints(c.reset ? [] : shown, c.points);
      assert.deepEqual(shown, s.points(), `after ${from + 137} records`);
    }
    // One reset for the first batch and one per batch that doubled the width (once or more).
    assert.ok(resets > 1 && resets <= 1 + Math.log2(s.width), `${resets} resets`);
    assert.deepEqual(s.takeChanges(), { reset: false, points: [] });
  });

  it('replaces what it kept from a record that goes back, as the page does', () => {
    const s = new CurvesDownsampler(1000);
    feed(s, records(1, 100));
    s.takeChanges();
    feed(s, records(60, 70, 9));
    assert.deepEqual(s.points().map((p) => p.iteration), Array.from({ length: 70 }, (_, i) => i + 1));
    assert.deepEqual(s.points().slice(59), records(60, 70, 9));
  });
});

describe('CurvePointTimes', () => {
  it('derives time per iteration from consecutive wall-clock stamps when it was not recorded', () => {
    const times = new CurvePointTimes();
    const pts = [
      { iteration: 1, wallSeconds: 0.5 },
      { iteration: 2, wallSeconds: 0.75 },
      { iteration: 3, wallSeconds: 1.5 },
      { iteration: 4, wallSeconds: 0.25 }, // a resumed run restarts its clock: no negative time
      { iteration: 5, wallSeconds: 0.5, iterationSeconds: 0.3 },
    ].map((p) => times.next(p));
    assert.deepEqual(toSeries(pts, 'iterationSeconds', false), [{ x: 2, y: 0.25 }, { x: 3, y: 0.75 }, { x: 5, y: 0.3 }]);
  });

  it('gives any subset of a resumed run the x the whole stream has', () => {
    const raw: CurvePoint[] = [];
    for (let i = 1; i <= 3000; i++) raw.push({ iteration: i, loss: 1 / i, wallSeconds: i <= 1000 ? i * 0.01 : i <= 2000 ? (i - 1000) * 0.02 : (i - 2000) * 0.005 });
    const times = new CurvePointTimes();
    const settled = raw.map((p) => times.next(p));
    const exact = elapsedSeconds(raw);
    assert.deepEqual(elapsedSeconds(settled), exact);
    const s = new CurvesDownsampler(20);
    feed(s, settled);
    const kept = s.points();
    assert.ok(kept.length < 200);
    assert.deepEqual(elapsedSeconds(kept), kept.map((p) => exact[p.iteration - 1]));
  });
});
