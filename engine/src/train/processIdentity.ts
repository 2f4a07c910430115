import * as fs from 'node:fs';
import * as os from 'node:os';

/**
 * Who a process is, beyond its id. A process id is given to a new process once its own has
 * ended, so a record that names a process keeps, where the system tells them (Linux), the
 * process's start time (/proc/<pid>/stat field 22, clock ticks after boot) and the boot id
 * (/proc/sys/kernel/random/boot_id): a pid that now belongs to a process started at another
 * time, or on another boot, is not the process that was recorded.
 */
export interface ProcessIdentity {
  pid: number;
  hostname: string;
  /** Clock ticks after boot; absent where the system does not tell it. */
  processStart?: string;
  bootId?: string;
}

/** Field 22 of /proc/<pid>/stat (its start time), or null where there is no /proc or no such process. */
export function processStartTime(pid: number): string | null {
  let stat: string;
  try {
    stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // Field 2, the command name, is in parentheses and may hold spaces and parentheses itself.
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const start = rest[22 - 3];
  return start !== undefined && /^\d+$/.test(start) ? start : null;
}

let cachedBootId: string | null | undefined;

export function bootId(): string | null {
  if (cachedBootId === undefined) {
    try {
      cachedBootId = fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || null;
    } catch {
      cachedBootId = null;
    }
  }
  return cachedBootId;
}

/** This process, as a lock records it. */
export function currentProcess(): ProcessIdentity {
  const start = processStartTime(process.pid);
  const boot = bootId();
  return { pid: process.pid, hostname: os.hostname(), ...(start !== null ? { processStart: start } : {}), ...(boot !== null ? { bootId: boot } : {}) };
}

/**
 * Whether the recorded process still runs: 'running' (checked: same pid, same start time, this
 * machine), 'ended' (with why), or 'unknown' (another machine, or a live pid whose start time
 * cannot be compared) with why it cannot be told.
 */
export type ProcessState = { state: 'running' } | { state: 'ended'; why: string } | { state: 'unknown'; why: string };

export function processState(p: ProcessIdentity): ProcessState {
  if (p.hostname !== os.hostname()) {
    return { state: 'unknown', why: `it runs on another machine (${p.hostname}), so this one cannot tell whether it still runs` };
  }
  const boot = bootId();
  if (p.bootId !== undefined && boot !== null && p.bootId !== boot) {
    return { state: 'ended', why: `this machine has restarted since process ${p.pid} took it` };
  }
  if (p.pid !== process.pid) {
    try {
      process.kill(p.pid, 0);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EPERM') return { state: 'ended', why: `process ${p.pid} has ended` };
    }
  }
  const start = processStartTime(p.pid);
  if (p.processStart !== undefined && start !== null) {
    return start === p.processStart
      ? { state: 'running' }
      : { state: 'ended', why: `process ${p.pid} has ended (the id now belongs to another process, started later)` };
  }
  if (p.pid === process.pid) return { state: 'running' };
  return { state: 'unknown', why: `a process ${p.pid} runs, but its start time was not recorded, so it may be another process that got the same id` };
}
