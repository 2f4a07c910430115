// Modified equations checked against derivations by hand (and, for RK4, against the local
// error of its Butcher tableau computed independently of the analysis code).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analysis, SolverError, methodInfo } from '../../engine/src/index';

const { Rational, Coef, Poly, modifiedEquation, schemeByName, lmScheme, ab2, formatModifiedEquation, formatDerivativeForm, treesUpTo } = analysis;
type Coef = analysis.Coef;

const q = (n: number, d = 1): Coef => Coef.of(Rational.of(n, d));
/** k as a coefficient, and polynomials in it. */
const k = Coef.K;
const one = Coef.ONE;

/** The modified equation's coefficients by elementary differential, e.g. { "f'f": -1/2 }. */
function coefficients(name: string, order: number, kValue?: string): Map<string, Coef> {
  const eq = modifiedEquation(schemeByName(name, kValue === undefined ? undefined : Rational.parse(kValue)), order);
  return new Map(eq.terms.map((t) => [analysis.treeAscii(t.tree), t.coefficient]));
}

function assertCoefficients(got: Map<string, Coef>, want: Record<string, Coef>): void {
  for (const [name, c] of Object.entries(want)) {
    const g = got.get(name) ?? Coef.ZERO;
    assert.ok(g.equals(c), `${name}: got ${analysis.coefficientAscii(g)}, want ${analysis.coefficientAscii(c)}`);
  }
  for (const name of got.keys()) assert.ok(name in want, `unexpected term ${name}`);
}

describe('exact arithmetic', () => {
  it('parses decimals exactly and recovers the fractions behind float tableau entries', () => {
    assert.equal(Rational.parse('0.3').toString(), '3/10');
    assert.equal(Rational.parse('-1.25e-1').toString(), '-1/8');
    assert.equal(Rational.parse('6/4').toString(), '3/2');
    assert.throws(() => Rational.parse('abc'), /not a number/);
    assert.equal(Rational.fromNumber(1 / 3).toString(), '1/3');
    assert.equal(Rational.fromNumber(35 / 384).toString(), '35/384');
    assert.equal(Rational.fromNumber(-2 / 9).toString(), '-2/9');
    assert.throws(() => Rational.fromNumber(Math.PI, 1000n), /not a fraction/);
  });

  it('keeps rational functions of k in lowest terms', () => {
    const a = one.add(k).mul(one.sub(k)).div(one.add(k).pow(2)); // (1 − k)/(1 + k)
    assert.ok(a.equals(one.sub(k).div(one.add(k))));
    assert.ok(a.at(Rational.parse('0.5')).equals(Rational.of(1, 3)));
    assert.ok(Poly.X.mul(Poly.X).sub(Poly.ONE).gcd(Poly.X.sub(Poly.ONE)).equals(Poly.X.sub(Poly.ONE)));
  });

  it('enumerates the rooted trees: 1, 1, 2, 4, 9, 20 of orders 1..6', () => {
    assert.deepEqual(treesUpTo(6).slice(1).map((l) => l.length), [1, 1, 2, 4, 9, 20]);
  });
});

describe('Runge–Kutta methods', () => {
  it('forward Euler: u_t = f − (Δt/2) f′f + (Δt²/12) f″(f,f) + (Δt²/3) f′f′f + O(Δt³)', () => {
    // One step y + Δt f against the flow of f + Δt f₂ + Δt² f₃:
    //   Δt²: 1/2 f′f + f₂ = 0                                → f₂ = −1/2 f′f
    //   Δt³: 1/6 (f″(f,f) + f′f′f) + 1/2 (f₂′f + f′f₂) + f₃ = 0, with f₂′f = −1/2 (f″(f,f) + f′f′f)
    //        → f₃ = (1/2 − 1/6) f″(f,f) + (1 − 1/6 − 1/2) f′f′f = 1/12 f″(f,f) + 1/3 f′f′f
    assertCoefficients(coefficients('euler', 3), { f: one, "f'f": q(-1, 2), "f''(f,f)": q(1, 12), "f'f'f": q(1, 3) });
    assertCoefficients(coefficients('euler', 2), { f: one, "f'f": q(-1, 2) });
  });

  it('explicit midpoint: no Δt term, then −(Δt²/24) f″(f,f) − (Δt²/6) f′f′f', () => {
    // y + Δt f(y + Δt/2 f) = y + Δt f + Δt²/2 f′f + Δt³/8 f″(f,f) + O(Δt⁴); the flow of f has
    // Δt³/6 (f″(f,f) + f′f′f), so f₃ = (1/8 − 1/6) f″(f,f) − 1/6 f′f′f.
    assertCoefficients(coefficients('midpoint', 3), { f: one, "f''(f,f)": q(-1, 24), "f'f'f": q(-1, 6) });
  });

  it("Heun: (Δt²/12) f″(f,f) − (Δt²/6) f′f′f", () => {
    // y + Δt/2 f + Δt/2 f(y + Δt f) has Δt³/4 f″(f,f) and no f′f′f.
    assertCoefficients(coefficients('heun', 3), { f: one, "f''(f,f)": q(1, 12), "f'f'f": q(-1, 6) });
  });

  for (const name of ['rk4', 'rk4_classic']) {
    it(`${name}: no Δt term below Δt⁴, and the Δt⁴ terms equal the local error of the tableau`, () => {
      const eq = modifiedEquation(schemeByName(name), 5);
      for (const t of eq.terms) assert.ok(t.power === 0 || t.power === 4, `${name} has a Δt^${t.power} term`);
      assert.equal(eq.terms.filter((t) => t.power === 0).length, 1);
      // Independently: a one-step method of order p has f_{p+1}(τ) = (bᵀΦ(τ) − 1/γ(τ))/σ(τ),
      // with Φ the stage weights of Butcher's order conditions.
      const tab = methodInfo(name).tableau!;
      const phi = (t: analysis.Tree): number[] => {
        const u = new Array<number>(tab.stages).fill(1);
        for (const c of t.children) {
          const uc = phi(c);
          for (let i = 0; i < tab.stages; i++) u[i] *= tab.a[i].reduce((s, aij, j) => s + aij * uc[j], 0);
        }
        return u;
      };
      const fifth = treesUpTo(5)[5];
      const byKey = new Map(eq.terms.map((t) => [t.tree.key, t.coefficient.toNumber()]));
      let nonzero = 0;
      for (const t of fifth) {
        const bPhi = phi(t).reduce((s, u, i) => s + tab.b[i] * u, 0);
        const want = (bPhi - 1 / analysis.density(t)) / analysis.symmetry(t);
        const got = byKey.get(t.key) ?? 0;
        assert.ok(Math.abs(got - want) < 1e-15, `${name} ${analysis.treeAscii(t)}: ${got} vs ${want}`);
        if (want !== 0) nonzero++;
      }
      assert.ok(nonzero >= 5, 'a fourth-order method has a nonzero Δt⁴ term');
    });
  }

  it('tall tree of any explicit 4-stage method: f′f′f′f′f with −Δt⁴/120 (bᵀA³c = 0)', () => {
    assert.ok(coefficients('rk4_classic', 5).get("f'f'f'f'f")!.equals(q(-1, 120)));
  });
});

describe('linear multistep schemes', () => {
  it('Adams–Bashforth 2: u_t = f − (5Δt²/12)(f″(f,f) + f′f′f), its error constant 5/12', () => {
    assertCoefficients(coefficients('ab2', 3), { f: one, "f''(f,f)": q(-5, 12), "f'f'f": q(-5, 12) });
    const form = modifiedEquation(ab2, 3).derivativeForm!;
    // u(t+Δt) − u(t) = Δt(3/2 f(u(t)) − 1/2 f(u(t−Δt))), expanded about t.
    assert.deepEqual(form.lhs.map((t) => [t.derivative, t.coefficient.toRational().toString()]), [[1, '1'], [2, '1/2'], [3, '1/6']]);
    assert.deepEqual(form.rhs.map((t) => [t.derivative, t.coefficient.toRational().toString()]), [[0, '1'], [1, '1/2'], [2, '-1/4']]);
  });

  it('any Σ α_j u_{n+j} = Δt Σ β_j f_{n+j}: Adams–Bashforth 3 gives −(3/8)Δt³ u⁗ in trees', () => {
    // Order 3 with error constant 3/8; u⁗ = f‴(f,f,f) + 3 f″(f,f′f) + f′f″(f,f) + f′f′f′f.
    const ab3: analysis.MultistepScheme = {
      kind: 'lmm',
      name: 'ab3',
      description: 'Adams–Bashforth 3',
      alpha: [q(0), q(0), q(-1), q(1)],
      beta: [q(5, 12), q(-16, 12), q(23, 12), q(0)],
    };
    const eq = modifiedEquation(ab3, 4);
    assertCoefficients(new Map(eq.terms.map((t) => [analysis.treeAscii(t.tree), t.coefficient])), {
      f: one,
      "f'''(f,f,f)": q(-3, 8),
      "f''(f,f'f)": q(-9, 8),
      "f'f''(f,f)": q(-3, 8),
      "f'f'f'f": q(-3, 8),
    });
  });

  it("the LM scheme, symbolically: (1 + k) u_t + (1 − k)(Δt/2) u_tt = f(u) + O(Δt²), the paper's form", () => {
    // u_{n±1} = u ± Δt u_t + Δt²/2 u_tt + …, so u_{n+1} − (1 − k) u_n − k u_{n−1}
    //   = (1 + k) Δt u_t + (1 − k) Δt²/2 u_tt + (1 + k) Δt³/6 u_ttt + …
    const eq = modifiedEquation(lmScheme(), 3);
    const [ut, utt, uttt] = eq.derivativeForm!.lhs;
    assert.ok(ut.derivative === 1 && ut.power === 0 && ut.coefficient.equals(one.add(k)));
    assert.ok(utt.derivative === 2 && utt.power === 1 && utt.coefficient.equals(one.sub(k).div(q(2))));
    assert.ok(uttt.derivative === 3 && uttt.power === 2 && uttt.coefficient.equals(one.add(k).div(q(6))));
    assert.equal(eq.derivativeForm!.rhs.length, 1);
    assert.equal(formatDerivativeForm(modifiedEquation(lmScheme(), 2)), '(1 + k) u_t + (1 − k)(Δt/2) u_tt = f(u) + O(Δt²)');
  });

  it('the LM scheme as u_t = F̃(u): f/(1 + k) − (1 − k)Δt/(2(1 + k)³) f′f', () => {
    // From (1 + k) u_t = f − (1 − k)(Δt/2) u_tt and u_tt = f′ u_t · 1/(1 + k) = f′f/(1 + k)² + O(Δt).
    assertCoefficients(coefficients('lm', 2), {
      f: one.div(one.add(k)),
      "f'f": one.sub(k).neg().div(q(2).mul(one.add(k).pow(3))),
    });
    assert.equal(formatModifiedEquation(modifiedEquation(lmScheme(), 2)), 'u_t = (1/(1 + k)) f − ((1 − k)/(1 + k)³)(Δt/2) f′f + O(Δt²)');
  });

  it("the solver's lm (f scaled by 1 + k): u_t = f − ((1 − k)/(1 + k))(Δt/2) f′f, second order at k = 1", () => {
    const eq = modifiedEquation(lmScheme(undefined, 'consistent'), 2);
    assertCoefficients(new Map(eq.terms.map((t) => [analysis.treeAscii(t.tree), t.coefficient])), {
      f: one,
      "f'f": one.sub(k).neg().div(q(2).mul(one.add(k))),
    });
    const atOne = modifiedEquation(lmScheme(Rational.ONE, 'consistent'), 3).terms.map((t) => t.power);
    assert.deepEqual(atOne, [0, 2, 2]);
  });

  it('the LM scheme with a numeric k agrees with the symbolic result evaluated there', () => {
    const symbolic = modifiedEquation(lmScheme(), 4);
    for (const kv of ['0', '0.3', '-0.5', '1', '2/3']) {
      const kr = Rational.parse(kv);
      const numeric = new Map(modifiedEquation(lmScheme(kr), 4).terms.map((t) => [t.tree.key, t.coefficient.toRational()]));
      for (const t of symbolic.terms) {
        const want = t.coefficient.at(kr);
        const got = numeric.get(t.tree.key) ?? Rational.ZERO;
        assert.ok(got.equals(want), `k = ${kv}, ${analysis.treeAscii(t.tree)}: ${got} vs ${want}`);
      }
      const lhs = modifiedEquation(lmScheme(kr), 2).derivativeForm!.lhs;
      const at = (m: number): analysis.Rational => lhs.find((t) => t.derivative === m)?.coefficient.toRational() ?? Rational.ZERO;
      assert.ok(at(1).equals(Rational.ONE.add(kr)), `k = ${kv}: u_t coefficient`);
      assert.ok(at(2).equals(Rational.ONE.sub(kr).div(Rational.of(2))), `k = ${kv}: u_tt coefficient`);
    }
  });

  it('k = 0 is forward Euler; k = 1 (leapfrog with half the step) has no Δt term', () => {
    const euler = coefficients('euler', 4);
    const lm0 = coefficients('lm', 4, '0');
    assert.deepEqual([...lm0.keys()].sort(), [...euler.keys()].sort());
    for (const [name, c] of euler) assert.ok(lm0.get(name)!.equals(c), name);
    const lm1 = coefficients('lm', 3, '1');
    assert.ok(lm1.get('f')!.equals(q(1, 2)));
    assert.equal(lm1.get("f'f"), undefined);
  });

  it('refuses k = −1, where (1 + k) u_t vanishes, and a symbolic k where a number is needed', () => {
    assert.throws(() => modifiedEquation(lmScheme(Rational.of(-1)), 2), (e: unknown) => e instanceof SolverError && /ρ′\(1\) = Σ j α_j = 0/.test(e.message));
    assert.throws(() => modifiedEquation(lmScheme(), 2).terms[0].coefficient.toNumber(), /depends on k/);
  });

  it('refuses orders outside 1..6 and unknown schemes', () => {
    assert.throws(() => modifiedEquation(ab2, 0), /whole orders 1 to 6/);
    assert.throws(() => schemeByName('dopri9'), /Unknown scheme 'dopri9'\. Known schemes: ab2, lm, .*euler/);
    assert.throws(() => schemeByName('euler', Rational.ONE), /k is a parameter of the lm scheme only/);
  });
});

describe('printers', () => {
  it('write forward Euler as text and as LaTeX', () => {
    const eq = modifiedEquation(schemeByName('euler'), 3);
    assert.equal(formatModifiedEquation(eq), 'u_t = f − (Δt/2) f′f + (Δt²/12) f″(f,f) + (Δt²/3) f′f′f + O(Δt³)');
    assert.equal(
      formatModifiedEquation(eq, 'latex'),
      "u_t = f - \\frac{\\Delta t}{2}\\,f'f + \\frac{\\Delta t^{2}}{12}\\,f''(f,f) + \\frac{\\Delta t^{2}}{3}\\,f'f'f + O(\\Delta t^{3})",
    );
    assert.equal(formatDerivativeForm(eq), null);
  });

  it('write the LM scheme in LaTeX with the k-dependence as fractions', () => {
    const eq = modifiedEquation(lmScheme(), 2);
    assert.equal(formatDerivativeForm(eq, 'latex'), '(1 + k)\\,u_t + (1 - k)\\frac{\\Delta t}{2}\\,u_{tt} = f(u) + O(\\Delta t^{2})');
    assert.equal(formatModifiedEquation(eq, 'latex'), 'u_t = \\frac{1}{1 + k}\\,f - \\frac{1 - k}{(1 + k)^{3}}\\frac{\\Delta t}{2}\\,f\'f + O(\\Delta t^{2})');
    assert.equal(analysis.coefficientAscii(eq.terms[1].coefficient), '-1/2*(1 - k)/(1 + k)^3');
  });
});
