/** The run filter: a case-insensitive substring of a run's label, id, name, experiment or tags. */
import type { CurveRunInfo } from '../protocol';
import { runLabel } from './series';

export function matchesFilter(run: CurveRunInfo, filter: string): boolean {
  const q = filter.trim().toLowerCase();
  if (q === '') return true;
  return [runLabel(run), run.id, run.experiment, run.name ?? '', ...run.tags].some((s) => s.toLowerCase().includes(q));
}
