// An experiment whose top level never returns: loading it times out with a message that names the
// file and the flag that raises the limit, stops at once when asked (an AbortSignal, Ctrl-C), and
// leaves no temporary bundle behind. The command line is the built one (dist/cli.js).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { trainInWorker } from '../../engine/src/experiments/trainWorker';

const root = join(import.meta.dirname, '..', '..');
const loops = join(root, 'test', 'fixtures', 'experiments', 'loops.ode.ts');
const cliJs = join(root, 'dist', 'cli.js');
const scratch = mkdtempSync(join(tmpdir(), 'neural-ode-load-timeout-'));
const runsRoot = join(scratch, 'runs');
// The loader's temporary folder, here and in the workers and commands started below.
const tempDir = mkdtempSync(join(scratch, 'tmp-'));
process.env.TMPDIR = tempDir;
after(() => rmSync(scratch, { recursive: true, force: true }));

/** What the loader left in the temporary folder (tsx keeps its own cache there). */
const leftBehind = (): string[] => readdirSync(tempDir).filter((name) => name.startsWith('neural-ode-'));

async function rejection(p: Promise<unknown>): Promise<Error & { kind?: string }> {
  return p.then(
    () => assert.fail('expected loading to fail'),
    (e: unknown) => e as Error & { kind?: string },
  );
}

describe('loading a looping experiment in a worker', { timeout: 60_000 }, () => {
  const workerScript = join(root, 'engine', 'src', 'cli', 'commandWorkerFromSource.mjs');

  it('times out with the file and how to raise the limit', async () => {
    const started = Date.now();
    const err = await rejection(trainInWorker(loops, { runsRoot, workerScript, loadTimeoutMs: 1000 }));
    assert.ok(Date.now() - started >= 1000);
    assert.equal(err.kind, 'loadTimeout');
    assert.ok(err.message.includes(`${loops} did not finish loading within 1 s`), err.message);
    assert.match(err.message, /--load-timeout/);
    assert.deepEqual(leftBehind(), []);
  });

  it('stops at once when its signal aborts', async () => {
    const stop = new AbortController();
    setTimeout(() => stop.abort(), 1500);
    const err = await rejection(trainInWorker(loops, { runsRoot, workerScript, signal: stop.signal }));
    assert.equal(err.kind, 'loadCancelled');
    assert.ok(err.message.includes(`stopped while loading ${loops}`), err.message);
    assert.deepEqual(leftBehind(), []);
  });
});

describe('neural-ode on a looping experiment', { timeout: 60_000, skip: existsSync(cliJs) ? false : 'dist/cli.js is not built: run npm run build' }, () => {
  /** Runs dist/cli.js; `interruptAfter` ms sends SIGINT. Resolves with the exit and when it came after the interrupt. */
  function run(args: string[], interruptAfter?: number): Promise<{ code: number | null; stderr: string; ms: number; sinceInterrupt?: number }> {
    const child = spawn(process.execPath, [cliJs, ...args], { cwd: scratch, env: { ...process.env, TMPDIR: tempDir } });
    const started = Date.now();
    let interruptedAt: number | undefined;
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const interrupt = interruptAfter === undefined ? undefined : setTimeout(() => {
      interruptedAt = Date.now();
      child.kill('SIGINT');
    }, interruptAfter);
    // A command that never ends is killed, so that the test fails instead of hanging.
    const bound = setTimeout(() => child.kill('SIGKILL'), 20_000);
    return new Promise((resolve) =>
      child.on('exit', (code) => {
        clearTimeout(interrupt);
        clearTimeout(bound);
        const now = Date.now();
        resolve({ code, stderr, ms: now - started, sinceInterrupt: interruptedAt === undefined ? undefined : now - interruptedAt });
      }),
    );
  }

  for (const command of [['train', loops, '--out', runsRoot], ['solve', loops], ['export', loops, '--run', 'some-run', '--runs', runsRoot]]) {
    it(`${command[0]}: the first Ctrl-C while loading stops at once (exit 130), leaving nothing behind`, async () => {
      const r = await run(command, 1000);
      assert.equal(r.code, 130, r.stderr);
      assert.ok(r.sinceInterrupt! < 2000, `exited ${r.sinceInterrupt} ms after Ctrl-C`);
      assert.ok(r.stderr.includes(`stopped while loading ${loops}`), r.stderr);
      assert.doesNotMatch(r.stderr, /Stopping after this iteration/);
      assert.deepEqual(leftBehind(), []);
    });

    it(`${command[0]} --load-timeout 1: exits 1 after a second, naming the file and the flag`, async () => {
      const r = await run([...command, '--load-timeout', '1']);
      assert.equal(r.code, 1, r.stderr);
      assert.ok(r.ms >= 1000 && r.ms < 10_000, `exited after ${r.ms} ms`);
      assert.ok(r.stderr.includes(`${loops} did not finish loading within 1 s`), r.stderr);
      assert.match(r.stderr, /--load-timeout SECONDS/);
      assert.deepEqual(leftBehind(), []);
    });
  }

  it('--load-timeout takes seconds (0: no limit), and help says so', async () => {
    const bad = await run(['solve', loops, '--load-timeout', 'soon']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /--load-timeout soon: expected a number of seconds ≥ 0/);
    const help = await new Promise<string>((resolve) => {
      const child = spawn(process.execPath, [cliJs, 'help']);
      let out = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
      child.on('exit', () => resolve(out));
    });
    assert.match(help, /--load-timeout S\s+give up loading the file after S seconds \(default 60; 0: no limit\)/);
  });
});
