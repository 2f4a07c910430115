// Butcher tableaus checked against the Runge–Kutta order conditions (Butcher's rooted trees),
// independently of `validateTableau`, which only checks row sums and Σb = 1.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SolverError, methods, validateTableau, type ButcherTableau } from '../../engine/src/index';
import * as adaptiveTableaus from '../../engine/src/solvers/tableaus/adaptive';
import * as dopri8Tableau from '../../engine/src/solvers/tableaus/dopri8';
import * as fixedTableaus from '../../engine/src/solvers/tableaus/fixed';

// ---- rooted trees -------------------------------------------------------------------------

interface Tree {
  readonly children: readonly Tree[];
  readonly order: number;
  /** Canonical form: the same tree always gets the same key. */
  readonly key: string;
}

const tree = (children: readonly Tree[]): Tree => {
  const sorted = [...children].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return {
    children: sorted,
    order: 1 + sorted.reduce((n, c) => n + c.order, 0),
    key: `[${sorted.map((c) => c.key).join('')}]`,
  };
};

/** Every tree obtained by hanging one new leaf on one node of t. */
const grow = (t: Tree): Tree[] => [
  tree([...t.children, tree([])]),
  ...t.children.flatMap((c, i) => grow(c).map((g) => tree(t.children.map((x, j) => (j === i ? g : x))))),
];

/** byOrder[n] = the distinct rooted trees with n nodes. */
function rootedTrees(maxOrder: number): Tree[][] {
  const byOrder: Tree[][] = [[], [tree([])]];
  for (let n = 2; n <= maxOrder; n++) {
    const seen = new Map<string, Tree>();
    for (const t of byOrder[n - 1]) for (const g of grow(t)) seen.set(g.key, g);
    byOrder.push([...seen.values()]);
  }
  return byOrder;
}

/** γ(τ): the density, so that the exact solution's B-series coefficient is 1/γ. */
const density = (t: Tree): number => t.children.reduce((g, c) => g * density(c), t.order);

/** The internal stage weights Φ_i(τ): 1 for the leaf, Π over children of (A·Φ(child))_i. */
function stageWeights(a: ButcherTableau['a'], t: Tree): number[] {
  const u = new Array<number>(a.length).fill(1);
  for (const c of t.children) {
    const uc = stageWeights(a, c);
    for (let i = 0; i < a.length; i++) {
      let s = 0;
      for (let j = 0; j < a[i].length; j++) s += a[i][j] * uc[j];
      u[i] *= s;
    }
  }
  return u;
}

/**
 * Largest residual |Σ w_i Φ_i(τ) − θ^|τ|/γ(τ)| over the trees of order n: zero (to rounding)
 * for every n ≤ p exactly when the weights w give an order-p approximation of y(t0 + θh).
 */
function residual(tab: ButcherTableau, w: readonly number[], trees: readonly Tree[], theta = 1): number {
  let worst = 0;
  for (const t of trees) {
    const u = stageWeights(tab.a, t);
    const got = w.reduce((s, wi, i) => s + wi * u[i], 0);
    worst = Math.max(worst, Math.abs(got - theta ** t.order / density(t)));
  }
  return worst;
}

// ---- the tableaus -----------------------------------------------------------------------------

const isTableau = (x: unknown): x is ButcherTableau =>
  typeof x === 'object' && x !== null && Array.isArray((x as ButcherTableau).a) && Array.isArray((x as ButcherTableau).b);

const shipped: ButcherTableau[] = [
  ...Object.values(adaptiveTableaus),
  ...Object.values(dopri8Tableau),
  ...Object.values(fixedTableaus),
].filter(isTableau);

const MAX_ORDER = 8;
const trees = rootedTrees(MAX_ORDER + 1);
/** Rounding in the published decimal/rational coefficients stays far below this. */
const TOL = 1e-12;
/** A residual above this is a genuinely unmet condition, not rounding. */
const UNMET = 1e-8;

describe('rooted trees (the checker itself)', () => {
  it('counts 1, 1, 2, 4, 9, 20, 48, 115, 286 trees of orders 1..9 (OEIS A000081)', () => {
    assert.deepEqual(
      trees.slice(1).map((ts) => ts.length),
      [1, 1, 2, 4, 9, 20, 48, 115, 286],
    );
  });

  it('finds the order loss of a tableau that validateTableau cannot see', () => {
    // Perturbing rk4's weights keeps Σb = 1 and the row sums, so validation passes, but the
    // order drops: the order conditions must notice.
    const bad: ButcherTableau = { ...fixedTableaus.rk4, name: 'perturbed', b: [1 / 8 + 1e-3, 3 / 8 - 1e-3, 3 / 8, 1 / 8] };
    assert.doesNotThrow(() => validateTableau(bad));
    assert.ok(residual(bad, bad.b, trees[2]) > UNMET);
  });
});

describe('shipped tableaus', () => {
  it('include every explicit Runge–Kutta method of the registry, with the same order', () => {
    const byName = new Map(shipped.map((t) => [t.name, t]));
    const explicitRK = methods().filter((m) => !m.implicit && m.name !== 'explicit_adams' && m.name !== 'lm');
    assert.ok(explicitRK.length >= 12, `expected the 6 adaptive and 6+ fixed RK methods, got ${explicitRK.map((m) => m.name)}`);
    for (const m of explicitRK) {
      const tab = byName.get(m.name === 'heun2' ? 'heun' : m.name);
      assert.ok(tab, `method '${m.name}' has no tableau among the tableau modules`);
      assert.equal(m.order, tab.order, `${m.name}: registry order vs tableau order`);
      assert.equal(m.adaptive, tab.bErr !== undefined, `${m.name}: adaptive exactly when it has an error estimate`);
    }
  });

  for (const tab of shipped) {
    describe(tab.name, () => {
      it('passes validateTableau', () => {
        const checked = validateTableau(tab);
        assert.equal(checked.stages, tab.c.length);
      });

      it(`meets every order condition up to its order ${tab.order}, and not all of order ${tab.order + 1}`, () => {
        for (let n = 1; n <= tab.order; n++) {
          const r = residual(tab, tab.b, trees[n]);
          assert.ok(r < TOL, `${tab.name}: order-${n} conditions violated by ${r}`);
        }
        // The stated order is the true one: the step-size controller's exponent depends on it.
        assert.ok(residual(tab, tab.b, trees[tab.order + 1]) > UNMET, `${tab.name} is of order > ${tab.order}`);
      });

      it('has stages at c_i = Σ_j a_ij', () => {
        tab.a.forEach((row, i) => assert.ok(Math.abs(row.reduce((s, x) => s + x, 0) - tab.c[i]) < TOL));
      });

      if (tab.bErr) {
        const bErr = tab.bErr;
        const bHat = tab.b.map((b, i) => b - bErr[i]);
        it(`has an embedded solution b − bErr of order ${tab.order - 1} whose error is of order ${tab.order}`, () => {
          for (let n = 1; n < tab.order; n++) {
            const r = residual(tab, bHat, trees[n]);
            assert.ok(r < TOL, `${tab.name}: embedded order-${n} conditions violated by ${r}`);
          }
          // The estimate b − b̂ must see the order-p term (else the error is always estimated as ~0).
          assert.ok(residual(tab, bHat, trees[tab.order]) > UNMET, `${tab.name}: the error estimate misses order ${tab.order}`);
        });

        it('is first-same-as-last exactly when its last row equals b', () => {
          const s = tab.c.length;
          const lastIsB =
            tab.c[s - 1] === 1 && tab.b[s - 1] === 0 && tab.a[s - 1].every((x, j) => Math.abs(x - tab.b[j]) < TOL);
          assert.equal(validateTableau(tab).fsal, lastIsB);
        });
      }

      if (tab.stabilityBoundary !== undefined) {
        const bound = tab.stabilityBoundary;
        it(`has its stabilityBoundary ${bound} just inside where |R(−x)| first exceeds 1`, () => {
          // R(z) = 1 + z·bᵀY with Y_i = 1 + z·Σ_j a_ij Y_j: one step of y′ = λy, z = hλ.
          const R = (z: number): number => {
            const Y: number[] = [];
            tab.a.forEach((row) => Y.push(1 + z * row.reduce((acc, aij, j) => acc + aij * Y[j], 0)));
            return 1 + z * tab.b.reduce((acc, bi, i) => acc + bi * Y[i], 0);
          };
          let x = 1e-3;
          while (Math.abs(R(-x)) <= 1 && x < 50) x += 1e-3;
          assert.ok(bound < x && bound > 0.95 * (x - 1e-3), `${tab.name}: stability interval ends at ${x}, stabilityBoundary is ${bound}`);
        });
      }

      if (tab.mid) {
        const mid = tab.mid;
        it('gives y(t0 + h/2) to 4th order through `mid` (what the quartic dense output needs)', () => {
          for (let n = 1; n <= 4; n++) {
            const r = residual(tab, mid, trees[n], 0.5);
            assert.ok(r < TOL, `${tab.name}: mid weights violate the order-${n} conditions at θ = 1/2 by ${r}`);
          }
        });
      }
    });
  }

  it('mark dopri5, dopri8, tsit5 and bosh3 as FSAL and fehlberg2, adaptive_heun as not', () => {
    const fsal = Object.fromEntries(shipped.filter((t) => t.bErr).map((t) => [t.name, validateTableau(t).fsal]));
    assert.deepEqual(fsal, { dopri5: true, dopri8: true, tsit5: true, bosh3: true, fehlberg2: false, adaptive_heun: false });
  });
});

describe('validateTableau', () => {
  const good = adaptiveTableaus.bosh3;
  const rejects = (t: ButcherTableau, message: RegExp): void => {
    assert.throws(
      () => validateTableau(t),
      (e: unknown) => {
        assert.ok(e instanceof SolverError, `expected a SolverError, got ${String(e)}`);
        assert.equal(e.kind, 'input');
        assert.match(e.message, new RegExp(`'${t.name}'`));
        assert.match(e.message, message);
        return true;
      },
    );
  };

  it('rejects a row of a that does not sum to its c', () => {
    rejects({ ...good, name: 'badRow', a: [[], [1 / 2], [0, 0.7], [2 / 9, 1 / 3, 4 / 9]] }, /row 2 of a sums to 0\.7.*c\[2\] = 0\.75/);
  });

  it('rejects weights with Σb ≠ 1', () => {
    rejects({ ...good, name: 'badB', b: [2 / 9, 1 / 3, 4 / 9, 0.01] }, /Σb = 1\.01/);
  });

  it('rejects b of the wrong length', () => {
    rejects({ ...good, name: 'shortB', b: [2 / 9, 1 / 3, 4 / 9] }, /b has 3 weights for 4 stages/);
  });

  it('rejects a with the wrong number of rows, or a row of the wrong length', () => {
    rejects({ ...good, name: 'fewRows', a: good.a.slice(0, 3) }, /a has 3 rows for 4 stages/);
    rejects({ ...good, name: 'longRow', a: [[], [1 / 2, 0], [0, 3 / 4], [2 / 9, 1 / 3, 4 / 9]] }, /row 1 of a has 2 entries, expected 1/);
  });

  it('rejects an explicit tableau with c[0] ≠ 0, and one without stages', () => {
    rejects({ ...good, name: 'badC0', c: [0.1, 1 / 2, 3 / 4, 1] }, /c\[0\] must be 0/);
    rejects({ name: 'empty', order: 1, c: [], a: [], b: [] }, /no stages/);
  });

  it('rejects an inconsistent error estimate and a bad midpoint', () => {
    rejects({ ...good, name: 'badErr', bErr: [0.1, 0, 0, 0] }, /Σ\(b − b̂\) = 0\.1/);
    rejects({ ...good, name: 'shortErr', bErr: [0, 0, 0] }, /bErr has 3 weights for 4 stages/);
    rejects({ ...good, name: 'badMid', mid: [0.5, 0.5, 0, 0] }, /Σmid = 1, not 1\/2/);
  });
});
