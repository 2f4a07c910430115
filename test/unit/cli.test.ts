import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');
const fixtures = join(root, 'test', 'fixtures', 'cli');

/** Runs the command line from source, as `neural-ode …` would. */
function cli(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'engine/src/cli/main.ts'), ...args], {
    cwd: root,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('solve --json prints the states at every t and the solver statistics', () => {
  const r = cli('solve', join(fixtures, 'decay.ode.ts'), '--json');
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.method, 'dopri5');
  assert.deepEqual(out.t, [0, 1, 2]);
  out.t.forEach((t: number, i: number) => assert.ok(Math.abs(out.ys[i][0] - Math.exp(-0.5 * t)) < 1e-8));
  assert.ok(out.stats.nfe > 0 && out.stats.nAccepted > 0);
});

test('flags override the module: --method rk4 --step-size 0.5 takes 4 steps of 4 evaluations', () => {
  const r = cli('solve', join(fixtures, 'decay.ode.ts'), '--method', 'rk4', '--step-size', '0.5', '--json');
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.method, 'rk4');
  assert.equal(out.stats.nAccepted, 4);
  assert.equal(out.stats.nfe, 16);
});

test('a solver error exits 1 and says what went wrong, also as JSON', () => {
  const r = cli('solve', join(fixtures, 'wrongShape.js'), '--json');
  assert.equal(r.code, 1);
  const out = JSON.parse(r.stdout);
  assert.equal(out.error.kind, 'shape');
  assert.match(out.error.message, /returned 2 values at t = 0, but the state y has 1 components/);
  assert.match(r.stderr, /neural-ode: f\(t, y\) returned 2 values/);
});

test('a syntax error names the file, line and column', () => {
  const r = cli('solve', join(fixtures, 'syntaxError.ts'));
  assert.equal(r.code, 1);
  assert.match(r.stderr, /syntaxError\.ts:2:\d+: /);
});

test('unknown methods, missing files and bad numbers are clear errors', () => {
  assert.match(cli('solve', join(fixtures, 'decay.ode.ts'), '--method', 'dopri9').stderr, /Unknown method 'dopri9'\. Known methods: .*dopri5/);
  assert.match(cli('solve', join(fixtures, 'nothere.ts')).stderr, /no such file/);
  assert.match(cli('solve', join(fixtures, 'decay.ode.ts'), '--rtol', 'abc').stderr, /--rtol abc: expected a number/);
  assert.match(cli('frobnicate').stderr, /unknown command 'frobnicate'/);
});

const experiments = join(root, 'test', 'fixtures', 'experiments');
const runsDir = (): string => mkdtempSync(join(tmpdir(), 'neural-ode-cli-runs-'));

test('train runs an experiment to the requested iteration and reports the run', () => {
  const out = runsDir();
  const r = cli('train', join(experiments, 'tiny.ode.ts'), '--iterations', '12', '--out', out, '--json');
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
  const progress = lines.filter((l) => l.progress).map((l) => l.progress.iteration);
  assert.deepEqual(progress, Array.from({ length: 12 }, (_, i) => i + 1));
  const { result } = lines.at(-1);
  assert.equal(result.status, 'finished');
  assert.equal(result.iteration, 12);
  assert.ok(existsSync(join(out, result.runId, 'checkpoint-latest.ckpt')));
});

test('train --name, --tag and --note label the new run in its config.json', () => {
  const out = runsDir();
  const r = cli('train', join(experiments, 'tiny.ode.ts'), '--iterations', '2', '--out', out, '--json', '--name', 'wide lr', '--tag', 'sweep', '--tag', ' lr ', '--tag', 'sweep', '--note', 'lr 3e-2, to compare with 1e-2');
  assert.equal(r.code, 0, r.stderr);
  const { result } = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
  const config = JSON.parse(readFileSync(join(out, result.runId, 'config.json'), 'utf8'));
  assert.equal(config.experiment, 'tiny');
  assert.deepEqual([config.config.name, config.config.runName, config.config.tags, config.config.note], ['tiny', 'wide lr', ['sweep', 'lr'], 'lr 3e-2, to compare with 1e-2']);
  // Without them, the config names the experiment and has no tags or note.
  const plain = cli('train', join(experiments, 'tiny.ode.ts'), '--iterations', '1', '--out', out, '--json');
  const bare = JSON.parse(readFileSync(join(out, JSON.parse(plain.stdout.trim().split('\n').at(-1)!).result.runId, 'config.json'), 'utf8')).config;
  assert.deepEqual([bare.name, bare.tags, bare.note], ['tiny', undefined, undefined]);
  const resumed = cli('train', join(experiments, 'tiny.ode.ts'), '--out', out, '--resume', result.runId, '--name', 'other');
  assert.equal(resumed.code, 1);
  assert.match(resumed.stderr, /--name, --tag and --note label a new run; a resumed run keeps its own/);
});

test('Ctrl-C stops a training run cleanly (exit 130, the shell\'s code for an interrupted command), and --resume finishes it', async () => {
  const out = runsDir();
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'engine/src/cli/main.ts'), 'train', join(experiments, 'tiny.ode.ts'), '--out', out, '--json'], {
    cwd: root,
  });
  let stdout = '';
  let interrupted = false;
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (d: string) => {
    stdout += d;
    if (!interrupted && /"iteration":3\b/.test(stdout)) {
      interrupted = true;
      child.kill('SIGINT');
    }
  });
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  assert.equal(code, 130);
  const { result } = JSON.parse(stdout.trim().split('\n').at(-1)!);
  assert.equal(result.status, 'cancelled');
  assert.ok(result.iteration >= 3 && result.iteration < 400, `stopped at ${result.iteration}`);
  const resumed = cli('train', join(experiments, 'tiny.ode.ts'), '--out', out, '--resume', result.runId, '--iterations', String(result.iteration + 5), '--json');
  assert.equal(resumed.code, 0, resumed.stderr);
  const last = JSON.parse(resumed.stdout.trim().split('\n').at(-1)!).result;
  assert.equal(last.status, 'finished');
  assert.equal(last.runId, result.runId);
  assert.equal(last.iteration, result.iteration + 5);
});

test('help says what each exit status means', () => {
  const help = cli('help').stdout;
  assert.match(help, /exit status:/);
  assert.match(help, /130\s+train stopped by Ctrl-C: the run is kept and --resume continues it/);
});

test('experiment errors name the file, line and column', () => {
  const bad = cli('train', join(experiments, 'badSpec.ode.ts'), '--out', runsDir());
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /badSpec\.ode\.ts:8:\d+: train\.iterations must be a whole number ≥ 1, got -3/);
  assert.match(cli('train', join(experiments, 'syntaxError.ode.ts'), '--out', runsDir()).stderr, /syntaxError\.ode\.ts:5:\d+: /);
  assert.match(cli('train', join(experiments, 'notAnExperiment.ode.ts'), '--out', runsDir()).stderr, /default export is not an experiment/);
});

test('export writes a run\'s weights as safetensors that load back into the model', async () => {
  const out = runsDir();
  const trained = cli('train', join(experiments, 'tiny.ode.ts'), '--iterations', '5', '--out', out, '--json');
  assert.equal(trained.code, 0, trained.stderr);
  const { runId } = JSON.parse(trained.stdout.trim().split('\n').at(-1)!).result;
  const file = join(out, 'w.safetensors');
  const r = cli('export', join(experiments, 'tiny.ode.ts'), '--run', runId, '--runs', out, '--out', file, '--f64');
  assert.equal(r.code, 0, r.stderr);
  const { decodeSafetensors, loadLatestCheckpoint } = await import('../../engine/src/index');
  const { tensors, metadata } = decodeSafetensors(readFileSync(file));
  assert.deepEqual([...tensors.keys()], ['0.weight', '0.bias', '2.weight', '2.bias']);
  assert.deepEqual(tensors.get('0.weight')!.shape, [16, 2]);
  assert.equal(metadata.iteration, '5');
  const params = loadLatestCheckpoint(join(out, runId)).checkpoint.params as Float64Array;
  assert.deepEqual(tensors.get('0.weight')!.data, params.subarray(0, 32));
  assert.match(cli('export', join(experiments, 'tiny.ode.ts'), '--run', 'nope', '--runs', out).stderr, /No run nope in /);
});

test('train and export a tf.sequential model: progress lines, then its weights under PyTorch names', () => {
  const out = runsDir();
  const trained = cli('train', join(experiments, 'tfjsSequential.ode.ts'), '--iterations', '4', '--out', out, '--json');
  assert.equal(trained.code, 0, trained.stderr);
  const lines = trained.stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(lines.filter((l) => l.progress).map((l) => l.progress.iteration), [1, 2, 3, 4]);
  const { result } = lines.at(-1);
  assert.equal(result.status, 'finished');
  const file = join(out, 'seq.safetensors');
  const r = cli('export', join(experiments, 'tfjsSequential.ode.ts'), '--run', result.runId, '--runs', out, '--out', file);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(existsSync(file));
  // The header names the layers as nn.Sequential(Linear(3, 8), Tanh(), Linear(8, 2)) does.
  const header = JSON.parse(readFileSync(file).subarray(8, 8 + Number(readFileSync(file).readBigUInt64LE(0))).toString('utf8'));
  assert.deepEqual(header['0.weight'].shape, [8, 3]);
  assert.deepEqual(header['2.weight'].shape, [2, 8]);
});

test('train --resume --take-over takes a run whose lock cannot be checked; without it the refusal says so in those words', () => {
  const out = runsDir();
  const tiny = join(experiments, 'tiny.ode.ts');
  const first = cli('train', tiny, '--iterations', '5', '--out', out, '--json');
  assert.equal(first.code, 0, first.stderr);
  const { runId } = JSON.parse(first.stdout.trim().split('\n').at(-1)!).result;
  const lock = join(out, runId, 'run.lock');
  writeFileSync(lock, JSON.stringify({ pid: 4242, hostname: 'elsewhere', startedAt: '2026-01-01T00:00:00.000Z', token: 'far' }));
  const refused = cli('train', tiny, '--out', out, '--resume', runId, '--iterations', '7');
  assert.equal(refused.code, 1);
  assert.ok(refused.stderr.includes(`Run ${runId} is being written by process 4242 on elsewhere since 2026-01-01T00:00:00.000Z`), refused.stderr);
  assert.ok(refused.stderr.includes(`--resume ${runId} --take-over`), refused.stderr);
  const taken = cli('train', tiny, '--out', out, '--resume', runId, '--iterations', '7', '--take-over', '--json');
  assert.equal(taken.code, 0, taken.stderr);
  const { result } = JSON.parse(taken.stdout.trim().split('\n').at(-1)!);
  assert.deepEqual([result.status, result.runId, result.iteration], ['finished', runId, 7]);
  assert.ok(!existsSync(lock), 'the lock is released at the end');
  assert.match(cli('train', tiny, '--out', out, '--take-over').stderr, /--take-over goes with --resume/);
  assert.match(cli('help').stdout, /--take-over/);
});

test('a corrupt latest checkpoint: resume and export say which file failed, why, and which checkpoint they use', () => {
  const out = runsDir();
  const tiny = join(experiments, 'tiny.ode.ts');
  const first = cli('train', tiny, '--iterations', '10', '--out', out, '--json');
  assert.equal(first.code, 0, first.stderr);
  const { runId } = JSON.parse(first.stdout.trim().split('\n').at(-1)!).result;
  const latest = join(out, runId, 'checkpoint-latest.ckpt');
  const bytes = readFileSync(latest);
  bytes[bytes.length - 40] ^= 1;
  writeFileSync(latest, bytes);
  const skipped = `${latest}: SHA-256 checksum mismatch (the file is truncated or corrupted). Using checkpoint-prev.ckpt (iteration 5) instead.`;
  const exported = cli('export', tiny, '--run', runId, '--runs', out, '--out', join(out, 'w.safetensors'));
  assert.equal(exported.code, 0, exported.stderr);
  assert.ok(exported.stderr.includes(`neural-ode: warning: ${skipped}`), exported.stderr);
  assert.match(exported.stderr, /iteration 5\)/);
  const resumed = cli('train', tiny, '--out', out, '--resume', runId, '--iterations', '12', '--json');
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.ok(resumed.stderr.includes(`neural-ode: warning: ${skipped} Run ${runId} resumes from iteration 5`), resumed.stderr);
  assert.deepEqual(JSON.parse(resumed.stdout.trim().split('\n').at(-1)!).result.warnings.length, 1);
});

test('train --resume with an id that is not there lists the runs there; one with a path is refused', () => {
  const out = runsDir();
  const tiny = join(experiments, 'tiny.ode.ts');
  const first = cli('train', tiny, '--iterations', '1', '--out', out, '--json');
  assert.equal(first.code, 0, first.stderr);
  const { runId } = JSON.parse(first.stdout.trim().split('\n').at(-1)!).result;
  const missing = cli('train', tiny, '--out', out, '--resume', 'nope');
  assert.equal(missing.code, 1);
  assert.ok(missing.stderr.includes(`No run nope in ${out}. Runs there, newest first: ${runId} (finished, iteration 1). Give one of these ids.`), missing.stderr);
  const escaping = cli('train', tiny, '--out', out, '--resume', '../x');
  assert.equal(escaping.code, 1);
  assert.ok(escaping.stderr.includes(`'../x' is not a run id: an id names a folder inside the runs folder`), escaping.stderr);
  assert.ok(cli('export', tiny, '--run', '../x', '--runs', out).stderr.includes(`'../x' is not a run id`));
});

test('export works for a run whose config.json is damaged, given the experiment file, and says what it could not check', () => {
  const out = runsDir();
  const tiny = join(experiments, 'tiny.ode.ts');
  const first = cli('train', tiny, '--iterations', '5', '--out', out, '--json');
  assert.equal(first.code, 0, first.stderr);
  const { runId } = JSON.parse(first.stdout.trim().split('\n').at(-1)!).result;
  writeFileSync(join(out, runId, 'config.json'), '{"id": "cut off');
  const file = join(out, 'w.safetensors');
  const r = cli('export', tiny, '--run', runId, '--runs', out, '--out', file);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(existsSync(file));
  assert.match(r.stderr, /neural-ode: warning: .*config\.json is not JSON .*the model was not checked against the run's record/);
  assert.match(r.stderr, /wrote .* iteration 5\)/);
});
