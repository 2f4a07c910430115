/**
 * odeintGrad with `train.regularize`: the solve carries K and J (regularizedField.ts) from the
 * first output time to the last, and the loss gains λ_K·K(T) + λ_J·J(T) through their
 * cotangents at T. Without regularisers it is odeintGrad itself. Every gradient method applies.
 */
import type { Rng } from '../data/rng';
import { hostCannotRead } from '../device/types';
import type { NativeField } from '../fields/field';
import { odeintGrad, type NativeCotangent } from '../gradients/odeintGrad';
import type { NativeGradResult, OdeintGradOptions } from '../gradients/types';
import { rademacher, regularizedField, type CountedComponents } from './regularizedField';

export interface RegularizeSpec {
  /** λ of the kinetic energy ∫‖f‖² dt (per sample). */
  kinetic?: number;
  /** λ of the Jacobian's Frobenius norm ∫‖∂f/∂y‖²_F dt (per sample, Hutchinson's estimate). */
  jacobian?: number;
}

/** The terms' values at the end of the solve (unweighted), for the metrics. */
export interface RegularizerTerms {
  kinetic?: number;
  jacobian?: number;
}

export const isRegularized = (r: RegularizeSpec | undefined): r is RegularizeSpec => (r?.kinetic ?? 0) > 0 || (r?.jacobian ?? 0) > 0;

/**
 * The gradient of loss(ys) + λ_K·K + λ_J·J for a batch of `batch` samples in y0; the probe ε
 * is drawn from `rng` (once per call: one Hutchinson sample per iteration, as RNODE does).
 */
export async function regularizedGrad(
  field: NativeField,
  y0: Float64Array,
  times: ArrayLike<number>,
  cotangents: (ys: readonly Float64Array[]) => readonly NativeCotangent[],
  opts: OdeintGradOptions,
  reg: RegularizeSpec | undefined,
  batch: number,
  rng: Rng,
  counted?: CountedComponents,
): Promise<NativeGradResult & { terms?: RegularizerTerms; penalty: number }> {
  if (!isRegularized(reg)) return { ...(await odeintGrad(field, y0, times, cotangents, opts)), penalty: 0 };
  if (hostCannotRead(field)) {
    throw new RangeError(`train.regularize evaluates the model's VJP one call at a time on the host, which the GPU backend '${field.device.backend}' cannot read back: select 'wasm' to regularise this model.`);
  }
  const n = y0.length;
  const lambdaK = reg.kinetic ?? 0;
  const lambdaJ = reg.jacobian ?? 0;
  const epsilon = lambdaJ > 0 ? rademacher(n, () => rng.random()) : null;
  if (epsilon && counted) epsilon.forEach((_, i) => i % counted.per >= counted.count && (epsilon[i] = 0));
  const z0 = new Float64Array(n + 2);
  z0.set(y0);
  const last = times.length - 1;
  const res = await odeintGrad(
    regularizedField(field, n, batch, epsilon, counted),
    z0,
    times,
    (zs) => {
      const own = cotangents(zs.map((z) => z.subarray(0, n)));
      // a loss that is not finite gives no cotangents at all: neither do the regularisers then
      if (own.every((c) => c === null || c === undefined)) return own;
      return own.map((c, i) => {
        if (i !== last && (c === null || c === undefined)) return null;
        const full = new Float64Array(n + 2);
        if (c) full.set(c);
        if (i === last) {
          full[n] = lambdaK;
          full[n + 1] = lambdaJ;
        }
        return full;
      });
    },
    opts,
  );
  const end = res.ys[last];
  const terms: RegularizerTerms = {
    ...(lambdaK > 0 ? { kinetic: end[n] } : {}),
    ...(lambdaJ > 0 ? { jacobian: end[n + 1] } : {}),
  };
  return {
    ys: res.ys.map((z) => z.slice(0, n)),
    gradY0: res.gradY0.slice(0, n),
    gradParams: res.gradParams,
    stats: res.stats,
    terms,
    penalty: lambdaK * end[n] + lambdaJ * end[n + 1],
  };
}
