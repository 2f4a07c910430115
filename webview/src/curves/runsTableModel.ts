/**
 * The runs table as data (TensorBoard's HParams table): its columns, each cell's text and sort
 * value, sorting, and which columns differ between the rows. No DOM, so it is unit-tested directly.
 */
import type { CurveRunInfo } from '../protocol';
import { formatCount, formatDuration, formatValue } from './format';
import { runLabel } from './series';

export interface Column {
  id: string;
  title: string;
  /** What the header's tooltip says. */
  description: string;
  numeric: boolean;
  /** The value sorted and compared (null: not recorded, sorted last). */
  value(run: CurveRunInfo): number | string | null;
  text(run: CurveRunInfo): string;
}

const num = (id: string, title: string, description: string, value: (r: CurveRunInfo) => number | null, text: (v: number | null, r: CurveRunInfo) => string = formatValue): Column => ({
  id,
  title,
  description,
  numeric: true,
  value,
  text: (r) => text(value(r), r),
});
const str = (id: string, title: string, description: string, value: (r: CurveRunInfo) => string | null): Column => ({
  id,
  title,
  description,
  numeric: false,
  value,
  text: (r) => value(r) ?? '–',
});

export const COLUMNS: readonly Column[] = [
  str('run', 'Run', 'experiment · run name (or the time part of its id)', (r) => runLabel(r)),
  str('status', 'Status', 'how the run stands or ended', (r) => r.status),
  str('task', 'Task', 'trajectory, classification…', (r) => r.hparams.task),
  str('solver', 'Solver', 'the ODE solver method', (r) => r.hparams.solver),
  num('rtol', 'rtol', "the solver's relative tolerance", (r) => r.hparams.rtol),
  num('atol', 'atol', "the solver's absolute tolerance", (r) => r.hparams.atol),
  str('gradient', 'Gradient', 'how the gradient was computed (backprop, adjoint, checkpoint)', (r) => r.hparams.gradient),
  str('optimizer', 'Optimiser', 'the optimiser', (r) => r.hparams.optimizer),
  num('lr', 'lr', "the optimiser's learning rate", (r) => r.hparams.lr),
  num('iterations', 'Iterations', 'iterations done / planned', (r) => r.lastIteration, (v, r) =>
    r.hparams.iterations === null ? formatCount(v) : `${formatCount(v)} / ${formatCount(r.hparams.iterations)}`,
  ),
  num('finalLoss', 'Final loss', 'the loss of the last iteration', (r) => r.lastLoss),
  num('bestEvalLoss', 'Best eval loss', 'the lowest evaluation loss, and its iteration (the best checkpoint)', (r) => r.stats.bestEvalLoss, (v, r) =>
    v === null ? '–' : `${formatValue(v)} @ ${formatCount(r.stats.bestEvalIteration)}`,
  ),
  num('totalNfe', 'Total NFE', 'function evaluations, forward and backward, over every iteration', (r) => r.stats.totalNfe, formatCount),
  num('seconds', 'Time', 'training time, over every resumed part', (r) => r.stats.seconds, formatDuration),
];

export interface SortOrder {
  column: string;
  descending: boolean;
}

/** The runs in the column's order; runs without a value last either way, equal ones in their given order. */
export function sortRuns(runs: readonly CurveRunInfo[], order: SortOrder | undefined): CurveRunInfo[] {
  const column = order && COLUMNS.find((c) => c.id === order.column);
  if (!column || !order) return [...runs];
  const sign = order.descending ? -1 : 1;
  return runs
    .map((run, i) => ({ run, i, v: column.value(run) }))
    .sort((a, b) => {
      if (a.v === null || b.v === null) return a.v === b.v ? a.i - b.i : a.v === null ? 1 : -1;
      const c = typeof a.v === 'number' && typeof b.v === 'number' ? a.v - b.v : String(a.v).localeCompare(String(b.v), undefined, { numeric: true });
      return c !== 0 ? sign * c : a.i - b.i;
    })
    .map((e) => e.run);
}

/**
 * The columns to show: all, or with `differencesOnly` those whose cells are not the same in every
 * row (the run's name always stays; with fewer than two rows nothing is compared, so all show).
 */
export function visibleColumns(runs: readonly CurveRunInfo[], differencesOnly: boolean): Column[] {
  if (!differencesOnly || runs.length < 2) return [...COLUMNS];
  return COLUMNS.filter((c) => c.id === 'run' || new Set(runs.map((r) => c.text(r))).size > 1);
}

/** The next order after a click on a column's header: ascending, then descending, then the list's own order. */
export function nextSort(current: SortOrder | undefined, column: string): SortOrder | undefined {
  if (current?.column !== column) return { column, descending: false };
  return current.descending ? undefined : { column, descending: true };
}
