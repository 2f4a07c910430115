/**
 * Scale of the Training curves panel's host and the Runs view, without VS Code: what
 * extension/src/panels/curvesPanel.ts does, timed on generated runs in a temporary folder.
 *
 * 1. One run of 1,000,000 iterations (metrics.jsonl of ~210 MB): the time from showing it to the
 *    first message posted (the preview), to the full downsampled points, the figures of the
 *    runs table, the peak heap of the whole read, and an update after appended lines.
 * 2. 300 finished runs of 2,000 iterations: listRuns (what the Runs view calls per refresh) and
 *    the curves panel's runs-list refresh (listRuns, then each run's config and figures, as
 *    curvesPanel.ts posts them), cold and warm, and Compare Runs of 10 and of all 300 runs; with
 *    the longest the event loop was blocked.
 *
 *   node --expose-gc --import tsx bench/curvesScale.ts [--iterations 1000000] [--runs 300]
 *        [--run-iterations 2000] [--dir /tmp/x] [--keep] [--json]
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { listRuns, METRICS_FILE } from '../engine/src/train';
import { CurvesFeeds, FEED_OPTIONS } from '../extension/src/panels/curvesFeeds';
import { curveRunInfo, RunMetaCache } from '../extension/src/panels/curvesRunInfo';
import type { CurvePoint } from '../webview/src/protocol';
import { flag, has, text } from './flags';
import { metricsLines, writeMetricsFile, writeRuns } from './scaleFixtures';
import { formatTable } from './table';

const ITERATIONS = flag('iterations', 1_000_000);
const RUNS = flag('runs', 300);
const RUN_ITERATIONS = flag('run-iterations', 2000);
/** As curvesPanel.ts: bytes read at once per runs-list refresh, and for runs shown together. */
const LIST_SYNC_BYTES = 2 << 20;
const SHOW_SYNC_BYTES = 2 << 20;

const gc = (globalThis as { gc?: () => void }).gc;
const MB = 2 ** 20;
const now = () => performance.now();
const ms = (t: number) => Number(t.toFixed(1));
const mb = (bytes: number) => Number((bytes / MB).toFixed(1));
const heap = () => process.memoryUsage().heapUsed;
const idle = async (feeds: CurvesFeeds) => {
  while (feeds.busy) await new Promise((r) => setTimeout(r, 1));
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * The longest the event loop went without turning while it runs, the caller's own turn
 * included: the gaps between ticks of a 1 ms timer (the extension host's other work waits as long).
 */
function blockMonitor(): { stop: () => number } {
  let last = now();
  let longest = 0;
  const timer = setInterval(() => {
    const t = now();
    longest = Math.max(longest, t - last - 1);
    last = t;
  }, 1);
  return {
    stop: () => {
      clearInterval(timer);
      return Math.max(longest, now() - last - 1);
    },
  };
}

/** The posted messages, serialised as postMessage would, with when they came. */
function recorder(start: () => number) {
  const messages: { at: number; runId: string; reset: boolean; points: number; bytes: number; last: CurvePoint | undefined }[] = [];
  let statsChanged = 0;
  return {
    messages,
    statsChanged: () => statsChanged,
    sink: {
      points: (runId: string, reset: boolean, points: CurvePoint[]) =>
        messages.push({ at: now() - start(), runId, reset, points: points.length, bytes: JSON.stringify({ runId, reset, points }).length, last: points[points.length - 1] }),
      badLines: () => {},
      failed: (file: string, err: Error) => {
        throw new Error(`${file}: ${err.message}`);
      },
      statsChanged: () => statsChanged++,
    },
  };
}

/** Heap in use, sampled every few milliseconds while `work` runs (the reads yield between chunks). */
async function peakHeap<T>(work: () => Promise<T>): Promise<{ result: T; peak: number }> {
  let peak = heap();
  const timer = setInterval(() => (peak = Math.max(peak, heap())), 2);
  try {
    const result = await work();
    return { result, peak: Math.max(peak, heap()) };
  } finally {
    clearInterval(timer);
  }
}

async function longRun(dir: string) {
  const runDir = path.join(dir, 'long');
  fs.mkdirSync(runDir, { recursive: true });
  const file = path.join(runDir, METRICS_FILE);
  const t0 = now();
  writeMetricsFile(file, ITERATIONS);
  const size = fs.statSync(file).size;
  process.stderr.write(`wrote ${ITERATIONS} lines (${mb(size)} MB) in ${((now() - t0) / 1000).toFixed(1)} s\n`);

  gc?.();
  const base = heap();
  let start = 0;
  const rec = recorder(() => start);
  const feeds = new CurvesFeeds(rec.sink);
  let longest = 0;
  const { peak } = await peakHeap(async () => {
    const blocks = blockMonitor();
    start = now();
    feeds.show('long', file, { bytes: SHOW_SYNC_BYTES });
    await idle(feeds);
    longest = blocks.stop();
  });
  const [preview, full] = rec.messages;
  const stats = feeds.stats('long', file, { bytes: 0 });

  // Lines appended by a live run, as the panel reads them on the next file event.
  const appended: { lines: number; ms: number; points: number; bytes: number }[] = [];
  for (const lines of [1, 100, 10_000]) {
    const last = ITERATIONS + appended.reduce((n, a) => n + a.lines, 0);
    fs.appendFileSync(file, metricsLines(last + 1, last + lines, { seed: last }));
    const before = rec.messages.length;
    start = now();
    feeds.update('long');
    await idle(feeds);
    const m = rec.messages.slice(before);
    appended.push({ lines, ms: ms(m[m.length - 1]?.at ?? NaN), points: m.reduce((n, x) => n + x.points, 0), bytes: m.reduce((n, x) => n + x.bytes, 0) });
  }
  feeds.dispose();
  return {
    iterations: ITERATIONS,
    fileMB: mb(size),
    firstMessageMs: ms(preview.at),
    firstMessage: { points: preview.points, kB: Math.round(preview.bytes / 1024), lastIteration: preview.last?.iteration },
    fullMs: ms(full.at),
    full: { points: full.points, kB: Math.round(full.bytes / 1024), lastIteration: full.last?.iteration },
    stats,
    heapPeakMB: mb(peak - base),
    heapBaseMB: mb(base),
    longestBlockMs: ms(longest),
    appended,
  };
}

/** The curves panel's runs-list refresh: listRuns, then each run's config and figures, posted as one message. */
function listRefresh(root: string, meta: RunMetaCache, feeds: CurvesFeeds): { ms: number; runs: number; known: number; kB: number } {
  const t = now();
  const budget = { bytes: LIST_SYNC_BYTES };
  const runs = listRuns(root).map((r) => curveRunInfo(r, meta.read(r.dir), feeds.stats(r.id, path.join(r.dir, METRICS_FILE), budget)));
  const bytes = JSON.stringify({ runs, selected: [] }).length;
  return { ms: ms(now() - t), runs: runs.length, known: runs.filter((r) => r.stats.totalNfe !== null).length, kB: Math.round(bytes / 1024) };
}

async function manyRuns(dir: string) {
  const root = path.join(dir, 'runs');
  const t0 = now();
  writeRuns(root, RUNS, RUN_ITERATIONS);
  process.stderr.write(`wrote ${RUNS} runs of ${RUN_ITERATIONS} lines in ${((now() - t0) / 1000).toFixed(1)} s\n`);

  const list: number[] = [];
  for (let k = 0; k < 7; k++) {
    const t = now();
    listRuns(root);
    list.push(now() - t);
  }

  const blocks = blockMonitor();
  let start = now();
  const rec = recorder(() => start);
  const feeds = new CurvesFeeds(rec.sink);
  const meta = new RunMetaCache();
  const cold = listRefresh(root, meta, feeds);
  await idle(feeds);
  const allFigures = ms(now() - start);
  const listBlock = ms(blocks.stop());
  const after = listRefresh(root, meta, feeds);
  const warm: number[] = [];
  for (let k = 0; k < 5; k++) warm.push(listRefresh(root, meta, feeds).ms);

  // Compare Runs: the picked runs shown together (as select() does), until every one's points are posted.
  const ids = listRuns(root).map((r) => r.id);
  const compare = [];
  for (const n of [10, ids.length]) {
    const pick = ids.slice(0, n);
    const shown = recorder(() => start);
    const cmp = new CurvesFeeds(shown.sink);
    const l = blockMonitor();
    start = now();
    const budget = { bytes: SHOW_SYNC_BYTES };
    for (const id of pick) cmp.show(id, path.join(root, id, METRICS_FILE), budget);
    const sync = now() - start;
    await idle(cmp);
    compare.push({ runs: n, syncMs: ms(sync), allPointsMs: ms(Math.max(...shown.messages.map((m) => m.at))), messages: shown.messages.length, longestBlockMs: ms(l.stop()) });
    cmp.dispose();
  }
  feeds.dispose();
  return {
    runs: RUNS,
    runIterations: RUN_ITERATIONS,
    listRunsColdMs: ms(list[0]),
    listRunsWarmMs: ms(median(list.slice(1))),
    refreshColdMs: cold.ms,
    refreshColdFiguresKnown: cold.known,
    allFiguresMs: allFigures,
    refreshAfterMs: after.ms,
    refreshWarmMs: ms(median(warm)),
    refreshKB: after.kB,
    longestBlockMs: listBlock,
    compare,
  };
}

async function main(): Promise<void> {
  const dir = text('dir') ?? fs.mkdtempSync(path.join(os.tmpdir(), 'neural-ode-scale-'));
  if (!gc) process.stderr.write('note: run with node --expose-gc for a settled heap baseline\n');
  try {
    const long = ITERATIONS > 0 ? await longRun(dir) : null;
    const rssAfterLong = process.resourceUsage().maxRSS * 1024;
    const many = RUNS > 0 ? await manyRuns(dir) : null;
    if (has('json')) {
      process.stdout.write(JSON.stringify({ long, many, maxRssAfterLongMB: mb(rssAfterLong) }, null, 2) + '\n');
      return;
    }
    const out: string[] = [`Neural ODE Studio: curves panel and runs at scale · ${os.cpus().length} cores · Node ${process.version} · chunks of ${FEED_OPTIONS.chunkBytes / MB} MB`];
    if (long) {
      out.push(
        '',
        `One run of ${long.iterations} iterations (metrics.jsonl ${long.fileMB} MB), shown in the curves panel:`,
        formatTable(
          [{ header: 'step', align: 'left' }, { header: 'ms' }, { header: 'points' }, { header: 'kB posted' }, { header: 'note', align: 'left' }],
          [
            ['first message (preview: samples + tail)', String(long.firstMessageMs), String(long.firstMessage.points), String(long.firstMessage.kB), `ends at iteration ${long.firstMessage.lastIteration}`],
            ['full downsampled points', String(long.fullMs), String(long.full.points), String(long.full.kB), `best eval ${long.stats?.bestEvalLoss?.toPrecision(6)} at ${long.stats?.bestEvalIteration}, NFE ${long.stats?.totalNfe}, ${long.stats?.seconds?.toFixed(0)} s`],
            ...long.appended.map((a) => [`${a.lines} line(s) appended`, String(a.ms), String(a.points), String(Math.round(a.bytes / 1024)), '']),
          ],
        ),
        `heap: ${long.heapPeakMB} MB at most above the ${long.heapBaseMB} MB before; longest event-loop block ${long.longestBlockMs} ms; peak RSS of the process ${mb(rssAfterLong)} MB`,
      );
    }
    if (many) {
      out.push(
        '',
        `${many.runs} runs of ${many.runIterations} iterations:`,
        formatTable(
          [{ header: 'what', align: 'left' }, { header: 'ms' }, { header: 'note', align: 'left' }],
          [
            ['listRuns (Runs view refresh), first', String(many.listRunsColdMs), ''],
            ['listRuns, then (median)', String(many.listRunsWarmMs), ''],
            ['curves runs-list refresh, first', String(many.refreshColdMs), `figures of ${many.refreshColdFiguresKnown} runs at once, the rest in the background`],
            ['… every run\'s figures known', String(many.allFiguresMs), ''],
            ['curves runs-list refresh, then (median)', String(many.refreshWarmMs), `${many.refreshKB} kB posted`],
            ...many.compare.map((c) => [`Compare Runs of ${c.runs}: all points posted`, String(c.allPointsMs), `${c.syncMs} ms at once, longest block ${c.longestBlockMs} ms`]),
          ],
        ),
        `longest event-loop block from the first refresh to every run's figures: ${many.longestBlockMs} ms`,
      );
    }
    process.stdout.write(out.join('\n') + '\n');
  } finally {
    if (!has('keep') && !text('dir')) fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`curvesScale: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = 1;
});
