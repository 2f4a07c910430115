// The `neural-ode` launch configuration: package.json's schema and the TS interface describe the
// same attributes, its values are checked with messages that say what to write, and stopOn
// names and thresholds normalise as documented. Which configuration F5 starts: without a
// launch.json the active experiment's solve, with no question asked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { methods } from 'neural-ode-studio';
import { checkLaunchOptions, LAUNCH_ATTRIBUTES, STOP_ON_CONDITIONS, stopOnState } from '../../engine/src/debug/launchOptions';
import { EXCEPTION_FILTERS } from '../../extension/src/debug/session';
import { dynamicConfigurations, f5Action, initialConfigurations, resolveLaunch, solveConfiguration } from '../../extension/src/debug/launchConfig';

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

test("the provider's initial configuration is package.json's", () => {
  assert.deepEqual(initialConfigurations(), debuggerContribution.initialConfigurations);
});

test('F5 without launch.json debugs the active experiment; other configurations are checked', () => {
  assert.deepEqual(resolveLaunch({}, '/w/spiral.ode.ts'), { kind: 'launch', config: solveConfiguration('/w/spiral.ode.ts') });
  assert.deepEqual(solveConfiguration('/w/spiral.ode.ts'), {
    type: 'neural-ode', request: 'launch', name: 'Debug solve', experiment: '/w/spiral.ode.ts', stopOnEntry: true, stopOn: ['nonFinite', 'rejectedStep'],
  });
  for (const file of ['/w/a.ode.mts', '/w/a.ode.js', '/w/a.ode.mjs', '/w/a.ode.cjs']) assert.equal(resolveLaunch({}, file).kind, 'launch', file);
  for (const file of [undefined, '/w/helpers.ts', '/w/ode.ts']) {
    const r = resolveLaunch({}, file);
    assert.equal(r.kind, 'info');
    assert.match(r.kind === 'info' ? r.message : '', /open an experiment file \(\*\.ode\.ts\)/);
  }
  const missing = resolveLaunch({ type: 'neural-ode', request: 'launch', name: 'x' }, '/w/spiral.ode.ts');
  assert.deepEqual(missing.kind, 'error');
  assert.match(missing.kind === 'error' ? missing.message : '', /needs "experiment"/);
  const given = { type: 'neural-ode', request: 'launch', name: 'x', experiment: '${file}', input: 3 };
  assert.deepEqual(resolveLaunch(given, undefined), { kind: 'launch', config: given });
});

test('F5 in an experiment: launch.json keeps its say when it has configurations', () => {
  assert.deepEqual(f5Action({}, '/w/spiral.ode.ts'), { kind: 'launch', config: solveConfiguration('/w/spiral.ode.ts') });
  assert.deepEqual(f5Action({ configurations: [], compounds: [] }, '/w/spiral.ode.ts'), { kind: 'launch', config: solveConfiguration('/w/spiral.ode.ts') });
  assert.equal(f5Action({ configurations: [{ type: 'neural-ode', request: 'launch', name: 'x', experiment: '${file}' }] }, '/w/spiral.ode.ts'), 'launchJson');
  assert.equal(f5Action({ configurations: [], compounds: [{ name: 'both', configurations: ['a', 'b'] }] }, '/w/spiral.ode.ts'), 'launchJson');
  assert.equal((f5Action({}, '/w/notes.md') as { kind: string }).kind, 'info');
});

test('the automatic configurations: one per open experiment, named by its file', () => {
  const configs = dynamicConfigurations(['/w/spiral.ode.ts', '/w/readme.md', '', '/w/sub/circles.ode.ts', '/w/spiral.ode.ts']);
  assert.deepEqual(configs.map((c) => [c.name, c.experiment]), [
    ['Debug solve: spiral.ode.ts', '/w/spiral.ode.ts'],
    ['Debug solve: circles.ode.ts', '/w/sub/circles.ode.ts'],
  ]);
  assert.deepEqual(dynamicConfigurations(['C:\\w\\pendulum.ode.ts']).map((c) => c.name), ['Debug solve: pendulum.ode.ts']);
});

test("F5's keybinding: experiment files only, not while debugging, and it activates the extension", () => {
  const f5 = pkg.contributes.keybindings.find((k: { key: string }) => k.key === 'f5');
  assert.equal(f5.command, 'neuralOde.startDebugging');
  assert.ok(pkg.activationEvents.includes(`onCommand:${f5.command}`));
  assert.ok(pkg.activationEvents.includes('onDebugDynamicConfigurations:neural-ode'));
  const m = /^resourceFilename =~ \/(.+)\/ && !inDebugMode$/.exec(f5.when);
  assert.ok(m, f5.when);
  const files = new RegExp(m[1]);
  for (const name of ['spiral.ode.ts', 'a.ode.mts', 'a.ode.js', 'a.ode.mjs', 'a.ode.cjs']) assert.match(name, files);
  for (const name of ['spiral.ts', 'ode.ts', 'a.ode.tsx', 'a.ode.ts.md']) assert.doesNotMatch(name, files);
});
