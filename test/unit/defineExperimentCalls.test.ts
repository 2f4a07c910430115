// Where the CodeLens goes: each real call of defineExperiment, at its line and column, and not
// its mentions in comments, strings, imports or longer names.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { findDefineExperimentCalls } from '../../extension/src/defineExperimentCalls';

const root = path.resolve(import.meta.dirname, '../..');

describe('findDefineExperimentCalls', () => {
  it('finds the call in the spiral example, at the line that declares it', () => {
    const text = fs.readFileSync(path.join(root, 'examples', 'spiral.ode.ts'), 'utf8');
    const lines = text.split('\n');
    const expected = lines.findIndex((l) => l.startsWith('export default defineExperiment('));
    assert.ok(expected > 0);
    assert.deepEqual(findDefineExperimentCalls(text), [{ line: expected, character: 'export default '.length }]);
  });

  it('skips comments, strings, template literals and the import', () => {
    const text = [
      "import { defineExperiment } from 'neural-ode-studio';", // 0: not a call
      '// defineExperiment(x) in a line comment', // 1
      '/* defineExperiment(', // 2
      '   still a comment */ const a = "defineExperiment(";', // 3
      "const b = 'it\\'s defineExperiment(';", // 4
      'const c = `defineExperiment(${1}`;', // 5
      'const d = mydefineExperiment(1) + defineExperimentLike(2);', // 6
      'export default defineExperiment ({', // 7: a call, with a space
      '});',
    ].join('\n');
    assert.deepEqual(findDefineExperimentCalls(text), [{ line: 7, character: 15 }]);
  });

  it('finds several calls, namespaced calls, type arguments, and CRLF line ends', () => {
    const text = ['const a = ns.defineExperiment({});', '  const b = defineExperiment<Spec>(spec);', 'x; defineExperiment(', ')'].join('\r\n');
    assert.deepEqual(findDefineExperimentCalls(text), [
      { line: 0, character: 13 },
      { line: 1, character: 12 },
      { line: 2, character: 3 },
    ]);
  });

  it('finds nothing where there is no call, even in an unterminated comment or string', () => {
    assert.deepEqual(findDefineExperimentCalls(''), []);
    assert.deepEqual(findDefineExperimentCalls('const defineExperiment = 1;'), []);
    assert.deepEqual(findDefineExperimentCalls('/* defineExperiment('), []);
    assert.deepEqual(findDefineExperimentCalls("'defineExperiment("), []);
  });
});
