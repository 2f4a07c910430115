import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readIfExists, sleepSync, syncDir, tempName, writeFileDurably } from './durableFiles';
import { RunStoreError } from './errors';
import { currentProcess, processState, type ProcessIdentity, type ProcessState } from './processIdentity';

/**
 * run.lock: the one process that writes a run. Exactly one process holds it at a time:
 *
 * - it is created whole and at once: the lock is written to a temporary file and hard-linked to
 *   `run.lock`, which fails if the name exists (where links are unsupported, `run.lock` is
 *   created with O_EXCL and then written, and a reader waits out the moment it is empty);
 * - a lock whose process has ended is removed only under `run.lock.break`, itself created
 *   exclusively, and only if run.lock still holds the very bytes judged stale (each lock holds a
 *   random token). So of processes that all see the same stale lock, one removes it and the
 *   rest find either no lock or the new holder's; then all of them race to create it again.
 *
 * A lock names its process by pid, host, start time and boot (processIdentity.ts), so a pid
 * reused by another process, or a restart, does not keep a killed writer's lock alive. A lock
 * that cannot be checked (another machine, or no start time recorded) is taken over only when
 * asked (`takeOver`, `neural-ode train --resume ID --take-over`); a checked, running one never.
 *
 * Its holder removes it when it closes the run; a killed one leaves it, stale, for the next.
 */
export const LOCK_FILE = 'run.lock';
const BREAK_FILE = `${LOCK_FILE}.break`;
/** How long a lock file may stay unreadable (being written) before it counts as garbage. */
const UNREADABLE_GRACE_MS = 2000;
/** How long takeLock keeps trying while other processes take and release the lock. */
const TRY_FOR_MS = 5000;

export interface LockInfo extends ProcessIdentity {
  startedAt: string;
  /** Makes every lock file's bytes unique: a stale lock is told from a new one by its content. */
  token: string;
}

/** Whether a lock's process still writes the run: running, ended (why), or unknown (why it cannot be told). */
export type LockHolder = ProcessState;

export const lockHolder = (lock: ProcessIdentity): LockHolder => processState(lock);

function parseLock(bytes: Buffer): LockInfo | null {
  try {
    const v = JSON.parse(bytes.toString('utf8')) as LockInfo;
    return typeof v?.pid === 'number' && typeof v.hostname === 'string' ? v : null;
  } catch {
    return null;
  }
}

/** The lock of a run folder, or null when there is none (or it cannot be read). */
export function readLock(dir: string): LockInfo | null {
  const bytes = readIfExists(path.join(dir, LOCK_FILE));
  return bytes === null ? null : parseLock(bytes);
}

/** Creates `file` holding `text` if no such file exists; false if one does. */
function createExclusive(file: string, text: string): boolean {
  const tmp = tempName(path.dirname(file), path.basename(file));
  writeFileDurably(tmp, text);
  try {
    fs.linkSync(tmp, file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (!['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EXDEV', 'EMLINK'].includes(code ?? '')) throw err;
    return createExclusiveWithoutLinks(file, text);
  } finally {
    fs.rmSync(tmp, { force: true });
  }
  syncDir(path.dirname(file));
  return true;
}

function createExclusiveWithoutLinks(file: string, text: string): boolean {
  let fd: number;
  try {
    fd = fs.openSync(file, 'wx');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
  try {
    fs.writeSync(fd, text);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  syncDir(path.dirname(file));
  return true;
}

const ageMs = (file: string): number => {
  try {
    return Date.now() - fs.statSync(file).mtimeMs;
  } catch {
    return 0;
  }
};

/**
 * Removes `file` if it still holds `seen`: it is moved aside first, so that what is checked is
 * what was removed; anything else found there is put back.
 */
function removeIfUnchanged(file: string, seen: Buffer): void {
  const aside = tempName(path.dirname(file), path.basename(file));
  try {
    fs.renameSync(file, aside);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  if (!(readIfExists(aside)?.equals(seen) ?? false)) {
    try {
      fs.linkSync(aside, file);
    } catch {
      // a new one was created meanwhile: it stands
    }
  }
  fs.rmSync(aside, { force: true });
}

/** Removes the stale lock `seen` (the bytes judged stale), unless another process is doing so. */
function removeStaleLock(dir: string, seen: Buffer, mine: string): void {
  const file = path.join(dir, LOCK_FILE);
  const breaker = path.join(dir, BREAK_FILE);
  if (!createExclusive(breaker, mine)) {
    // Another process is removing it now. Should that process have died doing so, its mark goes.
    const other = readIfExists(breaker);
    const info = other && parseLock(other);
    if (other !== null && (info === null ? ageMs(breaker) > UNREADABLE_GRACE_MS : lockHolder(info).state === 'ended')) removeIfUnchanged(breaker, other);
    sleepSync(1 + Math.random() * 3);
    return;
  }
  try {
    // Under the mark nobody else removes run.lock, and nobody creates one while it exists:
    // if it still holds the stale bytes, they are what is removed.
    if (readIfExists(file)?.equals(seen)) fs.rmSync(file, { force: true });
  } finally {
    fs.rmSync(breaker, { force: true });
  }
}

export interface TakeLockOptions {
  /** Take a lock whose process cannot be checked (another machine, no start time recorded). */
  takeOver?: boolean;
  /** The run's experiment file, for the command a refusal gives. */
  experimentFile?: string;
}

function busyMessage(id: string, dir: string, held: LockInfo, holder: LockHolder, opts: TakeLockOptions): string {
  const file = path.join(dir, LOCK_FILE);
  const who = `Run ${id} is being written by process ${held.pid} on ${held.hostname} since ${held.startedAt} (${file})`;
  if (holder.state === 'unknown') {
    const command = `neural-ode train ${opts.experimentFile ?? '<experiment file>'} --resume ${id} --take-over`;
    return (
      `${who}, as far as this machine can tell: ${holder.why}. If that process is still writing the run, let it finish. ` +
      `If it is not (it was killed, or its machine went down), take the run over: ${command} (or delete ${file}).`
    );
  }
  if (held.pid === process.pid) return `${who}: this process has it open already (another thread, or a Run not closed); close that first.`;
  if (opts.takeOver) {
    return `${who}, and it is not taken over: process ${held.pid} on this machine is still running (it started when the lock says). Stop it first (kill ${held.pid}), then resume.`;
  }
  return `${who}; stop that process first (kill ${held.pid}), or wait for it to finish.`;
}

/**
 * Takes the run in `dir` for this process: returns the lock written, or throws RunStoreError
 * 'busy' naming the process that holds it and what to do. A lock whose process has ended is
 * taken over; one that cannot be checked only with `takeOver`.
 */
export function takeLock(dir: string, id: string, opts: TakeLockOptions = {}): LockInfo {
  const file = path.join(dir, LOCK_FILE);
  const mine: LockInfo = { ...currentProcess(), startedAt: new Date().toISOString(), token: randomBytes(8).toString('hex') };
  const text = JSON.stringify(mine, null, 2) + '\n';
  const until = Date.now() + TRY_FOR_MS;
  for (;;) {
    if (createExclusive(file, text)) return mine;
    const seen = readIfExists(file);
    if (seen === null) continue; // released in between
    const held = parseLock(seen);
    if (held === null) {
      // Being written by a process that could not link it whole, or garbage.
      if (ageMs(file) < UNREADABLE_GRACE_MS && Date.now() < until) {
        sleepSync(2);
        continue;
      }
    } else {
      const holder = lockHolder(held);
      if (holder.state === 'running' || (holder.state === 'unknown' && !opts.takeOver)) {
        throw new RunStoreError('busy', busyMessage(id, dir, held, holder, opts), [file]);
      }
    }
    removeStaleLock(dir, seen, text);
    if (Date.now() > until) {
      throw new RunStoreError('busy', `Run ${id}: ${file} kept changing while this process tried to take it (other processes are taking the run); try again.`, [file]);
    }
  }
}

/** Removes the lock if it is the one `lock` names (never another process's). */
export function releaseLock(dir: string, lock: LockInfo): void {
  const file = path.join(dir, LOCK_FILE);
  const bytes = readIfExists(file);
  const held = bytes && parseLock(bytes);
  if (held?.token === lock.token) fs.rmSync(file, { force: true });
}
