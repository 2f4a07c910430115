/**
 * How runs and training progress read in the Runs view, the status bar and notifications.
 * Plain functions of the engine's data, so they are unit-tested without VS Code.
 */
import type { TrainOutcome, TrainProgress } from '../../engine/src/protocol';
import type { RunStatus, RunSummary } from '../../engine/src/train/runStore';
import { EVAL_LOSS_NAME } from '../../engine/src/experiments/task';

/** A loss with 4 significant digits; very small or large ones in exponent form. */
export function formatLoss(x: number | null | undefined): string {
  if (x === null || x === undefined) return '—';
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return '0';
  const a = Math.abs(x);
  return a < 1e-3 || a >= 1e5 ? x.toExponential(2) : Number(x.toPrecision(4)).toString();
}

/** A duration as people say it: "850 ms", "9.8 s", "2 min 05 s", "1 h 02 min". */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return '—';
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const s = Math.round(seconds);
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}

/** "2026-11-22 08:44" in local time, from an ISO date. */
export function formatStart(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

export const isResumable = (status: RunStatus): boolean => status !== 'running';

/** A codicon per status (the Runs view's icons). */
export function statusIcon(status: RunStatus): string {
  switch (status) {
    case 'running':
      return 'sync~spin';
    case 'finished':
      return 'pass';
    case 'failed':
      return 'error';
    case 'cancelled':
      return 'debug-pause';
    case 'interrupted':
      return 'warning';
  }
}

/** The experiment, the run's own name if it has one, and its start ("spiral · wide lr 11-22 08:44"); the year and the run id are in the tooltip. */
export function runLabel(run: RunSummary, name?: string | null): string {
  return `${run.experiment}${name ? ` · ${name}` : ''} ${formatStart(run.createdAt).slice(5)}`;
}

/** Tags as typed: "sweep, lr 1e-2" → ['sweep', 'lr 1e-2']. */
export const parseTags = (text: string): string[] => text.split(',').map((t) => t.trim()).filter((t) => t !== '');

/** Iterations done of the run's target: "it 120/300", or "it 120" when the target is not known. */
export function iterationText(done: number, total?: number | null): string {
  return total ? `it ${done}/${total}` : `it ${done}`;
}

/**
 * The Runs view's second column: status, last loss, iterations (of `total`, the iteration the
 * run trains to, when the caller knows it), time.
 */
export function runDescription(run: RunSummary, total?: number | null): string {
  const parts: string[] = [run.status];
  if (run.damaged) parts.push('config.json damaged');
  if (run.lastLoss !== null) parts.push(`loss ${formatLoss(run.lastLoss)}`);
  if (run.lastIteration !== null) parts.push(iterationText(run.lastIteration, total));
  if (run.wallSeconds !== null) parts.push(formatDuration(run.wallSeconds));
  return parts.join(' · ');
}

export function runTooltip(run: RunSummary, meta?: { name: string | null; tags: string[]; note: string | null }): string {
  const lines = [
    `${run.experiment}${meta?.name ? ` · ${meta.name}` : ''}: ${run.status}`,
    ...(meta?.tags.length ? [`tags: ${meta.tags.join(', ')}`] : []),
    ...(meta?.note ? [meta.note] : []),
    `run ${run.id}`,
    `started ${formatStart(run.createdAt)}${run.finishedAt ? `, ended ${formatStart(run.finishedAt)}` : ''}`,
    `iterations ${run.lastIteration ?? 0}, last loss ${formatLoss(run.lastLoss)}, time ${formatDuration(run.wallSeconds)}`,
  ];
  if (run.message) lines.push(run.message);
  if (run.damaged) lines.push(`${run.damaged}: it cannot be resumed; its weights export from a terminal: neural-ode export <experiment file> --run ${run.id}`);
  lines.push(run.dir);
  return lines.join('\n');
}

/** The status bar while training: iteration of the run's actual target, loss, NFE forward (and backward). */
export function statusBarText(experiment: string, p: TrainProgress | undefined): string {
  if (!p) return `$(sync~spin) ${experiment}: starting…`;
  return `$(sync~spin) ${experiment} ${iterationText(p.iteration, p.iterations)} · loss ${formatLoss(p.loss)} · NFE ${p.nfeForward}/${p.nfeBackward}`;
}

/** The progress notification's line. */
export function progressMessage(p: TrainProgress): string {
  const evalPart = p.evalLoss !== undefined ? ` (${EVAL_LOSS_NAME[p.task]} ${formatLoss(p.evalLoss)})` : '';
  const accPart = p.accuracy !== undefined ? ` · accuracy ${(100 * p.accuracy).toFixed(1)} %` : '';
  return `${iterationText(p.iteration, p.iterations)} · loss ${formatLoss(p.loss)}${evalPart}${accPart} · NFE ${p.nfeForward} fwd, ${p.nfeBackward} bwd · ${formatDuration(p.iterationSeconds)}/it`;
}

/** What the notification knows of the run beside its outcome. */
export interface OutcomeContext {
  /** The iteration the run trained to (an override or a resume may differ from the experiment's). */
  iterations?: number;
  /** Where this training started: 0, or the checkpoint a resume continued from. */
  startIteration?: number;
  /** Seconds this training took. */
  seconds?: number;
}

/**
 * What a finished, stopped or failed run says in its notification: one line, short enough not to
 * be cut off ("Neural ODE: spiral finished — loss 0.0123 (eval 0.015) after 300 iterations in
 * 16 s"); the buttons beside it open the curves and the log, so the run id is left out.
 */
export function outcomeMessage(experiment: string, o: TrainOutcome, c: OutcomeContext = {}): string {
  const accuracy = typeof o.evalAccuracy === 'number' ? `, accuracy ${(100 * o.evalAccuracy).toFixed(1)} %` : '';
  const evalPart = o.evalLoss === null ? '' : ` (eval ${formatLoss(o.evalLoss)}${accuracy})`;
  const loss = `loss ${formatLoss(o.loss)}${evalPart}`;
  const time = c.seconds === undefined ? '' : ` in ${formatDuration(c.seconds)}`;
  switch (o.status) {
    case 'finished': {
      // A resumed run: the iterations this training did, which the time is for.
      const span = c.startIteration ? `iterations ${c.startIteration + 1}–${o.iteration}` : `${o.iteration} iterations`;
      return `Neural ODE: ${experiment} finished — ${loss} after ${span}${time}`;
    }
    case 'cancelled':
      return `Neural ODE: ${experiment} stopped at ${iterationText(o.iteration, c.iterations)} — ${loss}; Resume continues it`;
    case 'failed':
      // The engine's message says why, and at which iteration.
      return `Neural ODE: ${experiment} failed: ${o.message ?? 'the engine gave no reason'}`;
  }
}
