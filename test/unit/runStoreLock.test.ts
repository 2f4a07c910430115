import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildSync } from 'esbuild';
import {
  createRun, CHECKPOINT_LATEST, CHECKPOINT_PREV, LOCK_FILE, listRuns, loadLatestCheckpoint, openRun, readMetrics, RunStoreError, writeCheckpoint,
} from '../../engine/src/train/index';

/** The contender, bundled once: ten plain node processes start in about a second, through tsx in several. */
function bundleContender(dir: string): string {
  const outfile = path.join(dir, 'lockContender.cjs');
  buildSync({ entryPoints: [path.join(import.meta.dirname, 'fixtures', 'lockContender.ts')], bundle: true, platform: 'node', format: 'cjs', outfile, logLevel: 'warning' });
  return outfile;
}
const CONTENDERS = 10;
const ROUNDS = 6;

/** The pid of a process that has exited, for a stale lock. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

/** A child process that answers one line per command. */
class Contender {
  private readonly lines: string[] = [];
  private waiting: ((line: string) => void) | null = null;
  private stderr = '';
  readonly child: ChildProcessWithoutNullStreams;

  constructor(script: string, root: string, id: string) {
    this.child = spawn(process.execPath, [script, root, id]);
    let buffered = '';
    this.child.stdout.setEncoding('utf8');
    this.child.stdout.on('data', (chunk: string) => {
      buffered += chunk;
      const parts = buffered.split('\n');
      buffered = parts.pop() ?? '';
      for (const line of parts) {
        if (this.waiting) {
          const w = this.waiting;
          this.waiting = null;
          w(line);
        } else this.lines.push(line);
      }
    });
    this.child.stderr.on('data', (d) => (this.stderr += String(d)));
  }

  next(): Promise<string> {
    const line = this.lines.shift();
    if (line !== undefined) return Promise.resolve(line);
    return new Promise((resolve, reject) => {
      this.waiting = resolve;
      this.child.once('exit', (code) => reject(new Error(`contender exited (${code}):\n${this.stderr}`)));
    });
  }

  send(command: string): void {
    this.child.stdin.write(`${command}\n`);
  }
}

describe('one writer per run', () => {
  it('of many processes resuming the same run at once, exactly one takes it, every time; the others are told who holds it', { timeout: 60_000 }, async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'neural-ode-lock-'));
    const script = bundleContender(root);
    const run = createRun(root, { experiment: 'lock', config: {} });
    run.close();
    const contenders = Array.from({ length: CONTENDERS }, () => new Contender(script, root, run.id));
    try {
      for (const c of contenders) assert.equal(await c.next(), 'ready');
      const writers: number[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        // Every other round starts from a stale lock (its process killed): all of them see it stale at once.
        if (round % 2 === 1) {
          fs.writeFileSync(path.join(run.dir, LOCK_FILE), JSON.stringify({ pid: deadPid(), hostname: os.hostname(), startedAt: '2026-01-01T00:00:00.000Z' }));
        }
        for (const c of contenders) c.send('go');
        const answers = await Promise.all(contenders.map((c) => c.next()));
        const took = answers.filter((a) => a.startsWith('took '));
        const busy = answers.filter((a) => a.startsWith('busy '));
        assert.deepEqual(answers.filter((a) => !a.startsWith('took ') && !a.startsWith('busy ')), [], `round ${round}: unexpected answers`);
        assert.equal(took.length, 1, `round ${round}: ${took.length} processes took the run: ${took.join(', ')}`);
        const [, pid, first] = took[0].split(' ');
        assert.equal(Number(first), 10 * round + 1, `round ${round}: the writer continues where the last one stopped`);
        writers.push(Number(pid));
        for (const b of busy) {
          const message = JSON.parse(b.slice(5)) as string;
          assert.ok(
            message.startsWith(`Run ${run.id} is being written by process ${pid} on ${os.hostname()} since `),
            `round ${round}: ${message}`,
          );
        }
        const holder = contenders[answers.indexOf(took[0])];
        holder.send('close');
        assert.equal(await holder.next(), 'closed');
      }
      const records = readMetrics(run.dir).records;
      assert.deepEqual(records.map((r) => r.iteration), Array.from({ length: 10 * ROUNDS }, (_, i) => i + 1), 'no interleaved metrics');
      writers.forEach((pid, round) => {
        assert.ok(records.slice(10 * round, 10 * round + 10).every((r) => r.pid === pid), `round ${round}: every line from its one writer`);
      });
      assert.deepEqual(fs.readdirSync(run.dir).filter((f) => f.endsWith('.tmp') || f.startsWith(LOCK_FILE)), [], 'no temporary files, no lock left');
      assert.equal(loadLatestCheckpoint(run.dir).checkpoint.iteration, 10 * ROUNDS);
    } finally {
      for (const c of contenders) c.send('exit');
      await Promise.all(contenders.map((c) => new Promise((resolve) => (c.child.exitCode !== null ? resolve(null) : c.child.once('exit', resolve)))));
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('checkpoint-prev', () => {
  it('a checkpoint written when latest and prev are one file (a crash between the two renames) leaves no temporary file', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'neural-ode-lock-'));
    try {
      const run = createRun(root, { experiment: 'links', config: {} });
      writeCheckpoint(run, { iteration: 1, params: Float64Array.of(1) });
      const latest = path.join(run.dir, CHECKPOINT_LATEST);
      const prev = path.join(run.dir, CHECKPOINT_PREV);
      fs.linkSync(latest, prev);
      writeCheckpoint(run, { iteration: 2, params: Float64Array.of(2) });
      assert.deepEqual(fs.readdirSync(run.dir).filter((f) => f.endsWith('.tmp')), []);
      assert.equal(loadLatestCheckpoint(run).checkpoint.iteration, 2);
      run.close();
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});

/** Field 22 of /proc/<pid>/stat: when the process started, in clock ticks after boot. */
function startTime(pid: number): string {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
}
const bootId = (): string => fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
const onLinux = process.platform === 'linux' ? false : 'process start times come from /proc';

function busyError(run: () => unknown): RunStoreError {
  try {
    run();
  } catch (e) {
    assert.ok(e instanceof RunStoreError && e.kind === 'busy', String(e));
    return e;
  }
  return assert.fail('expected RunStoreError busy');
}

describe('a dead writer told from a live one', () => {
  let root = '';
  const lockAt = (id: string, lock: object): void => fs.writeFileSync(path.join(root, id, LOCK_FILE), JSON.stringify(lock));
  const closedRun = (config: object = {}): string => {
    const run = createRun(root, { experiment: 'stale', config });
    run.close();
    return run.id;
  };
  const withRoot = (fn: () => unknown | Promise<unknown>) => async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'neural-ode-lock-'));
    try {
      await fn();
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  };

  it('a lock records its process start time and the boot', { skip: onLinux }, withRoot(() => {
    const run = createRun(root, { experiment: 'stale', config: {} });
    const lock = JSON.parse(fs.readFileSync(path.join(run.dir, LOCK_FILE), 'utf8'));
    assert.equal(lock.pid, process.pid);
    assert.equal(lock.processStart, startTime(process.pid));
    assert.equal(lock.bootId, bootId());
    run.close();
  }));

  it('a lock whose process id now belongs to another process is stale: the run reads interrupted and opens', { skip: onLinux }, withRoot(() => {
    const id = closedRun();
    // Our parent runs, but it is not the process that took the lock (which started at tick 1).
    lockAt(id, { pid: process.ppid, hostname: os.hostname(), startedAt: '2026-01-01T00:00:00.000Z', processStart: '1', bootId: bootId(), token: 'old' });
    const [summary] = listRuns(root);
    assert.equal(summary.status, 'interrupted');
    assert.match(summary.message ?? '', new RegExp(`process ${process.ppid} has ended \\(the id now belongs to another process`));
    openRun(root, id).close();
  }));

  it('a lock taken before the machine restarted is stale', { skip: onLinux }, withRoot(() => {
    const id = closedRun();
    lockAt(id, { pid: process.ppid, hostname: os.hostname(), startedAt: '2026-01-01T00:00:00.000Z', processStart: startTime(process.ppid), bootId: 'another-boot', token: 'old' });
    assert.equal(listRuns(root)[0].status, 'interrupted');
    openRun(root, id).close();
  }));

  it('a live writer is refused and named, and --take-over does not take its run', { skip: onLinux }, withRoot(async () => {
    const id = closedRun();
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
    try {
      const pid = child.pid!;
      lockAt(id, { pid, hostname: os.hostname(), startedAt: '2026-01-01T00:00:00.000Z', processStart: startTime(pid), bootId: bootId(), token: 'live' });
      assert.equal(listRuns(root)[0].status, 'running');
      const refused = busyError(() => openRun(root, id));
      assert.ok(refused.message.startsWith(`Run ${id} is being written by process ${pid} on ${os.hostname()} since 2026-01-01T00:00:00.000Z`), refused.message);
      assert.match(refused.message, new RegExp(`stop that process first \\(kill ${pid}\\), or wait for it to finish`));
      const forced = busyError(() => openRun(root, id, { takeOver: true }));
      assert.match(forced.message, new RegExp(`process ${pid} on this machine is still running`));
    } finally {
      child.kill();
      await new Promise((resolve) => child.once('exit', resolve));
    }
    openRun(root, id).close(); // once it has ended, the run opens
  }));

  it('a lock that cannot be checked is refused with the words that take the run over', withRoot(() => {
    const id = closedRun({ file: '/work/exp/spiral.ode.ts' });
    lockAt(id, { pid: 4242, hostname: 'elsewhere', startedAt: '2026-01-01T00:00:00.000Z', token: 'far' });
    assert.equal(listRuns(root)[0].status, 'running');
    const refused = busyError(() => openRun(root, id));
    assert.ok(refused.message.startsWith(`Run ${id} is being written by process 4242 on elsewhere since 2026-01-01T00:00:00.000Z`), refused.message);
    assert.match(refused.message, /another machine \(elsewhere\)/);
    assert.ok(refused.message.includes(`neural-ode train /work/exp/spiral.ode.ts --resume ${id} --take-over`), refused.message);
    assert.ok(refused.message.includes(`delete ${path.join(root, id, LOCK_FILE)}`), refused.message);
    const taken = openRun(root, id, { takeOver: true });
    assert.equal(JSON.parse(fs.readFileSync(path.join(root, id, LOCK_FILE), 'utf8')).pid, process.pid);
    taken.close();
  }));

  it('an old lock without a start time whose process id runs is refused, saying it may be another process', withRoot(() => {
    const id = closedRun();
    lockAt(id, { pid: process.ppid, hostname: os.hostname(), startedAt: '2026-01-01T00:00:00.000Z' });
    const refused = busyError(() => openRun(root, id));
    assert.match(refused.message, /may be another process/);
    assert.match(refused.message, /--take-over/);
  }));
});
