import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ENGINE_VERSION } from '../version';
import { decodeCheckpoint, encodeCheckpoint } from './checkpointFormat';
import { syncDir, syncFile, tempName, writeFileDurably, writeJsonAtomic } from './durableFiles';
import { RunStoreError } from './errors';
import { formatMetricsLine, lastMetricsRecord, parseMetrics, readMetricsFile, repairMetricsTail, type MetricsRead, type MetricsRecord } from './metrics';
import { makeRunId, runIdSlug, runIdTime } from './runId';
import { LOCK_FILE, lockHolder, readLock, releaseLock, takeLock, type LockInfo } from './runLock';

/**
 * The on-disk run store: one folder per run under a runs root (by convention
 * `<workspace>/.neural-ode/runs/<id>/`):
 *
 *   config.json             what was run: { id, experiment, createdAt, engineVersion, config }
 *   metrics.jsonl           one JSON line per iteration, appended and flushed as it happens
 *   checkpoint-latest.ckpt  the newest checkpoint (format: checkpointFormat.ts)
 *   checkpoint-prev.ckpt    the one before it, the fallback when the newest does not verify
 *   checkpoint-best.ckpt    the weights with the lowest evaluation loss so far (views, export)
 *   run.lock                { pid, hostname, processStart, bootId, startedAt, token } while a process writes the run (runLock.ts)
 *   result.json             how it ended: { status, finishedAt, ... }; absent while running
 *   run.log                 warnings about the run's files, one line each (runLog.ts)
 *
 * Every file that is replaced (config, checkpoints, result) is written to a temporary file in
 * the same folder, fsynced and renamed over the old one, so a reader or a crash sees either the
 * old or the new content, never a mix. Metrics lines are appended with one write each; a crash
 * loses at most the line being written, which readers report and skip.
 */

export const CONFIG_FILE = 'config.json';
export const METRICS_FILE = 'metrics.jsonl';
export const RESULT_FILE = 'result.json';
/** Why the run slowed down and what to change, written once when it is found (experiments/slowdownDoctor.ts). */
export const SLOWDOWN_FILE = 'slowdown.json';
export { LOCK_FILE };
export const CHECKPOINT_LATEST = 'checkpoint-latest.ckpt';
export const CHECKPOINT_PREV = 'checkpoint-prev.ckpt';
export const CHECKPOINT_BEST = 'checkpoint-best.ckpt';

/** The conventional runs folder of a workspace. */
export function defaultRunsRoot(workspace: string): string {
  return path.join(workspace, '.neural-ode', 'runs');
}

export type RunStatus = 'running' | 'finished' | 'failed' | 'cancelled' | 'interrupted';

export interface RunConfigFile {
  id: string;
  experiment: string;
  createdAt: string;
  engineVersion: string;
  config: unknown;
}

export interface RunResult {
  status: 'finished' | 'failed' | 'cancelled';
  /** What a person should read: why it failed, where it was cancelled. */
  message?: string;
  iterations?: number;
  finalLoss?: number;
  [key: string]: unknown;
}

/** What a checkpoint holds; params and any Float64Array/Float32Array inside are stored bit-exactly. */
export interface CheckpointData {
  iteration: number;
  params: Float64Array | Float32Array | Record<string, Float64Array | Float32Array>;
  optimizerState?: unknown;
  rngState?: unknown;
  [key: string]: unknown;
}

export interface LoadedCheckpoint {
  checkpoint: CheckpointData;
  file: string;
  /** True when the newest file did not verify and the previous one was loaded. */
  fellBack: boolean;
  /** What was wrong with the files skipped over (empty when the newest loaded). */
  problems: string[];
}

/** A run opened for writing: metrics appends, checkpoints, the final result. */
export class Run {
  readonly metricsFile: string;
  private fd: number | null;

  constructor(
    readonly root: string,
    readonly id: string,
    readonly dir: string,
    readonly experiment: string,
    readonly config: unknown,
    /** Iteration of the last metrics line when opened (for resume), or null for a new run. */
    readonly lastIteration: number | null,
    private readonly lock: LockInfo,
  ) {
    this.metricsFile = path.join(dir, METRICS_FILE);
    this.fd = fs.openSync(this.metricsFile, 'a');
  }

  get isOpen(): boolean {
    return this.fd !== null;
  }

  /** Appends one line (one write call, so a crash cannot leave half of a line and then more). */
  appendMetrics(record: MetricsRecord): void {
    if (this.fd === null) throw new RunStoreError('input', `Run ${this.id} is closed; open it again with openRun to append metrics.`);
    if (!Number.isFinite(record.iteration)) throw new RunStoreError('input', `A metrics record needs a finite iteration number, got ${record.iteration}.`);
    fs.writeSync(this.fd, formatMetricsLine(record));
  }

  /** Forces the metrics written so far to disk (also done at every checkpoint). */
  syncMetrics(): void {
    if (this.fd !== null) fs.fsyncSync(this.fd);
  }

  writeCheckpoint(data: CheckpointData): { file: string; bytes: number } {
    if (!Number.isInteger(data.iteration) || data.iteration < 0) {
      throw new RunStoreError('input', `A checkpoint needs an integer iteration ≥ 0, got ${data.iteration}.`);
    }
    const bytes = encodeCheckpoint(data);
    this.syncMetrics();
    const latest = path.join(this.dir, CHECKPOINT_LATEST);
    const prev = path.join(this.dir, CHECKPOINT_PREV);
    const tmp = tempName(this.dir, `checkpoint-${data.iteration}`);
    writeFileDurably(tmp, bytes);
    // Keep the current newest as prev. A hard link keeps `latest` in place throughout, so at
    // every instant both names hold complete files; where links are unsupported, copy.
    if (fs.existsSync(latest)) {
      const prevTmp = tempName(this.dir, 'checkpoint-prev');
      try {
        fs.linkSync(latest, prevTmp);
      } catch {
        fs.copyFileSync(latest, prevTmp);
        syncFile(prevTmp);
      }
      fs.renameSync(prevTmp, prev);
      // Where prev already was latest (a crash between the two renames), rename did nothing.
      fs.rmSync(prevTmp, { force: true });
    }
    fs.renameSync(tmp, latest);
    syncDir(this.dir);
    return { file: latest, bytes: bytes.length };
  }

  /**
   * Replaces the best checkpoint (the weights of the lowest evaluation loss, kept beside the
   * latest). Written whole to a temporary file and renamed, like every checkpoint.
   */
  writeBestCheckpoint(data: CheckpointData & { evalLoss: number }): { file: string; bytes: number } {
    const bytes = encodeCheckpoint(data);
    const best = path.join(this.dir, CHECKPOINT_BEST);
    const tmp = tempName(this.dir, `checkpoint-best-${data.iteration}`);
    writeFileDurably(tmp, bytes);
    fs.renameSync(tmp, best);
    syncDir(this.dir);
    return { file: best, bytes: bytes.length };
  }

  loadLatestCheckpoint(): LoadedCheckpoint {
    return loadLatestCheckpoint(this.dir);
  }

  /** Writes result.json, closes the metrics stream and releases the run. */
  finish(result: RunResult): void {
    if (!['finished', 'failed', 'cancelled'].includes(result.status)) {
      throw new RunStoreError('input', `A run ends as finished, failed or cancelled, got '${result.status}'.`);
    }
    this.syncMetrics();
    writeJsonAtomic(path.join(this.dir, RESULT_FILE), { ...result, finishedAt: new Date().toISOString() });
    this.close();
  }

  /** Closes the metrics stream and releases the lock without a result (the run reads as interrupted). */
  close(): void {
    if (this.fd === null) return;
    fs.fsyncSync(this.fd);
    fs.closeSync(this.fd);
    this.fd = null;
    releaseLock(this.dir, this.lock);
  }
}

export interface CreateRunOptions {
  experiment: string;
  config: unknown;
  /** For tests and imports: the clock that names the run. */
  now?: Date;
}

/** Makes a new run folder with config.json and an empty metrics stream. */
export function createRun(root: string, opts: CreateRunOptions): Run {
  if (typeof opts.experiment !== 'string' || opts.experiment.trim() === '') {
    throw new RunStoreError('input', 'createRun needs the experiment name (the name given to defineExperiment).');
  }
  fs.mkdirSync(root, { recursive: true });
  const { id, dir } = claimRunDir(root, opts.experiment, opts.now);
  const configFile: RunConfigFile = {
    id,
    experiment: opts.experiment,
    createdAt: (opts.now ?? new Date()).toISOString(),
    engineVersion: ENGINE_VERSION,
    config: opts.config ?? null,
  };
  writeJsonAtomic(path.join(dir, CONFIG_FILE), configFile);
  const lock = takeLock(dir, id);
  return new Run(root, id, dir, opts.experiment, configFile.config, null, lock);
}

/** A fresh run folder; mkdir is not recursive, so it fails if the id is taken and two runs never share one. */
function claimRunDir(root: string, experiment: string, now?: Date): { id: string; dir: string } {
  for (let attempt = 0; ; attempt++) {
    const id = makeRunId(experiment, now);
    const dir = path.join(root, id);
    try {
      fs.mkdirSync(dir);
      return { id, dir };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 100) throw err;
    }
  }
}

export interface OpenRunOptions {
  /**
   * Drop metrics lines after this iteration: a resume from a checkpoint at iteration k redoes
   * k+1, …, so the stream stays one line per iteration.
   */
  rewindTo?: number;
  /** Take the run from a lock whose process cannot be checked (another machine, an old lock without its start time). */
  takeOver?: boolean;
}

/**
 * Opens an existing run to continue it (resume): the same metrics stream, a fresh lock, and no
 * result.json (the run is running again). An interrupted last metrics line is cut off first.
 */
export function openRun(root: string, id: string, opts: OpenRunOptions = {}): Run {
  const dir = runDir(root, id);
  const config = readConfig(dir, id);
  const file = (config.config as { file?: unknown } | null)?.file;
  const lock = takeLock(dir, id, { takeOver: opts.takeOver, experimentFile: typeof file === 'string' ? file : undefined });
  try {
    const metricsFile = path.join(dir, METRICS_FILE);
    repairMetricsTail(metricsFile);
    cleanTempFiles(dir);
    if (opts.rewindTo !== undefined) rewindMetrics(metricsFile, opts.rewindTo);
    fs.rmSync(path.join(dir, RESULT_FILE), { force: true });
    const last = lastMetricsRecord(metricsFile);
    return new Run(root, id, dir, config.experiment, config.config, last?.iteration ?? null, lock);
  } catch (err) {
    releaseLock(dir, lock);
    throw err;
  }
}

export function appendMetrics(run: Run, record: MetricsRecord): void {
  run.appendMetrics(record);
}

export function writeCheckpoint(run: Run, data: CheckpointData): { file: string; bytes: number } {
  return run.writeCheckpoint(data);
}

export function finishRun(run: Run, result: RunResult): void {
  run.finish(result);
}

/** A run's metrics: every complete line, and what (if anything) was cut off or unreadable. */
export function readMetrics(runOrDir: Run | string): MetricsRead {
  const dir = typeof runOrDir === 'string' ? runOrDir : runOrDir.dir;
  return readMetricsFile(path.join(dir, METRICS_FILE));
}

/**
 * The newest checkpoint of a run that verifies: checkpoint-latest, else checkpoint-prev (saying
 * why latest was skipped). Throws RunStoreError 'noCheckpoint' when there is none, 'corrupt'
 * (naming each file and its problem) when none verifies.
 */
export function loadLatestCheckpoint(runOrDir: Run | string): LoadedCheckpoint {
  const dir = typeof runOrDir === 'string' ? runOrDir : runOrDir.dir;
  const problems: string[] = [];
  const files = [CHECKPOINT_LATEST, CHECKPOINT_PREV].map((f) => path.join(dir, f));
  let present = 0;
  for (const [k, file] of files.entries()) {
    let bytes: Buffer;
    try {
      bytes = fs.readFileSync(file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') problems.push(`${file}: cannot be read (${(err as Error).message})`);
      else if (k === 0 && fs.existsSync(files[1])) problems.push(`${file} is missing`);
      continue;
    }
    present++;
    try {
      const checkpoint = decodeCheckpoint(bytes, file) as CheckpointData;
      if (typeof checkpoint?.iteration !== 'number') throw new RunStoreError('corrupt', `${file}: it verifies but holds no iteration number.`, [file]);
      return { checkpoint, file, fellBack: k > 0, problems };
    } catch (err) {
      problems.push(err instanceof RunStoreError ? err.message : `${file}: ${(err as Error).message}`);
    }
  }
  if (present === 0 && problems.length === 0) throw noCheckpointError(dir, files);
  throw new RunStoreError(
    'corrupt',
    `No checkpoint in ${dir} verifies:\n  ${problems.join('\n  ')}\nThe run cannot resume from these files; start it afresh (its metrics.jsonl is intact).`,
    files,
  );
}

/**
 * A run folder without checkpoint-latest and checkpoint-prev: one that stopped before its first
 * checkpoint, or one whose files went missing (it finished, or its metrics go past the first
 * checkpoint, or it has a best checkpoint).
 */
function noCheckpointError(dir: string, files: string[]): RunStoreError {
  const result = readJson<RunResult>(path.join(dir, RESULT_FILE));
  const last = lastMetricsRecord(path.join(dir, METRICS_FILE))?.iteration ?? 0;
  const reached = Math.max(last, typeof result?.iterations === 'number' ? result.iterations : 0);
  const every = (readJson<RunConfigFile>(path.join(dir, CONFIG_FILE))?.config as { train?: { checkpointEvery?: unknown } } | null)?.train?.checkpointEvery;
  const hadOne =
    ((result?.status === 'finished' || result?.status === 'cancelled') && reached > 0) ||
    (typeof every === 'number' && every > 0 && last >= every) ||
    fs.existsSync(path.join(dir, CHECKPOINT_BEST));
  if (!hadOne) return new RunStoreError('noCheckpoint', `No checkpoint in ${dir} yet: the run stopped before its first checkpoint, so it cannot be resumed; start it again.`, files);
  return new RunStoreError(
    'noCheckpoint',
    `Run ${path.basename(dir)} has no ${CHECKPOINT_LATEST} or ${CHECKPOINT_PREV} in ${dir}, though it got to iteration ${reached} (${result?.status ?? 'interrupted'}): ` +
      'the checkpoint files are missing (deleted or moved). Put them back to resume or export it, or start it again.',
    files,
  );
}

/**
 * What a person should read when loadLatestCheckpoint skipped a file: which failed, why, and
 * which checkpoint is used instead; null when the newest loaded.
 */
export function fallbackNotice(loaded: LoadedCheckpoint): string | null {
  if (!loaded.fellBack && loaded.problems.length === 0) return null;
  const problems = loaded.problems.map((p) => p.replace(/\.$/, '')).join('; ');
  return `${problems}. Using ${path.basename(loaded.file)} (iteration ${loaded.checkpoint.iteration}) instead.`;
}

/**
 * A run's best checkpoint (lowest evaluation loss). Throws RunStoreError 'noCheckpoint' when the
 * run has none (it was never evaluated), 'corrupt' when the file does not verify.
 */
export function loadBestCheckpoint(runOrDir: Run | string): LoadedCheckpoint {
  const dir = typeof runOrDir === 'string' ? runOrDir : runOrDir.dir;
  const file = path.join(dir, CHECKPOINT_BEST);
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new RunStoreError(
        'noCheckpoint',
        `No best checkpoint in ${dir}: a run keeps one from its first evaluation on (train.evalEvery), and this one has not been evaluated yet. Use its latest checkpoint instead.`,
        [file],
      );
    }
    throw new RunStoreError('corrupt', `${file}: cannot be read (${(err as Error).message}).`, [file]);
  }
  let checkpoint: CheckpointData;
  try {
    checkpoint = decodeCheckpoint(bytes, file) as CheckpointData;
  } catch (err) {
    throw err instanceof RunStoreError ? err : new RunStoreError('corrupt', `${file}: ${(err as Error).message}`, [file]);
  }
  if (typeof checkpoint?.iteration !== 'number') throw new RunStoreError('corrupt', `${file}: it verifies but holds no iteration number.`, [file]);
  return { checkpoint, file, fellBack: false, problems: [] };
}

/**
 * Changes a run's config.json (`config` is what the trainer recorded: a resume to a new total, a
 * name given afterwards), written whole and renamed like every file of the run.
 */
export function updateRunConfig(dir: string, edit: (config: Record<string, unknown>) => void): RunConfigFile {
  const file = path.join(dir, CONFIG_FILE);
  const current = readJson<RunConfigFile>(file);
  if (!current) throw new RunStoreError('notFound', `${file} is missing or unreadable: is ${dir} a run folder?`, [file]);
  const config = current.config !== null && typeof current.config === 'object' ? { ...(current.config as Record<string, unknown>) } : {};
  edit(config);
  const next = { ...current, config };
  writeJsonAtomic(file, next);
  return next;
}

/** A run's own name, tags and note (config.runName, config.tags, config.note); null or empty removes one. */
export interface RunLabelEdit {
  runName?: string | null;
  tags?: string[] | null;
  note?: string | null;
}

export function labelRun(dir: string, label: RunLabelEdit): RunConfigFile {
  return updateRunConfig(dir, (c) => {
    const set = (key: string, value: string | string[] | null | undefined): void => {
      if (value === undefined) return;
      const empty = value === null || (Array.isArray(value) ? value.length === 0 : value.trim() === '');
      if (empty) delete c[key];
      else c[key] = Array.isArray(value) ? value.map((t) => t.trim()).filter((t) => t !== '') : value.trim();
    };
    set('runName', label.runName);
    set('tags', label.tags);
    set('note', label.note);
  });
}

export interface RunSummary {
  id: string;
  dir: string;
  experiment: string;
  status: RunStatus;
  createdAt: string;
  finishedAt?: string;
  /** Iteration of the last metrics line (null before the first). */
  lastIteration: number | null;
  lastLoss: number | null;
  wallSeconds: number | null;
  /** result.json's message, or why the run reads as it does. */
  message?: string;
  pid?: number;
  /**
   * Why the run's config.json cannot be used (missing, not JSON, not a run's): the run is listed
   * (experiment and createdAt then come from its id) but not resumed; its checkpoints still export.
   */
  damaged?: string;
}

/**
 * Every run under root, newest first, with its status read from the files: result.json decides
 * finished/failed/cancelled; without it a run whose lock names a live process on this machine is
 * running, otherwise interrupted (killed, crashed, or stopped without a result: resumable).
 */
export function listRuns(root: string): RunSummary[] {
  let names: string[];
  try {
    names = fs.readdirSync(root);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const runs: RunSummary[] = [];
  for (const name of names) {
    const dir = path.join(root, name);
    const loaded = loadRunConfig(dir);
    if ('config' in loaded) runs.push(summarize(dir, name, loaded.config));
    // Without a usable config.json, a folder holding a run's files is a damaged run; any other is
    // not a run (or one whose creation did not get as far as config.json).
    else if (holdsRunFiles(dir)) runs.push(summarize(dir, name, standInConfig(dir, name), loaded.damaged));
  }
  return runs.sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
}

/** A run's config.json (throws RunStoreError 'notFound' or 'corrupt'). */
export function readRunConfig(root: string, id: string): RunConfigFile {
  return readConfig(runDir(root, id), id);
}

/** One run's summary, as listRuns gives it. */
export function readRun(root: string, id: string): RunSummary {
  const dir = existingRunDir(root, id);
  const loaded = loadRunConfig(dir);
  return 'config' in loaded ? summarize(dir, id, loaded.config) : summarize(dir, id, standInConfig(dir, id), loaded.damaged);
}

/** A run's config.json, or why it cannot be used: missing, unreadable, not JSON, or not a run's. */
export function loadRunConfig(dir: string): { config: RunConfigFile } | { damaged: string } {
  let text: string;
  try {
    text = fs.readFileSync(path.join(dir, CONFIG_FILE), 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return { damaged: code === 'ENOENT' || code === 'ENOTDIR' ? `${CONFIG_FILE} is missing` : `${CONFIG_FILE} cannot be read (${(err as Error).message})` };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { damaged: `${CONFIG_FILE} is not JSON (${(err as Error).message})` };
  }
  if (value === null || typeof value !== 'object' || typeof (value as RunConfigFile).experiment !== 'string') {
    return { damaged: `${CONFIG_FILE} does not describe a run (no experiment name)` };
  }
  return { config: value as RunConfigFile };
}

/** Whether a folder holds any file a run writes (a config.json, even damaged; metrics; a checkpoint). */
function holdsRunFiles(dir: string): boolean {
  return [CONFIG_FILE, METRICS_FILE, CHECKPOINT_LATEST, CHECKPOINT_PREV, CHECKPOINT_BEST].some((f) => fs.existsSync(path.join(dir, f)));
}

/** What a damaged run's id says in place of its config.json: the experiment's slug and the start time. */
function standInConfig(dir: string, id: string): RunConfigFile {
  const createdAt = runIdTime(id)?.toISOString() ?? fs.statSync(dir).mtime.toISOString();
  return { id, experiment: runIdSlug(id) ?? id, createdAt, engineVersion: '', config: null };
}

function summarize(dir: string, id: string, config: RunConfigFile, damaged?: string): RunSummary {
  const last = lastMetricsRecord(path.join(dir, METRICS_FILE));
  const summary: RunSummary = {
    id,
    dir,
    experiment: config.experiment,
    status: 'interrupted',
    createdAt: config.createdAt,
    lastIteration: last?.iteration ?? null,
    lastLoss: typeof last?.loss === 'number' ? last.loss : null,
    wallSeconds: typeof last?.wallSeconds === 'number' ? last.wallSeconds : null,
    ...(damaged !== undefined ? { damaged } : {}),
  };
  const result = readJson<RunResult & { finishedAt?: string }>(path.join(dir, RESULT_FILE));
  if (result !== null && ['finished', 'failed', 'cancelled'].includes(result.status)) {
    summary.status = result.status;
    summary.finishedAt = result.finishedAt;
    if (typeof result.message === 'string') summary.message = result.message;
    return summary;
  }
  const lock = readLock(dir);
  const holder = lock !== null ? lockHolder(lock) : null;
  if (lock !== null && holder?.state !== 'ended') {
    summary.status = 'running';
    summary.pid = lock.pid;
  } else {
    summary.message = holder?.state === 'ended' ? `${holder.why} without a result (killed or crashed); resume it from its last checkpoint` : 'no result and no live process; resume it from its last checkpoint';
  }
  return summary;
}

// ── files ──────────────────────────────────────────────────────────────────────────────────

/** A run's folder under root; an id that could name anything else (a path, '..') is refused. */
function runDir(root: string, id: string): string {
  if (!/^[A-Za-z0-9._-]+$/.test(id) || id.includes('..') || id === '.') {
    throw new RunStoreError('input', `'${id}' is not a run id: an id names a folder inside the runs folder (like 20261122-081530-spiral-3f2a), without '/', '\\' or '..'.`);
  }
  return path.join(root, id);
}

/** The folder of run `id` under root: the id checked, and the run there (else the runs there, newest first). */
export function existingRunDir(root: string, id: string): string {
  const dir = runDir(root, id);
  if (!fs.statSync(dir, { throwIfNoEntry: false })?.isDirectory()) throw noSuchRun(root, id);
  return dir;
}

function noSuchRun(root: string, id: string): RunStoreError {
  const runs = listRuns(root);
  const shown = runs.slice(0, 5).map((r) => `${r.id} (${r.status}${r.lastIteration !== null ? `, iteration ${r.lastIteration}` : ''})`);
  const message =
    runs.length === 0
      ? `No run ${id} in ${root}: there are no runs there. Is it the runs folder you meant?`
      : `No run ${id} in ${root}. Runs there, newest first: ${shown.join(', ')}${runs.length > 5 ? `, and ${runs.length - 5} older` : ''}. Give one of these ids.`;
  return new RunStoreError('notFound', message, [path.join(root, id)]);
}

function readConfig(dir: string, id: string): RunConfigFile {
  const file = path.join(dir, CONFIG_FILE);
  if (!fs.existsSync(dir)) throw noSuchRun(path.dirname(dir), id);
  const loaded = loadRunConfig(dir);
  if ('damaged' in loaded) {
    throw new RunStoreError(
      'corrupt',
      `Run ${id} cannot be resumed: its ${loaded.damaged} (${file}). ` +
        `Its checkpoints can still be exported with its experiment file: neural-ode export <experiment file> --run ${id}.`,
      [file],
    );
  }
  return loaded.config;
}

function readJson<T>(file: string): T | null {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
  } catch {
    return null;
  }
}

function rewindMetrics(file: string, iteration: number): void {
  if (!fs.existsSync(file)) return;
  const text = fs.readFileSync(file, 'utf8');
  const kept = text.split('\n').filter((line) => {
    if (line.trim() === '') return false;
    const rec = parseMetrics(line + '\n').records[0];
    return rec === undefined || rec.iteration <= iteration;
  });
  const tmp = tempName(path.dirname(file), path.basename(file));
  writeFileDurably(tmp, kept.map((l) => l + '\n').join(''));
  fs.renameSync(tmp, file);
}

/** Removes temporary files a killed writer left behind (never the ones of a live process). */
export function cleanTempFiles(runOrDir: Run | string): string[] {
  const dir = typeof runOrDir === 'string' ? runOrDir : runOrDir.dir;
  const removed: string[] = [];
  for (const name of fs.readdirSync(dir)) {
    const m = /^\..*\.(\d+)\.[a-z0-9]+\.tmp$/.exec(name);
    if (m === null) continue;
    const pid = Number(m[1]);
    if (pid !== process.pid && lockHolder({ pid, hostname: os.hostname() }).state !== 'ended') continue;
    fs.rmSync(path.join(dir, name), { force: true });
    removed.push(name);
  }
  return removed;
}
