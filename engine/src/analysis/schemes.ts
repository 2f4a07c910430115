/**
 * The schemes whose modified equations the analysis derives, as exact coefficients:
 * explicit Runge–Kutta methods from the solver registry's Butcher tableaus, and linear
 * multistep schemes Σ_j α_j u_{n+j} = Δt Σ_j β_j f(u_{n+j}).
 */
import { SolverError } from '../solvers/errors';
import { methodInfo, methods } from '../solvers/registry';
import { Coef } from './coefficient';
import { Rational } from './rational';

export interface RungeKuttaScheme {
  readonly kind: 'rk';
  readonly name: string;
  readonly description: string;
  /** Strictly lower-triangular rows, as in ButcherTableau. */
  readonly a: readonly (readonly Coef[])[];
  readonly b: readonly Coef[];
}

export interface MultistepScheme {
  readonly kind: 'lmm';
  readonly name: string;
  readonly description: string;
  /** α_0 … α_s, oldest state first; α_s multiplies the new state. */
  readonly alpha: readonly Coef[];
  readonly beta: readonly Coef[];
  /** The value of k, or 'symbolic'; absent for schemes without a parameter. */
  readonly k?: Rational | 'symbolic';
}

export type Scheme = RungeKuttaScheme | MultistepScheme;

/** An explicit RK method of the registry (euler, midpoint, heun, rk4, rk4_classic, bosh3, …). */
export function rungeKuttaScheme(name: string): RungeKuttaScheme {
  const info = methodInfo(name);
  const tab = info.tableau;
  if (!tab) throw new SolverError('input', `'${name}' is not an explicit Runge–Kutta method, so it has no Butcher tableau to analyse.`);
  const exact = (x: number, where: string): Coef => {
    try {
      return Coef.of(Rational.fromNumber(x, 10n ** 9n));
    } catch {
      throw new SolverError(
        'input',
        `${name}: the tableau entry ${where} = ${x} is not a fraction with a small denominator, so its modified equation cannot be derived exactly. Try a method with rational coefficients (euler, midpoint, heun, rk4, bosh3, dopri5).`,
      );
    }
  };
  return {
    kind: 'rk',
    name,
    description: info.description,
    a: tab.a.map((row, i) => row.map((x, j) => exact(x, `a[${i}][${j}]`))),
    b: tab.b.map((x, i) => exact(x, `b[${i}]`)),
  };
}

const c = (n: number, d = 1): Coef => Coef.of(Rational.of(n, d));

/** Adams–Bashforth 2: u_{n+2} − u_{n+1} = Δt (3/2 f_{n+1} − 1/2 f_n). */
export const ab2: MultistepScheme = {
  kind: 'lmm',
  name: 'ab2',
  description: 'Adams–Bashforth 2: u_{n+2} − u_{n+1} = Δt (3/2 f_{n+1} − 1/2 f_n)',
  alpha: [c(0), c(-1), c(1)],
  beta: [c(-1, 2), c(3, 2), c(0)],
};

/**
 * The LM-ResNet scheme in the network's form, u_{n+1} = (1 − k) u_n + k u_{n−1} + Δt f(u_n):
 * α = (−k, −(1 − k), 1), β = (0, 1, 0). Without a k, the coefficients stay symbolic in k.
 * `scaling: 'consistent'` is the solver's `lm` method instead, which scales f by 1 + k so that
 * the scheme is consistent with u′ = f.
 */
export function lmScheme(k?: Rational, scaling: 'network' | 'consistent' = 'network'): MultistepScheme {
  const kc = k === undefined ? Coef.K : Coef.of(k);
  const network = scaling === 'network';
  return {
    kind: 'lmm',
    name: 'lm',
    description: network
      ? 'LM-ResNet: u_{n+1} = (1 − k) u_n + k u_{n−1} + Δt f(u_n)'
      : "the solver's lm: u_{n+1} = (1 − k) u_n + k u_{n−1} + (1 + k) Δt f(u_n)",
    alpha: [kc.neg(), Coef.ONE.sub(kc).neg(), Coef.ONE],
    beta: [Coef.ZERO, network ? Coef.ONE : Coef.ONE.add(kc), Coef.ZERO],
    k: k ?? 'symbolic',
  };
}

/** Names `schemeByName` accepts: the multistep schemes and the registry's RK methods. */
export function schemeNames(): string[] {
  return ['ab2', 'lm', ...methods().filter((m) => m.tableau).map((m) => m.name)];
}

/** A scheme by the name users type; `k` only for lm (symbolic when absent). */
export function schemeByName(name: string, k?: Rational): Scheme {
  if (k !== undefined && name !== 'lm') {
    throw new SolverError('input', `k is a parameter of the lm scheme only; '${name}' has none. Drop --k, or use --scheme lm.`);
  }
  if (name === 'lm') return lmScheme(k);
  if (name === 'ab2') return ab2;
  if (!methods().some((m) => m.name === name && m.tableau)) {
    throw new SolverError('input', `Unknown scheme '${name}'. Known schemes: ${schemeNames().join(', ')}.`, { scheme: name });
  }
  return rungeKuttaScheme(name);
}
