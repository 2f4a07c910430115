/**
 * RNODE's regularisers (Finlay et al., 2020) carried as extra state, so that every solver and
 * gradient method computes and differentiates them alongside the solve: the state
 * z = [y (n values), K, J] obeys
 *
 *   dy/dt = f(t, y),   dK/dt = ‖f(t, y)‖² / B,   dJ/dt = ‖εᵀ ∂f/∂y‖² / B,
 *
 * B the batch size and ε a fixed Rademacher probe of y's size (Hutchinson's estimator of the
 * Jacobian's Frobenius norm: E‖εᵀ∂f/∂y‖² = ‖∂f/∂y‖²_F). K(T) is the kinetic energy ∫‖f‖² dt and
 * J(T) the Jacobian term, both per sample.
 *
 * The VJP of dJ/dt needs second derivatives of f, which a field's own vjp does not give. With
 * g = εᵀ∂f/∂y (the vjp at ε), ∂‖g‖²/∂y = 2 (∂g/∂y) g since ∂g/∂y is a sum of Hessians, symmetric;
 * and ∂‖g‖²/∂θ = 2 d/dh vjp_θ(y + h g, ε). Both are the derivative of the vjp along g, taken by
 * a central difference in float64 (error ~1e-10 relative at the step used), so every field with
 * a vjp (built-in or the user's) is regularised alike.
 */
import type { NativeField } from '../fields/field';

export interface RegularizedField extends NativeField {
  /** Values of y in z (K and J follow). */
  readonly n: number;
}

/** Rademacher's ±1, from uniform draws. */
export function rademacher(n: number, random: () => number): Float64Array {
  return Float64Array.from({ length: n }, () => (random() < 0.5 ? -1 : 1));
}

const CBRT_EPS = Math.cbrt(Number.EPSILON);

/**
 * Which components of a sample the terms count: the first `count` of every `per` (a CNF's state
 * [z, log p] counts z alone, as RNODE does); every component when absent.
 */
export interface CountedComponents {
  per: number;
  count: number;
}

/**
 * `base` on z = [y, K, J]; `epsilon` (n values) is the probe, or null without the Jacobian term
 * (J then stays 0; its uncounted components must be 0); `batch` the number of samples in y.
 */
export function regularizedField(base: NativeField, n: number, batch: number, epsilon: Float64Array | null, counted?: CountedComponents): RegularizedField {
  const counts = (i: number): boolean => !counted || i % counted.per < counted.count;
  const sq = (x: Float64Array): number => {
    let s = 0;
    for (let i = 0; i < x.length; i++) if (counts(i)) s += x[i] * x[i];
    return s;
  };
  /** d/dh vjp(t, y + h·g, ε) at h = 0 (y and θ parts), by a central difference. */
  const alongG = (t: number, y: Float64Array, g: Float64Array, eps: Float64Array): { y: Float64Array; params: Float64Array } => {
    let gMax = 0;
    let yMax = 0;
    for (let i = 0; i < n; i++) {
      gMax = Math.max(gMax, Math.abs(g[i]));
      yMax = Math.max(yMax, Math.abs(y[i]));
    }
    const p = base.params.length;
    if (gMax === 0) return { y: new Float64Array(n), params: new Float64Array(p) };
    const h = (CBRT_EPS * (1 + yMax)) / gMax;
    const shifted = (s: number): Float64Array => Float64Array.from(y, (v, i) => v + s * g[i]);
    const plus = base.vjp(t, shifted(h), eps);
    const py = Float64Array.from(plus.y);
    const pp = Float64Array.from(plus.params);
    const minus = base.vjp(t, shifted(-h), eps);
    const dy = py.map((v, i) => (v - minus.y[i]) / (2 * h));
    const dp = pp.map((v, i) => (v - minus.params[i]) / (2 * h));
    return { y: dy, params: dp };
  };

  return {
    kind: 'native',
    n,
    params: base.params,
    f(t, z) {
      const y = z.subarray(0, n);
      const f = base.f(t, y);
      const out = new Float64Array(n + 2);
      out.set(f);
      out[n] = sq(f) / batch;
      if (epsilon) out[n + 1] = sq(base.vjp(t, y, epsilon).y) / batch;
      return out;
    },
    vjp(t, z, a) {
      const y = z.subarray(0, n);
      const cK = a[n];
      const cJ = a[n + 1];
      // d(‖f‖²/B) = (2/B) fᵀ df: the kinetic cotangent joins a's y part in one vjp
      const c = Float64Array.from(a.subarray(0, n));
      if (cK !== 0) {
        const f = base.f(t, y);
        for (let i = 0; i < n; i++) if (counts(i)) c[i] += ((2 * cK) / batch) * f[i];
      }
      const g = base.vjp(t, y, c);
      const gy = new Float64Array(n + 2);
      gy.set(g.y);
      const gp = Float64Array.from(g.params);
      if (epsilon && cJ !== 0) {
        const probe = Float64Array.from(base.vjp(t, y, epsilon).y);
        const d = alongG(t, y, probe, epsilon);
        const w = (2 * cJ) / batch;
        for (let i = 0; i < n; i++) gy[i] += w * d.y[i];
        for (let i = 0; i < gp.length; i++) gp[i] += w * d.params[i];
      }
      return { y: gy, params: gp };
    },
  };
}
