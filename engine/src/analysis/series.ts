/**
 * Series in elementary differentials, Σ_τ c(τ)·F(τ), truncated at trees of `maxOrder` nodes.
 * The power of Δt that goes with each term is implied by |τ| (an increment of the state
 * carries Δt^{|τ|}, a vector field Δt^{|τ|−1}), so a series stores only the c(τ).
 */
import { Coef } from './coefficient';
import { childGroups, graft, treesUpTo, type Tree } from './trees';

export type TreeSeries = Map<Tree, Coef>;

export function addTerm(s: TreeSeries, t: Tree, c: Coef): void {
  if (c.isZero()) return;
  const sum = (s.get(t) ?? Coef.ZERO).add(c);
  if (sum.isZero()) s.delete(t);
  else s.set(t, sum);
}

/** a + w·b (a new series). */
export function axpy(a: TreeSeries, w: Coef, b: TreeSeries): TreeSeries {
  const out: TreeSeries = new Map(a);
  if (!w.isZero()) for (const [t, c] of b) addTerm(out, t, w.mul(c));
  return out;
}

/**
 * The Lie derivative of G along the field F̃: D G = G′·F̃. The derivative of F(τ) in the
 * direction F(σ) is Σ over the nodes of τ of F(σ grafted there), hence the plain sums.
 */
export function lieDerivative(g: TreeSeries, field: TreeSeries, maxOrder: number): TreeSeries {
  const out: TreeSeries = new Map();
  for (const [t, ct] of g) {
    for (const [s, cs] of field) {
      if (t.order + s.order > maxOrder) continue;
      const c = ct.mul(cs);
      for (const u of graft(t, s)) addTerm(out, u, c);
    }
  }
  return out;
}

/**
 * f(y + δ) = Σ_m (1/m!) f^{(m)}(δ, …, δ) for an increment δ. Multilinearity collects the
 * ordered m-tuples of trees into one tree each: the coefficient of F([τ₁^{m₁} … τ_r^{m_r}])
 * is Π δ(τ_i)^{m_i}/m_i!.
 */
export function fAt(delta: TreeSeries, maxOrder: number): TreeSeries {
  const out: TreeSeries = new Map();
  for (const level of treesUpTo(maxOrder)) {
    for (const t of level) {
      let c = Coef.ONE;
      for (const [child, m] of childGroups(t)) {
        const d = delta.get(child);
        if (!d) {
          c = Coef.ZERO;
          break;
        }
        let fact = 1n;
        for (let i = 2n; i <= BigInt(m); i++) fact *= i;
        c = c.mul(d.pow(m)).div(Coef.of(fact));
      }
      addTerm(out, t, c);
    }
  }
  return out;
}

/** The leaf alone: the series of f itself. */
export function fSeries(leaf: Tree): TreeSeries {
  return new Map([[leaf, Coef.ONE]]);
}

/**
 * Along the exact flow φ_s of the field F̃, with s = θ·Δt:
 *  - increment(θ) = φ_s(y) − y = Σ_{m≥1} θ^m/m! D^{m−1}F̃
 *  - fAlong(θ)    = f(φ_s(y))  = Σ_{m≥0} θ^m/m! D^m f
 * (Taylor series in s of g(φ_s(y)) are Σ s^m/m! D^m g.)
 */
export class FlowExpansion {
  private readonly dField: TreeSeries[] = [];
  private readonly dF: TreeSeries[] = [];

  constructor(field: TreeSeries, leaf: Tree, maxOrder: number) {
    // D^m raises the order by at least m, so m < maxOrder suffices.
    let g = field;
    let h = fSeries(leaf);
    for (let m = 0; m < maxOrder; m++) {
      this.dField.push(g);
      this.dF.push(h);
      g = lieDerivative(g, field, maxOrder);
      h = lieDerivative(h, field, maxOrder);
    }
  }

  increment(theta: Coef): TreeSeries {
    let out: TreeSeries = new Map();
    let w = Coef.ONE;
    this.dField.forEach((g, i) => {
      w = w.mul(theta).div(Coef.of(i + 1));
      out = axpy(out, w, g);
    });
    return out;
  }

  fAlong(theta: Coef): TreeSeries {
    let out: TreeSeries = new Map();
    let w = Coef.ONE;
    this.dF.forEach((h, i) => {
      if (i > 0) w = w.mul(theta).div(Coef.of(i));
      out = axpy(out, w, h);
    });
    return out;
  }
}
