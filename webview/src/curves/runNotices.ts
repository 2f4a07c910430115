/**
 * What the panel says above the charts about a shown run that did not finish: a failed run's
 * error (from result.json), a cancelled or interrupted run's message, so that a chart with few
 * or no points is never left unexplained; and about a run found slowing down, why.
 */
import type { CurveRunInfo } from '../protocol';
import { runLabel } from './series';

export interface RunNotice {
  runId: string;
  level: 'info' | 'warning' | 'error';
  text: string;
}

const WHAT: Record<string, { level: RunNotice['level']; verb: string }> = {
  failed: { level: 'error', verb: 'failed' },
  cancelled: { level: 'info', verb: 'was cancelled' },
  interrupted: { level: 'warning', verb: 'was interrupted' },
};

export function runNotices(runs: readonly CurveRunInfo[], selected: readonly string[]): RunNotice[] {
  return selected.flatMap((id) => {
    const run = runs.find((r) => r.id === id);
    if (!run) return [];
    // the slowdown doctor's finding (slowdownDoctor.ts in the engine): why the run grew slow, what to change
    const slow: RunNotice[] = run.slowdown ? [{ runId: id, level: 'warning', text: `${runLabel(run)}: ${run.slowdown}` }] : [];
    const what = WHAT[run.status];
    if (!what) return slow;
    const at = run.lastIteration === null ? ' before its first iteration' : ` after iteration ${run.lastIteration}`;
    const message = run.message ?? (run.status === 'failed' ? 'result.json gives no reason' : null);
    return [{ runId: id, level: what.level, text: `${runLabel(run)} ${what.verb}${at}${message ? `: ${message}` : '.'}` }, ...slow];
  });
}
