/**
 * Following runs to their end. File events can be missed (watcher exclusions, network drives,
 * a result.json renamed into place), so while any listed run is running the panel re-reads the
 * list on an interval; when a shown run stops running, its last metrics lines are read once more.
 */

/** Whether the runs list (and so each run's result.json) needs reading again on the next tick. */
export function anyRunning(statuses: Iterable<string>): boolean {
  for (const s of statuses) if (s === 'running') return true;
  return false;
}

/** The shown runs that were running at the last read and are not now (finished, failed, cancelled, interrupted or gone). */
export function endedRuns(before: ReadonlyMap<string, string>, after: ReadonlyMap<string, string>, shown: readonly string[]): string[] {
  return shown.filter((id) => before.get(id) === 'running' && after.get(id) !== 'running');
}
