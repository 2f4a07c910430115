import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isMissingEngineModule, TYPES_DIR, typingsPlan } from '../../extension/src/typingsPlan';

test('a workspace without tsconfig.json gets one that maps the package to the copied declarations', () => {
  const plan = typingsPlan(undefined);
  assert.equal(plan.kind, 'create');
  const config = JSON.parse(plan.kind === 'create' ? plan.text : '') as { compilerOptions: { paths: Record<string, string[]>; moduleResolution: string } };
  assert.deepEqual(config.compilerOptions.paths['neural-ode-studio'], [`./${TYPES_DIR}/index.d.ts`]);
  assert.equal(config.compilerOptions.moduleResolution, 'Bundler');
});

test("a tsconfig.json that already maps the package is left alone", () => {
  assert.deepEqual(typingsPlan('{ // mine\n "compilerOptions": { "paths": { "neural-ode-studio": ["x.d.ts"] } } }'), { kind: 'present' });
});

test("the user's own tsconfig.json is not rewritten: they get the line to add", () => {
  const plan = typingsPlan('{\n  // keep this comment\n  "compilerOptions": { "strict": true }\n}\n');
  assert.equal(plan.kind, 'manual');
  assert.match(plan.kind === 'manual' ? plan.snippet : '', /"paths": \{ "neural-ode-studio": \["\.\/\.neural-ode\/types\/neural-ode-studio\/index\.d\.ts"\] \}/);
});

test("the offer recognises TypeScript's unresolved-module message for the package only", () => {
  assert.ok(isMissingEngineModule("Cannot find module 'neural-ode-studio' or its corresponding type declarations."));
  assert.ok(!isMissingEngineModule("Cannot find module 'lodash' or its corresponding type declarations."));
});
