import { RunStoreError } from './errors';
import { existingRunDir, loadBestCheckpoint, loadLatestCheckpoint, type LoadedCheckpoint } from './runStore';

/**
 * A run reference names a run and one of its checkpoints: `<id>` is its latest checkpoint,
 * `<id>@best` its best (the lowest evaluation loss). Run ids never hold '@'.
 */
export interface RunRef {
  id: string;
  checkpoint: 'latest' | 'best';
}

export function parseRunRef(ref: string): RunRef {
  const at = ref.lastIndexOf('@');
  if (at < 0) return { id: ref, checkpoint: 'latest' };
  const which = ref.slice(at + 1);
  if (which !== 'best' && which !== 'latest') {
    throw new RunStoreError('input', `'${ref}' is not a run reference: write the run id, or the id followed by @best for its best checkpoint.`);
  }
  return { id: ref.slice(0, at), checkpoint: which };
}

export const formatRunRef = (r: RunRef): string => (r.checkpoint === 'best' ? `${r.id}@best` : r.id);

/** The checkpoint a run reference names, from the runs folder holding the run. */
export function loadRunCheckpoint(runsRoot: string, ref: string): LoadedCheckpoint & { ref: RunRef } {
  const parsed = parseRunRef(ref);
  const dir = existingRunDir(runsRoot, parsed.id);
  const loaded = parsed.checkpoint === 'best' ? loadBestCheckpoint(dir) : loadLatestCheckpoint(dir);
  return { ...loaded, ref: parsed };
}
