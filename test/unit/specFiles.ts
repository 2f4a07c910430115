/**
 * Experiment files written for a test of the spec's checks: a spiral, a small mlpField and the
 * lines given; and what loading one that must fail says, and where.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ExperimentError } from '../../engine/src/experiments/define';
import { loadExperiment } from '../../engine/src/experiments/load';

/** `dir/name.ode.ts`, whose defineExperiment call holds `body` (lines of the object literal) after its model. */
export function specFile(dir: string, name: string, body: string[]): string {
  const file = path.join(dir, `${name}.ode.ts`);
  const text = [
    "import { defineExperiment, mlpField, spiral } from 'neural-ode-studio';",
    '',
    'export default defineExperiment({',
    `  name: '${name}',`,
    '  data: () => spiral({ dataSize: 20, t1: 2 }),',
    '  model: () => mlpField({ sizes: [2, 8, 2] }),',
    ...body.map((l) => `  ${l}`),
    '});',
    '',
  ].join('\n');
  fs.writeFileSync(file, text);
  return file;
}

/** Loads `file`, which must fail: the message without its place, and the 1-based line it names. */
export async function loadMistake(file: string): Promise<{ message: string; line: number }> {
  try {
    await loadExperiment(file);
  } catch (err) {
    assert.ok(err instanceof ExperimentError, String(err));
    assert.equal(err.location?.file, file);
    return { message: err.message.replace(/^.*?:\d+:\d+: /, ''), line: err.location!.line };
  }
  assert.fail(`${file} loaded`);
}

/** The 1-based line of `file` holding `text`. */
export const lineOf = (file: string, text: string): number => fs.readFileSync(file, 'utf8').split('\n').findIndex((l) => l.includes(text)) + 1;
