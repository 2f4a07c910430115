// The debugger's expression language (breakpoint conditions, hovers, the Debug Console) and
// its hit counts: values, precedence, and errors that name what is wrong.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileExpression, type Scope } from '../../engine/src/debug/expression';
import { createBreakpoint, parseHitCondition } from '../../engine/src/debug/breakpoints';

const vars: Record<string, number | boolean | Float64Array> = { t: 3.5, h: 2e-5, errRatio: 0.95, nfe: 612, accepted: false, y: Float64Array.of(3, -4) };
const scope: Scope = (n) => vars[n];
const ev = (src: string): unknown => compileExpression(src).evaluate(scope, () => Object.keys(vars));

test('conditions on solver variables', () => {
  assert.equal(ev('t > 3.2'), true);
  assert.equal(ev('h < 1e-4'), true);
  assert.equal(ev('errRatio > 0.9 && nfe > 500'), true);
  assert.equal(ev('!accepted || t < 0'), true);
  assert.equal(ev('nfe >= 613'), false);
});

test('arithmetic follows the usual precedence', () => {
  assert.equal(ev('1 + 2 * 3'), 7);
  assert.equal(ev('(1 + 2) * 3'), 9);
  assert.equal(ev('-2 ** 2'), -4);
  assert.equal(ev('2 ** 3 ** 2'), 512);
  assert.equal(ev('10 - 4 - 3'), 3);
  assert.equal(ev('7 % 4 == 3'), true);
  assert.equal(ev('1.5e3 / 3'), 500);
});

test('vectors: indexing and functions', () => {
  assert.equal(ev('y[1]'), -4);
  assert.equal(ev('norm(y)'), 5);
  assert.equal(ev('normInf(y)'), 4);
  assert.equal(ev('max(y) + min(y, -10)'), -7);
  assert.equal(ev('abs(y[1]) > 3'), true);
  assert.equal(ev('isFinite(y)'), true);
});

test('mistakes say what and where', () => {
  assert.throws(() => ev('foo > 1'), /Unknown name 'foo'.*Known: t, h/);
  assert.throws(() => ev('t >'), /ends too early/);
  assert.throws(() => ev('t > 3 )'), /Unexpected '\)' at column 7/);
  assert.throws(() => ev('t # 2'), /Unexpected '#' at column 3/);
  assert.throws(() => ev('y[2]'), /Index 2 is outside 0..1/);
  assert.throws(() => ev('t[0]'), /Only vectors can be indexed/);
  assert.throws(() => ev('y > 1'), /is a vector of 2, not a number/);
  assert.throws(() => ev('eval(t)'), /Unknown function 'eval'/);
});

test('hit counts', () => {
  const hits = (text: string) => [1, 2, 3, 4, 5, 6].filter(parseHitCondition(text));
  assert.deepEqual(hits('3'), [3, 4, 5, 6]);
  assert.deepEqual(hits('== 3'), [3]);
  assert.deepEqual(hits('> 4'), [5, 6]);
  assert.deepEqual(hits('<= 2'), [1, 2]);
  assert.deepEqual(hits('% 2'), [2, 4, 6]);
  assert.throws(() => parseHitCondition('every 3'), /not understood/);
});

test('breakpoint names: places in the solver, or a condition', () => {
  const names = () => Object.keys(vars);
  assert.equal(createBreakpoint(1, { name: 'rejected' }, scope, names).location, 'rejected');
  const k3 = createBreakpoint(2, { name: 'k3', condition: 't > 1' }, scope, names);
  assert.deepEqual([k3.location, k3.stage, k3.verified], ['stage', 3, true]);
  const cond = createBreakpoint(3, { name: 'h < 1e-4', condition: 'nfe > 10' }, scope, names);
  assert.deepEqual([cond.location, cond.condition?.source], ['step', '(h < 1e-4) && (nfe > 10)']);
  const bad = createBreakpoint(4, { name: 'step', hitCondition: 'x' }, scope, names);
  assert.equal(bad.verified, false);
  assert.match(bad.message, /Hit count 'x'/);
});
