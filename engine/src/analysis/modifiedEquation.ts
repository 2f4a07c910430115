/**
 * Modified equations: the ODE u′ = F̃(u) = Σ_τ c(τ) Δt^{|τ|−1} F(τ)(u) whose exact solution
 * the scheme follows to a higher order in Δt than it follows u′ = f(u).
 *
 * Derivation (the standard one, order by order): write the exact flow of F̃ as a series in
 * elementary differentials (Taylor series along the flow: Lie derivatives, i.e. grafting of
 * trees), insert it into the scheme, and choose the coefficients of the trees with n nodes so
 * that the scheme's residual vanishes at Δt^n. For a Runge–Kutta method the scheme's own
 * series comes from Taylor-expanding its stages; for a multistep scheme the residual is
 * Σ α_j φ_{jΔt}(y) − Δt Σ β_j f(φ_{jΔt}(y)), and the new coefficient enters it times
 * ρ′(1) = Σ j α_j.
 */
import { SolverError } from '../solvers/errors';
import { Coef } from './coefficient';
import { addTerm, axpy, fAt, FlowExpansion, type TreeSeries } from './series';
import type { MultistepScheme, RungeKuttaScheme, Scheme } from './schemes';
import { LEAF, compareTrees, treesUpTo, type Tree } from './trees';

/** Trees of up to this many nodes (Δt^5); beyond it the count of trees grows quickly. */
export const MAX_MODEQ_ORDER = 6;

/** coefficient · Δt^power · F(tree)(u), one term of u_t = F̃(u). */
export interface ModifiedTerm {
  readonly tree: Tree;
  readonly power: number;
  readonly coefficient: Coef;
}

/** coefficient · Δt^power · (d/dt)^derivative of u (left side) or of f(u) (right side). */
export interface DerivativeTerm {
  readonly derivative: number;
  readonly power: number;
  readonly coefficient: Coef;
}

/**
 * A multistep scheme Taylor-expanded about one of its states, divided by Δt: the form the
 * LM-ResNet paper writes, (1 + k) u_t + (1 − k)(Δt/2) u_tt = f(u) + O(Δt²).
 */
export interface DerivativeForm {
  readonly lhs: readonly DerivativeTerm[];
  readonly rhs: readonly DerivativeTerm[];
  /** Index j of the state u_{n+j} expanded about: the newest one f is evaluated at. */
  readonly about: number;
}

export interface ModifiedEquation {
  readonly scheme: Scheme;
  /** The equation holds up to O(Δt^order). */
  readonly order: number;
  /** u_t = Σ terms, in display order; zero coefficients are left out. */
  readonly terms: readonly ModifiedTerm[];
  /** Multistep schemes only. */
  readonly derivativeForm?: DerivativeForm;
}

function checkOrder(order: number): void {
  if (!Number.isInteger(order) || order < 1 || order > MAX_MODEQ_ORDER) {
    throw new SolverError(
      'input',
      `order ${order}: the modified equation is derived up to O(Δt^order) for whole orders 1 to ${MAX_MODEQ_ORDER}.`,
    );
  }
}

/** Φ_Δt(y) − y of an explicit RK method: one pass over the stages, each f Taylor-expanded. */
export function rungeKuttaIncrement(s: RungeKuttaScheme, maxOrder: number): TreeSeries {
  const fStage: TreeSeries[] = [];
  for (let i = 0; i < s.b.length; i++) {
    let delta: TreeSeries = new Map();
    s.a[i].forEach((aij, j) => (delta = axpy(delta, aij, fStage[j])));
    fStage.push(fAt(delta, maxOrder));
  }
  let out: TreeSeries = new Map();
  s.b.forEach((bi, i) => (out = axpy(out, bi, fStage[i])));
  return out;
}

function checkMultistep(s: MultistepScheme): Coef {
  if (s.alpha.length !== s.beta.length || s.alpha.length < 2) {
    throw new SolverError('input', `${s.name}: α and β need the same length, at least 2 (got ${s.alpha.length} and ${s.beta.length}).`);
  }
  const sum = s.alpha.reduce((a, x) => a.add(x), Coef.ZERO);
  if (!sum.isZero()) throw new SolverError('input', `${s.name}: Σα_j ≠ 0, so the scheme does not keep constant solutions and has no modified equation.`);
  const rho1 = s.alpha.reduce((a, x, j) => a.add(x.mul(Coef.of(j))), Coef.ZERO);
  if (rho1.isZero()) {
    throw new SolverError('input', `${s.name}: ρ′(1) = Σ j α_j = 0 (for lm: k = −1), so the scheme approximates no first-order ODE.`);
  }
  return rho1;
}

/** The modified equation of `scheme` up to O(Δt^order). */
export function modifiedEquation(scheme: Scheme, order: number): ModifiedEquation {
  checkOrder(order);
  const rkIncrement = scheme.kind === 'rk' ? rungeKuttaIncrement(scheme, order) : null;
  const rho1 = scheme.kind === 'lmm' ? checkMultistep(scheme) : Coef.ONE;
  const trees = treesUpTo(order);
  const field: TreeSeries = new Map();
  for (let n = 1; n <= order; n++) {
    const flow = new FlowExpansion(field, LEAF, n);
    let residual: TreeSeries;
    if (rkIncrement) {
      residual = axpy(flow.increment(Coef.ONE), Coef.ONE.neg(), rkIncrement);
    } else {
      const s = scheme as MultistepScheme;
      residual = new Map();
      s.alpha.forEach((a, j) => (residual = axpy(residual, a, flow.increment(Coef.of(j)))));
      s.beta.forEach((b, j) => (residual = axpy(residual, b.neg(), flow.fAlong(Coef.of(j)))));
    }
    // Lower orders were cancelled before; a leftover there is a bug, not a property of the scheme.
    for (const [t, r] of residual) {
      if (t.order < n && !r.isZero()) throw new Error(`${scheme.name}: residual left at Δt^${t.order} while solving Δt^${n}.`);
    }
    // The trees with n nodes are still absent from `field`: their coefficients cancel the residual.
    for (const t of trees[n]) {
      const r = residual.get(t);
      if (r) addTerm(field, t, r.neg().div(rho1));
    }
  }
  const terms = [...field.entries()]
    .sort(([a], [b]) => compareTrees(a, b))
    .map(([tree, coefficient]) => ({ tree, power: tree.order - 1, coefficient }));
  return {
    scheme,
    order,
    terms,
    ...(scheme.kind === 'lmm' ? { derivativeForm: derivativeForm(scheme, order) } : {}),
  };
}

/** Σ_j w_j (j − J)^m / m! */
const moment = (w: readonly Coef[], about: number, m: number): Coef => {
  let fact = 1;
  for (let i = 2; i <= m; i++) fact *= i;
  return w.reduce((acc, x, j) => acc.add(x.mul(Coef.of(j - about).pow(m))), Coef.ZERO).div(Coef.of(fact));
};

/**
 * Σ α_j u(t + (j − J)Δt) / Δt = Σ β_j f(u(t + (j − J)Δt)), both sides Taylor-expanded about
 * t = t_{n+J} to O(Δt^order), J the newest state with β_J ≠ 0.
 */
export function derivativeForm(s: MultistepScheme, order: number): DerivativeForm {
  checkOrder(order);
  checkMultistep(s);
  let about = -1;
  s.beta.forEach((b, j) => {
    if (!b.isZero()) about = j;
  });
  if (about < 0) throw new SolverError('input', `${s.name}: every β_j is 0, so f never enters the scheme.`);
  const lhs: DerivativeTerm[] = [];
  const rhs: DerivativeTerm[] = [];
  for (let m = 1; m <= order; m++) {
    const c = moment(s.alpha, about, m);
    if (!c.isZero()) lhs.push({ derivative: m, power: m - 1, coefficient: c });
  }
  for (let m = 0; m < order; m++) {
    const c = moment(s.beta, about, m);
    if (!c.isZero()) rhs.push({ derivative: m, power: m, coefficient: c });
  }
  return { lhs, rhs, about };
}

/**
 * The modified vector field of a scalar ODE as a function, for numerical checks:
 * `derivatives(u)` returns [f(u), f′(u), f″(u), …] up to the (order − 1)-th derivative.
 * Every coefficient must be a number (give k a value).
 */
export function scalarModifiedField(eq: ModifiedEquation, dt: number, derivatives: (u: number) => readonly number[]): (u: number) => number {
  const terms = eq.terms.map((t) => ({ tree: t.tree, w: t.coefficient.toNumber() * dt ** t.power }));
  return (u) => {
    const d = derivatives(u);
    if (d.length < eq.order) throw new RangeError(`derivatives(u) gave ${d.length} values; the order-${eq.order} field needs ${eq.order}.`);
    const memo = new Map<Tree, number>();
    const value = (t: Tree): number => {
      let v = memo.get(t);
      if (v === undefined) {
        v = t.children.reduce((p, c) => p * value(c), d[t.children.length]);
        memo.set(t, v);
      }
      return v;
    };
    return terms.reduce((s, t) => s + t.w * value(t.tree), 0);
  };
}
