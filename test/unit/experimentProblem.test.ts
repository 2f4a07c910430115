// An experiment's load error as a problem at a place: the pure mapping (1-based engine places to
// zero-based positions, the location prefix dropped from the message), then the engine worker's
// `experiment/check` on real files with a syntax error, a spec error and a throw at load time.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { EngineClient } from '../../extension/src/engineClient';
import { experimentProblem } from '../../extension/src/experimentProblem';

const root = path.resolve(import.meta.dirname, '../..');
const fixtures = path.join(root, 'test', 'fixtures', 'experiments');

describe('experimentProblem', () => {
  const file = path.join(os.tmpdir(), 'x', 'a.ode.ts');

  it('uses the engine location, zero-based, and drops the matching prefix', () => {
    const p = experimentProblem(file, `${file}:5:22: Expected "}" but found "optimizer"`, { file, line: 5, column: 22 });
    assert.deepEqual(p, { file, line: 4, character: 21, message: 'Expected "}" but found "optimizer"' });
  });

  it('reads the place from the message when there is no location', () => {
    const other = path.join(os.tmpdir(), 'x', 'helpers.ts');
    assert.deepEqual(experimentProblem(file, `${other}:12:3: train.iterations must be a whole number ≥ 1, got -3.`), {
      file: other,
      line: 11,
      character: 2,
      message: 'train.iterations must be a whole number ≥ 1, got -3.',
    });
  });

  it('puts a message without a place at the top of the experiment file, without its path', () => {
    assert.deepEqual(experimentProblem(file, `${file}: the default export is not an experiment.`), {
      file,
      line: 0,
      character: 0,
      message: 'the default export is not an experiment.',
    });
    assert.deepEqual(experimentProblem(file, 'boom'), { file, line: 0, character: 0, message: 'boom' });
  });

  it('clamps places that are not 1-based numbers to the start', () => {
    const p = experimentProblem(file, 'x', { file, line: 0, column: Number.NaN });
    assert.equal(p.line, 0);
    assert.equal(p.character, 0);
  });
});

describe('experiment/check in the engine worker', () => {
  const client = new EngineClient({ workerPath: path.join(import.meta.dirname, 'fixtures', 'engineWorker.mjs') });
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'neural-ode-check-'));
  after(async () => {
    await client.dispose();
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  const problemOf = async (file: string) => {
    const r = await client.request('experiment/check', { file });
    assert.equal(r.ok, false, `${file} loaded`);
    if (r.ok) throw new Error('unreachable');
    return experimentProblem(file, r.message, r.location);
  };
  /** The zero-based line of the first line of `file` that contains `text`. */
  const lineOf = (file: string, text: string) => fs.readFileSync(file, 'utf8').split('\n').findIndex((l) => l.includes(text));

  it('answers ok with the name for a good experiment', async () => {
    assert.deepEqual(await client.request('experiment/check', { file: path.join(root, 'examples', 'spiral.ode.ts') }), { ok: true, name: 'spiral' });
  });

  it('places a syntax error at its line and column', async () => {
    const file = path.join(fixtures, 'syntaxError.ode.ts');
    const p = await problemOf(file);
    const line = lineOf(file, 'iterations: 10 optimizer');
    assert.equal(p.file, file);
    assert.equal(p.line, line);
    assert.equal(p.character, fs.readFileSync(file, 'utf8').split('\n')[line].indexOf('optimizer'));
    assert.match(p.message, /optimizer/);
    assert.doesNotMatch(p.message, /syntaxError\.ode\.ts:/);
  });

  it('places a spec error at the key it is about', async () => {
    const file = path.join(fixtures, 'badSpec.ode.ts');
    const p = await problemOf(file);
    assert.equal(p.file, file);
    assert.equal(p.line, lineOf(file, 'iterations: -3'));
    assert.equal(p.character, fs.readFileSync(file, 'utf8').split('\n')[p.line].indexOf('iterations'));
    assert.match(p.message, /train\.iterations must be a whole number ≥ 1, got -3/);
  });

  it('refuses an unknown solver method at its key, with the one meant', async () => {
    const file = path.join(fixtures, 'badSolver.ode.ts');
    const p = await problemOf(file);
    assert.equal(p.line, lineOf(file, "method: 'dopri6'"));
    assert.match(p.message, /solver\.method 'dopri6' is not a solver \(did you mean 'dopri5'\?\): use one of dopri5, /);
  });

  it('places an error thrown while the file loads at the throwing line, and survives it', async () => {
    const file = path.join(scratch, 'throws.ode.ts');
    fs.writeFileSync(file, ["import { defineExperiment } from 'neural-ode-studio';", 'const scale: number = 2;', "if (scale > 1) throw new Error('scale must be 1');", 'export default defineExperiment({} as never);', ''].join('\n'));
    const p = await problemOf(file);
    assert.equal(p.line, 2);
    assert.equal(p.message, 'scale must be 1');
    // The worker keeps serving after a broken file.
    fs.writeFileSync(path.join(scratch, 'fixed.ode.ts'), fs.readFileSync(path.join(root, 'examples', 'spiral.ode.ts'), 'utf8'));
    assert.deepEqual(await client.request('experiment/check', { file: path.join(scratch, 'fixed.ode.ts') }), { ok: true, name: 'spiral' });
    assert.equal(client.restarts, 0);
  });

  it('says when the default export is not an experiment', async () => {
    const file = path.join(fixtures, 'notAnExperiment.ode.ts');
    const p = await problemOf(file);
    assert.deepEqual([p.file, p.line, p.character], [file, 0, 0]);
    assert.match(p.message, /default export is not an experiment/);
  });
});
