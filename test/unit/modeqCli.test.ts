// `neural-ode modeq` from a terminal: text, LaTeX, JSON and its errors.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { modeqCommand, type ModeqArgs } from '../../engine/src/cli/modeqCommand';
import { SolverError } from '../../engine/src/index';

const root = join(__dirname, '..', '..');

/** Runs the command line from source, as `neural-ode …` would. */
function cli(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'engine/src/cli/main.ts'), 'modeq', ...args], {
    cwd: root,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('--scheme lm prints the paper\'s form and the modified equation, symbolic in k', () => {
  const r = cli('--scheme', 'lm');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /\(k symbolic\)/);
  assert.match(r.stdout, /^ {2}\(1 \+ k\) u_t \+ \(1 − k\)\(Δt\/2\) u_tt = f\(u\) \+ O\(Δt²\)$/m);
  assert.match(r.stdout, /^ {2}u_t = \(1\/\(1 \+ k\)\) f − \(\(1 − k\)\/\(1 \+ k\)³\)\(Δt\/2\) f′f \+ O\(Δt²\)$/m);
});

test('--json gives every coefficient, exact and as a number, for lm with k = 0.3', () => {
  const r = cli('--scheme', 'lm', '--k', '0.3', '--order', '2', '--json');
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.scheme, 'lm');
  assert.equal(out.k, '3/10');
  assert.equal(out.order, 2);
  // (1 + k) u_t + (1 − k)(Δt/2) u_tt = f(u): 13/10 and 7/20.
  assert.deepEqual(
    out.derivativeForm.lhs.map((t: { derivative: number; power: number; coefficient: string; value: number }) => [t.derivative, t.power, t.coefficient, t.value]),
    [
      [1, 0, '13/10', 1.3],
      [2, 1, '7/20', 0.35],
    ],
  );
  assert.deepEqual(out.derivativeForm.rhs.map((t: { derivative: number; coefficient: string }) => [t.derivative, t.coefficient]), [[0, '1']]);
  // u_t = f/(1 + k) − (1 − k)Δt/(2(1 + k)³) f′f = 10/13 f − 350/2197 Δt f′f.
  assert.deepEqual(
    out.terms.map((t: { tree: string; name: string; power: number; coefficient: string }) => [t.tree, t.name, t.power, t.coefficient]),
    [
      ['[]', 'f', 0, '10/13'],
      ['[[]]', "f'f", 1, '-350/2197'],
    ],
  );
  assert.ok(Math.abs(out.terms[1].value + 0.7 / (2 * 1.3 ** 3)) < 1e-15);
  assert.equal(out.equation.latex, "u_t = \\frac{10}{13}\\,f - \\frac{350\\Delta t}{2197}\\,f'f + O(\\Delta t^{2})");
  assert.deepEqual(out.notes, []);
});

test('--json for a symbolic k gives the numerator and denominator polynomials in k', () => {
  const out = JSON.parse(cli('--scheme', 'lm', '--json').stdout);
  assert.equal(out.k, 'symbolic');
  const fpf = out.terms[1];
  assert.equal(fpf.value, null);
  assert.equal(fpf.coefficient, '-1/2*(1 - k)/(1 + k)^3');
  assert.deepEqual(fpf.numerator, ['-1/2', '1/2']);
  assert.deepEqual(fpf.denominator, ['1', '3', '3', '1']);
});

test('euler, midpoint, rk4 and ab2 from the command line', () => {
  const euler = JSON.parse(cli('--scheme', 'euler', '--json').stdout);
  assert.equal(euler.equation.text, 'u_t = f − (Δt/2) f′f + O(Δt²)');
  assert.equal(euler.derivativeForm, null);
  const rk4at5 = JSON.parse(cli('--scheme', 'rk4', '--order', '5', '--json').stdout);
  // No Δt, Δt² or Δt³ term: after f come only the nine Δt⁴ terms.
  assert.equal(rk4at5.terms[0].name, 'f');
  assert.ok(rk4at5.terms.slice(1).every((t: { power: number }) => t.power === 4));
  assert.equal(rk4at5.terms.length, 10);
  const ab2 = cli('--scheme', 'ab2', '--order', '3');
  assert.match(ab2.stdout, /u_t = f − \(5Δt²\/12\) f″\(f,f\) − \(5Δt²\/12\) f′f′f \+ O\(Δt³\)/);
  const latex = cli('--scheme', 'midpoint', '--order', '3', '--latex');
  assert.match(latex.stdout, /u_t = f - \\frac\{\\Delta t\^\{2\}\}\{24\}\\,f''\(f,f\) - \\frac\{\\Delta t\^\{2\}\}\{6\}\\,f'f'f \+ O\(\\Delta t\^\{3\}\)/);
});

test('a negative k is read as a value, and a k outside (−1, 1] comes with a note', () => {
  const neg = JSON.parse(cli('--scheme', 'lm', '--k', '-0.5', '--json').stdout);
  assert.equal(neg.k, '-1/2');
  assert.equal(neg.derivativeForm.lhs[0].coefficient, '1/2');
  const big = cli('--scheme', 'lm', '--k', '2');
  assert.equal(big.code, 0);
  assert.match(big.stdout, /note: k = 2 is outside \(−1, 1\]: .* not zero-stable/);
});

test('bad flags are clear errors, also as JSON', () => {
  const cases: [string[], RegExp][] = [
    [[], /modeq needs --scheme: one of ab2, lm, .*euler/],
    [['--scheme', 'lm', '--k', '-1'], /lm: ρ′\(1\) = Σ j α_j = 0 \(for lm: k = −1\)/],
    [['--scheme', 'lm', '--order', 'two'], /--order two: expected a whole number from 1 to 6/],
    [['--scheme', 'lm', '--frob'], /modeq: unknown option --frob\. Options: --scheme, --k, --order/],
    [['--scheme'], /modeq: --scheme needs a value/],
    [['lm.ts'], /modeq takes no file/],
  ];
  for (const [args, message] of cases) {
    const r = cli(...args);
    assert.equal(r.code, 1, `${args.join(' ')}: exit code`);
    assert.match(r.stderr, new RegExp(`^neural-ode: ${message.source}`), args.join(' '));
  }
  const j = cli('--scheme', 'nope', '--json');
  assert.equal(j.code, 1);
  const out = JSON.parse(j.stdout);
  assert.equal(out.error.kind, 'input');
  assert.match(out.error.message, /--scheme nope: unknown scheme\. Known schemes: ab2, lm, /);
});

test('modeqCommand refuses what it cannot derive, saying what to do', () => {
  const cases: [ModeqArgs, RegExp][] = [
    [{ scheme: 'euler', k: '0.3' }, /--k applies to --scheme lm only; 'euler' has no parameter\. Drop --k\./],
    [{ scheme: 'lm', k: 'abc' }, /--k abc: expected a number such as 0\.3 or 3\/10/],
    [{ scheme: 'lm', order: 9 }, /--order 9: expected a whole number from 1 to 6/],
    [{ scheme: 'dopri8' }, /dopri8: the tableau entry .* is not a fraction with a small denominator.*Try a method with rational coefficients/],
  ];
  for (const [args, message] of cases) {
    assert.throws(() => modeqCommand(args), (e: unknown) => e instanceof SolverError && e.kind === 'input' && message.test(e.message), JSON.stringify(args));
  }
});

test('--help prints the options, and the top-level help lists modeq', () => {
  const r = cli('--help');
  assert.equal(r.code, 0);
  assert.match(r.stdout, /usage: neural-ode modeq --scheme <name>/);
  const top = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'engine/src/cli/main.ts'), 'help'], { cwd: root, encoding: 'utf8' });
  assert.match(top.stdout, /modeq --scheme S/);
});
