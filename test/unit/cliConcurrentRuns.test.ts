// Ten trainings of one experiment started at once from the command line into one runs folder
// give ten complete runs, nothing interleaved: each run claims its own folder (its id has four
// random hex digits, and the folder is made with an exclusive mkdir, retried on a clash), writes
// its own metrics stream, and finishes with its own result.json.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { parseMetrics } from '../../engine/src/train';

const root = join(__dirname, '..', '..');
const tiny = join(root, 'test', 'fixtures', 'experiments', 'tiny.ode.ts');
const out = mkdtempSync(join(tmpdir(), 'neural-ode-concurrent-'));
after(() => rmSync(out, { recursive: true, force: true }));

/** `neural-ode train` from source, as test/unit/cli.test.ts runs it. */
function train(): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'engine/src/cli/main.ts'), 'train', tiny, '--iterations', '5', '--out', out, '--json'], { cwd: root });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

test('10 trainings started at once into one folder give 10 complete runs, none interleaved', { timeout: 300_000 }, async () => {
  const results = await Promise.all(Array.from({ length: 10 }, train));
  const ids = results.map((r, k) => {
    assert.equal(r.code, 0, `training ${k}: ${r.stderr}`);
    const last = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
    assert.equal(last.result.status, 'finished');
    return last.result.runId as string;
  });
  assert.equal(new Set(ids).size, 10, 'ten different runs');
  assert.deepEqual(readdirSync(out).sort(), [...ids].sort(), 'one folder per training, nothing else');
  for (const id of ids) {
    const dir = join(out, id);
    const text = readFileSync(join(dir, 'metrics.jsonl'), 'utf8');
    const metrics = parseMetrics(text);
    assert.deepEqual(metrics.badLines, [], `${id}: every line whole`);
    assert.equal(metrics.truncatedTail, null);
    assert.deepEqual(metrics.records.map((r) => r.iteration), [1, 2, 3, 4, 5], `${id}: its own iterations, in order`);
    const result = JSON.parse(readFileSync(join(dir, 'result.json'), 'utf8'));
    assert.equal(result.status, 'finished');
    assert.equal(JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')).id, id);
    assert.ok(!existsSync(join(dir, 'run.lock')), `${id}: released`);
    assert.deepEqual(readdirSync(dir).filter((f) => f.endsWith('.tmp')), [], `${id}: no temporary files left`);
  }
});
