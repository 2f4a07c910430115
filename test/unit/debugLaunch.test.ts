// The `neural-ode` launch configuration: package.json's schema and the TS interface describe the
// same attributes, its values are checked with messages that say what to write, and stopOn
// names and thresholds normalise as documented.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { methods } from 'neural-ode-studio';
import { checkLaunchOptions, LAUNCH_ATTRIBUTES, STOP_ON_CONDITIONS, stopOnState } from '../../engine/src/debug/launchOptions';
import { EXCEPTION_FILTERS } from '../../extension/src/debug/session';

const pkg = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../package.json'), 'utf8'));
const debuggerContribution = pkg.contributes.debuggers.find((d: { type: string }) => d.type === 'neural-ode');
const launch = debuggerContribution.configurationAttributes.launch;

test("package.json's launch schema declares exactly the attributes of SolveLaunchOptions", () => {
  assert.deepEqual(Object.keys(launch.properties).sort(), [...LAUNCH_ATTRIBUTES].sort());
  assert.deepEqual(launch.required, ['experiment']);
  const known = new Set(methods().map((m) => m.name));
  for (const m of launch.properties.method.enum) assert.ok(known.has(m), `schema method '${m}' is registered`);
  const [asList, asObject] = launch.properties.stopOn.anyOf;
  assert.deepEqual(asList.items.enum, [...STOP_ON_CONDITIONS]);
  assert.deepEqual(Object.keys(asObject.properties).sort(), [...STOP_ON_CONDITIONS].sort());
  assert.deepEqual(EXCEPTION_FILTERS.map((f) => f.filter).sort(), [...STOP_ON_CONDITIONS].sort());
});

test('initial configurations and snippets are valid launch configurations', () => {
  for (const c of debuggerContribution.initialConfigurations) {
    assert.equal(c.type, 'neural-ode');
    checkLaunchOptions({ ...c, experiment: '/w/x.ode.ts' });
  }
  for (const s of debuggerContribution.configurationSnippets) {
    assert.equal(s.body.type, 'neural-ode');
    assert.match(s.body.experiment, /\$\{file\}/);
    checkLaunchOptions({ ...s.body, experiment: '/w/x.ode.ts', run: s.body.run === undefined ? undefined : 'r1' });
  }
});

test('launch values are checked, saying what to write', () => {
  assert.throws(() => checkLaunchOptions({}), /needs "experiment"/);
  assert.throws(() => checkLaunchOptions({ experiment: 'a.ode.ts', rtol: -1 }), /"rtol" is -1: it must be a number ≥ 0/);
  assert.throws(() => checkLaunchOptions({ experiment: 'a.ode.ts', input: 1.5 }), /"input" is 1.5/);
  assert.throws(() => checkLaunchOptions({ experiment: 'a.ode.ts', stopOn: ['nan'] as never }), /unknown condition\(s\) 'nan'. Known: rejectedStep/);
  assert.throws(() => checkLaunchOptions({ experiment: 'a.ode.ts', stopOn: { nfeAbove: -3 } }), /stopOn.nfeAbove is -3/);
});

test('stopOn: names, thresholds and the default', () => {
  assert.deepEqual(stopOnState(undefined), { rejectedStep: false, nonFinite: true, stiffness: false, stepSizeBelow: null, nfeAbove: null });
  assert.deepEqual(stopOnState(['rejectedStep', 'stepSizeBelow']), { rejectedStep: true, nonFinite: false, stiffness: false, stepSizeBelow: 1e-6, nfeAbove: null });
  assert.deepEqual(stopOnState({ nfeAbove: 500, stiffness: true }), { rejectedStep: false, nonFinite: false, stiffness: true, stepSizeBelow: null, nfeAbove: 500 });
});
