// The slowdown doctor's quick fixes edit the experiment file by key path: set where the key is,
// inserted (with its object) where it is not, and the edited file loads with exactly that value.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { loadExperiment } from '../../engine/src/experiments/load';
import { applyEdits, specEdits } from '../../extension/src/specEdit';

const root = path.resolve(import.meta.dirname, '..', '..');
const spiral = fs.readFileSync(path.join(root, 'examples', 'spiral.ode.ts'), 'utf8');

/** Loads `text` as an experiment file next to the examples (so 'neural-ode-studio' resolves). */
async function load(text: string) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'neural-ode-spec-edit-'));
  fs.cpSync(path.join(root, 'examples', 'tsconfig.json'), path.join(dir, 'tsconfig.json'));
  const file = path.join(dir, 'edited.ode.ts');
  fs.writeFileSync(file, text);
  return loadExperiment(file);
}

describe('spec edits by key path', () => {
  it('inserts train.regularize into the train object, on its own line, and the file loads with it', async () => {
    const edited = applyEdits(spiral, specEdits(spiral, [{ path: ['train', 'regularize'], value: '{ kinetic: 0.01, jacobian: 0.01 }' }]));
    assert.match(edited, /\n {2}train: \{\n {4}regularize: \{ kinetic: 0\.01, jacobian: 0\.01 \},\n {4}iterations: 300,/);
    const exp = await load(edited);
    assert.deepEqual(exp.train.regularize, { kinetic: 0.01, jacobian: 0.01 });
    assert.equal(exp.train.iterations, 300);
  });

  it('replaces solver.rtol and solver.atol where they are, leaving the rest', async () => {
    const edited = applyEdits(spiral, specEdits(spiral, [{ path: ['solver', 'rtol'], value: '1e-6' }, { path: ['solver', 'atol'], value: '1e-8' }]));
    assert.match(edited, /solver: \{ method: 'dopri5', rtol: 1e-6, atol: 1e-8 \},/);
    const exp = await load(edited);
    assert.deepEqual(exp.solver, { method: 'dopri5', rtol: 1e-6, atol: 1e-8 });
  });

  it('adds a solver object the spec lacks, and replaces an existing value of train.regularize', async () => {
    const text = [
      "import { defineExperiment, mlpField, spiral } from 'neural-ode-studio';",
      '// train: { iterations: 1 } in a comment is not the spec',
      'export default defineExperiment({',
      "  name: 'x', // 'solver: {' in a comment",
      '  data: () => spiral({ dataSize: 50 }),',
      "  model: () => mlpField({ sizes: [2, 8, 2], activation: 'relu' }),",
      "  train: { iterations: 2, optimizer: { name: 'adam', lr: 1e-3 }, regularize: { kinetic: 0.5 } },",
      '});',
      '',
    ].join('\n');
    const edits = specEdits(text, [
      { path: ['solver', 'method'], value: "'kvaerno3'" },
      { path: ['train', 'regularize'], value: '{ kinetic: 0.5, jacobian: 0.01 }' },
      { path: ['activation'], value: "'softplus'" },
    ]);
    const edited = applyEdits(text, edits);
    assert.match(edited, /defineExperiment\(\{\n {2}solver: \{ method: 'kvaerno3' \},\n {2}name: 'x',/);
    assert.match(edited, /activation: 'softplus'/);
    const exp = await load(edited);
    assert.deepEqual(exp.solver, { method: 'kvaerno3' });
    assert.deepEqual(exp.train.regularize, { kinetic: 0.5, jacobian: 0.01 });
  });

  it('says what it cannot edit', () => {
    assert.throws(() => specEdits('const x = 1;', [{ path: ['solver', 'rtol'], value: '1' }]), /no defineExperiment\(\{ … \}\) call/);
    assert.throws(() => specEdits(spiral, [{ path: ['pcoeff'], value: '0.2' }]), /the experiment sets no pcoeff/);
  });
});
