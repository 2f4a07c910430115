import { randomBytes } from 'node:crypto';

/** A file-name-safe form of an experiment name: lower case, [a-z0-9-], at most 40 characters. */
export function slug(name: string): string {
  const s = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
    .replace(/-+$/, '');
  return s || 'run';
}

/**
 * A run id: UTC time to the second, the experiment's slug and 4 random hex digits,
 * e.g. 20261122-081530-spiral-3f2a. Ids sort by start time (to the second) as strings.
 */
export function makeRunId(experiment: string, now = new Date()): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  const stamp =
    `${p(now.getUTCFullYear(), 4)}${p(now.getUTCMonth() + 1)}${p(now.getUTCDate())}-` +
    `${p(now.getUTCHours())}${p(now.getUTCMinutes())}${p(now.getUTCSeconds())}`;
  return `${stamp}-${slug(experiment)}-${randomBytes(2).toString('hex')}`;
}

const ID_PATTERN = /^\d{8}-\d{6}-[a-z0-9-]+-[0-9a-f]{4}$/;

/** Whether a folder name is a run id (listRuns ignores anything else in the runs folder). */
export function isRunId(name: string): boolean {
  return ID_PATTERN.test(name);
}

/** The experiment's slug encoded in a run id (`spiral` of 20261122-081530-spiral-3f2a). */
export function runIdSlug(id: string): string | null {
  const m = /^\d{8}-\d{6}-(.+)-[0-9a-f]{4}$/.exec(id);
  return m ? m[1] : null;
}

/** The start time encoded in a run id. */
export function runIdTime(id: string): Date | null {
  const m = /^(\d{4})(\d{2})(\d{2})-(\d{2})(\d{2})(\d{2})/.exec(id);
  return m ? new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6])) : null;
}
