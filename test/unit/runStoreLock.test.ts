import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildSync } from 'esbuild';
import { createRun, CHECKPOINT_LATEST, CHECKPOINT_PREV, LOCK_FILE, loadLatestCheckpoint, readMetrics, writeCheckpoint } from '../../engine/src/train/index';

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
