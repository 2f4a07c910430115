import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Writing files so that a reader or a crash sees the old content or the new, never a mix: the
 * new bytes go to a temporary file in the same folder, are fsynced, and are renamed over the
 * old name. Temporary files are named `.<base>.<pid>.<random>.tmp`, the form cleanTempFiles
 * (runStore.ts) recognises and removes once their process has ended.
 */

export function tempName(dir: string, base: string): string {
  return path.join(dir, `.${base}.${process.pid}.${Math.random().toString(36).slice(2, 10)}.tmp`);
}

export function writeFileDurably(file: string, data: Uint8Array | string): void {
  const fd = fs.openSync(file, 'w');
  try {
    const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    let written = 0;
    while (written < buf.length) written += fs.writeSync(fd, buf, written, buf.length - written);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

export function syncFile(file: string): void {
  const fd = fs.openSync(file, 'r+');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** Makes renames in dir durable; a no-op where directories cannot be fsynced (Windows). */
export function syncDir(dir: string): void {
  let fd: number | null = null;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // not supported on this platform
  } finally {
    if (fd !== null) fs.closeSync(fd);
  }
}

export function writeJsonAtomic(file: string, value: unknown): void {
  const tmp = tempName(path.dirname(file), path.basename(file));
  writeFileDurably(tmp, JSON.stringify(value, null, 2) + '\n');
  fs.renameSync(tmp, file);
  syncDir(path.dirname(file));
}

/** The file's bytes, or null when it does not exist. */
export function readIfExists(file: string): Buffer | null {
  try {
    return fs.readFileSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/** Blocks the thread for `ms` milliseconds (the run store's calls are synchronous). */
export function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
