/**
 * The runs of one experiment file, and which of them a panel's weights picker means: the newest
 * run that has a checkpoint ('latest'), its best checkpoint ('best'), none ('untrained'), or one
 * run reference the user chose. Plain Node (no vscode), so it is unit-tested on folders.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isRunId } from '../../../engine/src/train/runId';
import { CHECKPOINT_BEST, CHECKPOINT_LATEST, CHECKPOINT_PREV, CONFIG_FILE, LOCK_FILE, RESULT_FILE } from '../../../engine/src/train/runStore';
import type { FieldSource, RunPick, WeightsChoice } from '../../../webview/src/protocol';
import { parseRunMeta } from './curvesRunInfo';

export interface ExperimentRun {
  id: string;
  dir: string;
  /** config.json's `name`, when the run was given one. */
  name: string | null;
  status: string;
  hasLatest: boolean;
  hasBest: boolean;
}

/** config.json is written once, when the run starts: each run folder's file and name, read once. */
const configOfRun = new Map<string, { file: string | null; name: string | null }>();

function runConfig(dir: string): { file: string | null; name: string | null } | undefined {
  const known = configOfRun.get(dir);
  if (known) return known;
  try {
    const parsed = JSON.parse(fs.readFileSync(path.join(dir, CONFIG_FILE), 'utf8')) as { config?: { file?: unknown } };
    const config = { file: typeof parsed.config?.file === 'string' ? path.resolve(parsed.config.file) : null, name: parseRunMeta(parsed).name };
    configOfRun.set(dir, config);
    return config;
  } catch {
    return undefined; // not written yet: asked again next time
  }
}

function runStatus(dir: string): string {
  try {
    const result = JSON.parse(fs.readFileSync(path.join(dir, RESULT_FILE), 'utf8')) as { status?: unknown };
    if (typeof result.status === 'string') return result.status;
  } catch {
    // no result yet
  }
  return fs.existsSync(path.join(dir, LOCK_FILE)) ? 'running' : 'interrupted';
}

/** The runs of `file` under these runs folders, newest first (run ids sort by start time). */
export function experimentRuns(roots: readonly string[], file: string): ExperimentRun[] {
  const target = path.resolve(file);
  const runs: ExperimentRun[] = [];
  for (const root of roots) {
    let ids: string[];
    try {
      ids = fs.readdirSync(root);
    } catch {
      continue; // no runs folder yet
    }
    for (const id of ids) {
      if (!isRunId(id)) continue;
      const dir = path.join(root, id);
      const config = runConfig(dir);
      if (config?.file !== target) continue;
      const has = (f: string) => fs.existsSync(path.join(dir, f));
      runs.push({ id, dir, name: config.name, status: runStatus(dir), hasLatest: has(CHECKPOINT_LATEST) || has(CHECKPOINT_PREV), hasBest: has(CHECKPOINT_BEST) });
    }
  }
  return runs.sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
}

/** The run reference a pick means now: 'latest' and 'best' follow the newest run of the file. */
export function resolvePick(runs: readonly ExperimentRun[], pick: RunPick, runId: string | null): string | null {
  switch (pick) {
    case 'untrained':
      return null;
    case 'run':
      return runId;
    case 'latest':
      return runs.find((r) => r.hasLatest)?.id ?? null;
    case 'best': {
      const run = runs.find((r) => r.hasBest);
      return run ? `${run.id}@best` : null;
    }
  }
}

/** The picker's value for a source. */
export function weightsValue(source: FieldSource): string {
  const pick = source.pick ?? (source.runId === null ? 'untrained' : 'run');
  return pick === 'run' ? `run:${source.runId}` : pick;
}

/** A picker's value back as a pick and a run reference. */
export function pickOfValue(value: string): { pick: RunPick; runId: string | null } {
  if (value.startsWith('run:')) return { pick: 'run', runId: value.slice(4) };
  return { pick: value as RunPick, runId: null };
}

/** "05:30:15 Dec 6" from a run id's time (UTC, as the id is), else the id. */
function when(id: string): string {
  const m = /^(\d{4})(\d{2})(\d{2})-(\d{2})(\d{2})(\d{2})/.exec(id);
  return m ? `${m[1]}-${m[2]}-${m[3]} ${m[4]}:${m[5]}:${m[6]}` : id;
}

/** What the picker offers for a file's runs, with what 'latest' and 'best' resolve to now. */
export function weightsChoices(runs: readonly ExperimentRun[]): WeightsChoice[] {
  const latest = resolvePick(runs, 'latest', null);
  const best = resolvePick(runs, 'best', null);
  const label = (r: ExperimentRun) => `${r.name ?? when(r.id)} · ${r.status}`;
  const choices: WeightsChoice[] = [
    { value: 'latest', label: latest ? `Latest run (${label(runs.find((r) => r.id === latest)!)})` : 'Latest run (none yet: untrained)' },
    { value: 'best', label: best ? `Best checkpoint (run ${when(best.replace(/@best$/, ''))})` : 'Best checkpoint (none yet: untrained)' },
    { value: 'untrained', label: 'Untrained' },
  ];
  for (const r of runs) {
    if (r.hasLatest) choices.push({ value: `run:${r.id}`, label: `Run ${label(r)}` });
    if (r.hasBest) choices.push({ value: `run:${r.id}@best`, label: `Run ${label(r)} · best checkpoint` });
  }
  return choices;
}

/**
 * A debug launch configuration's "run" made concrete: absent or 'latest' is the newest run's
 * latest checkpoint, 'best' its best, 'untrained' none (undefined); anything else is a run
 * reference, kept as written.
 */
export function launchRun(runs: readonly ExperimentRun[], run: unknown): string | undefined {
  if (run === undefined || run === 'latest' || run === 'best' || run === 'untrained') {
    return resolvePick(runs, (run ?? 'latest') as RunPick, null) ?? undefined;
  }
  return run as string;
}
