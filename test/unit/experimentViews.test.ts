// The CodeLens offers the views a model has: every example file gets the lenses of its own model.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { experimentViews } from '../../extension/src/experimentViews';
import { MODEL_KINDS } from '../../engine/src/experiments/modelKinds';
import { MODEL_KIND_VIEWS } from '../../engine/src/experiments/modelViews';

const example = (name: string): string => fs.readFileSync(path.join(__dirname, '../../examples', name), 'utf8');

test('each example gets the views of its model', () => {
  const all = ['debugSolve', 'vectorField', 'trajectories', 'solverInspector'];
  assert.deepEqual(experimentViews(example('spiral.ode.ts')), all);
  assert.deepEqual(experimentViews(example('circlesAugmented.ode.ts')), all);
  assert.deepEqual(experimentViews(example('lmResnet.ode.ts')), ['diagnostics']);
  assert.deepEqual(experimentViews(example('cnf.ode.ts')), ['vectorField']);
  assert.deepEqual(experimentViews(example('latentOde.ode.ts')), ['trajectories', 'vectorField']);
  assert.deepEqual(experimentViews(example('pendulum.ode.ts')), all);
  assert.deepEqual(experimentViews(example('sequential.ode.ts')), all);
  assert.deepEqual(experimentViews(example('odeNet.ode.ts')), []);
});

test('a builder is recognised with spaces before its parenthesis, and not inside a longer name', () => {
  assert.deepEqual(experimentViews('model: () => latentOde ({ latentDim: 4 })'), ['trajectories', 'vectorField']);
  assert.deepEqual(experimentViews('model: () => myLatentOdeHelper({ latentDim: 4 })'), ['debugSolve', 'vectorField', 'trajectories', 'solverInspector']);
});

test("the registry's kinds and their views are one list, in one order (the first kind that recognises a model wins)", () => {
  assert.deepEqual(MODEL_KINDS.map((k) => k.name), MODEL_KIND_VIEWS.map((k) => k.name));
  assert.equal(MODEL_KIND_VIEWS.at(-1)?.name, 'vectorField', 'the catch-all for native fields comes last');
});
