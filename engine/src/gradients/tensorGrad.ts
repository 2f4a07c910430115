import type { Tensor } from '@tensorflow/tfjs';
import { ensureBackend, tf } from '../backend/index';
import type { TensorField } from '../fields/field';
import { SolverError } from '../solvers/errors';
import { methodInfo } from '../solvers/registry';
import { OdeSolve } from '../solvers/solve';
import { isTensorState, tfjsAlgebra } from '../state/tfjs';
import { adjointSolverOptions, augmentedTolerance } from './adjoint';
import type { DiffOps } from './diffOps';
import { discreteSweep } from './discrete';
import { adjointSolveError, gradStats } from './report';
import type { BackwardCounts, GradientMethod, GradStats, OdeintGradOptions, TensorGradResult } from './types';

/**
 * odeintGrad on the TensorFlow.js path: the same three methods on float32 tensors, with the
 * field's autodiff vjp. Every intermediate tensor is freed; the caller owns the results.
 */
export async function tensorOdeintGrad(
  field: TensorField,
  y0: Tensor,
  times: readonly number[],
  cotangents: readonly (Tensor | null | undefined)[],
  opts: OdeintGradOptions,
  gradient: GradientMethod,
): Promise<TensorGradResult> {
  if (!isTensorState(y0)) {
    throw new SolverError('input', 'A TensorFlow.js field needs y0 as a tf.Tensor (for typed arrays, use a native field such as mlpField).');
  }
  const cots = checkTensorCotangents(cotangents, times.length, y0);
  await ensureBackend();
  const f = (t: number, y: Tensor): Tensor => field.f(t, y);
  const d: DiffOps<Tensor, Tensor[]> = {
    ops: tfjsAlgebra,
    f: (t, y) => tfjsAlgebra.evaluate(f, t, y),
    vjp: (t, y, a) => field.vjp(t, y, a),
    zeroParams: () => field.params.map((p) => tf.zerosLike(p)),
    addParams: (acc, g) =>
      acc.map((x, i) => {
        const sum = tf.add(x, g[i]);
        x.dispose();
        g[i].dispose();
        return sum;
      }),
    disposeParams: (p) => p.forEach((x) => x.dispose()),
    keep: (y) => tf.clone(y),
    stateBytes: 4 * y0.size,
  };
  const r =
    gradient === 'adjoint'
      ? await tensorAdjoint(field, y0, times, cots, opts)
      : await discreteSweep(d, y0, times, cots, opts, gradient);
  const ys = tf.stack(r.ys);
  r.ys.forEach((y) => y.dispose());
  return { ys, gradY0: r.gradY0, gradParams: r.gradParams, stats: r.stats };
}

function checkTensorCotangents(cotangents: readonly (Tensor | null | undefined)[], count: number, y0: Tensor): (Tensor | null)[] {
  if (!Array.isArray(cotangents) || cotangents.length !== count) {
    throw new SolverError(
      'input',
      `cotangents must hold one entry per output time (${count}), but got ${Array.isArray(cotangents) ? cotangents.length : typeof cotangents}. ` +
        'Pass dL/dy(t[i]) for every t[i], with null where the loss does not use that output.',
    );
  }
  return cotangents.map((c, i) => {
    if (c === null || c === undefined) return null;
    if (!isTensorState(c) || c.size !== y0.size) {
      throw new SolverError(
        'input',
        `cotangents[${i}] must be a tensor of y0's shape [${y0.shape.join(', ')}], but got ${isTensorState(c) ? `shape [${c.shape.join(', ')}]` : typeof c}.`,
        { index: i },
      );
    }
    return c;
  });
}

/** The continuous adjoint on tensors: the augmented state [y, a, g] flattened into one vector. */
async function tensorAdjoint(
  field: TensorField,
  y0: Tensor,
  times: readonly number[],
  cots: readonly (Tensor | null)[],
  opts: OdeintGradOptions,
): Promise<{ ys: Tensor[]; gradY0: Tensor; gradParams: Tensor[]; stats: GradStats }> {
  const method = methodInfo(opts.method ?? 'dopri5').name;
  const fwd = new OdeSolve<Tensor>(tfjsAlgebra, (t, y) => field.f(t, y), y0, times, {
    method,
    rtol: opts.rtol,
    atol: opts.atol,
    options: opts.options,
    signal: opts.signal,
  });
  const ys = await fwd.run();
  const n = y0.size;
  const shapes = field.params.map((p) => p.shape);
  const sizes = field.params.map((p) => p.size);
  const p = sizes.reduce((x, y) => x + y, 0);
  const adj = opts.adjointOptions ?? {};
  const counts: BackwardCounts = { f: 0, vjp: 0 };
  const augmented = (t: number, z: Tensor): Tensor =>
    tf.tidy(() => {
      const y = tf.reshape(tf.slice(z, [0], [n]), y0.shape);
      const a = tf.reshape(tf.slice(z, [n], [n]), y0.shape);
      counts.f++;
      const fy = field.f(t, y);
      counts.vjp++;
      const g = field.vjp(t, y, a);
      return tf.concat([tf.reshape(fy, [-1]), tf.reshape(tf.neg(g.y), [-1]), ...g.params.map((x) => tf.reshape(tf.neg(x), [-1]))]);
    });
  const backward = {
    method: adj.method ?? method,
    rtol: augmentedTolerance('rtol', adj.rtol ?? opts.rtol, n, p),
    atol: augmentedTolerance('atol', adj.atol ?? opts.atol, n, p),
    options: adjointSolverOptions(opts, n),
    signal: opts.signal,
  };

  const N = times.length;
  let a = tf.zeros([n]);
  let g = tf.zeros([p]);
  const addCotangent = (i: number): void => {
    const c = cots[i];
    if (!c) return;
    const next = tf.tidy(() => tf.add(a, tf.reshape(c, [-1])));
    a.dispose();
    a = next;
  };
  let accepted = 0;
  let rejected = 0;
  try {
    addCotangent(N - 1);
    for (let i = N - 1; i > 0; i--) {
      const z = tf.tidy(() => tf.concat([tf.reshape(ys[i], [-1]), a, g]));
      let zs: Tensor[];
      try {
        const back = new OdeSolve<Tensor>(tfjsAlgebra, augmented, z, [times[i], times[i - 1]], backward);
        zs = await back.run();
        accepted += back.stats.nAccepted;
        rejected += back.stats.nRejected;
      } catch (e) {
        if (!(e instanceof SolverError)) throw e;
        throw adjointSolveError(e, times[i], times[i - 1]);
      } finally {
        z.dispose();
      }
      const zEnd = zs[1];
      zs[0].dispose();
      a.dispose();
      g.dispose();
      a = tf.slice(zEnd, [n], [n]);
      g = tf.slice(zEnd, [2 * n], [p]);
      zEnd.dispose();
      addCotangent(i - 1);
    }
  } catch (e) {
    a.dispose();
    g.dispose();
    ys.forEach((y) => y.dispose());
    throw e;
  }
  const gradY0 = tf.reshape(a, y0.shape);
  const parts = p > 0 ? tf.split(g, sizes) : [];
  const gradParams = parts.map((x, i) => {
    const r = tf.reshape(x, shapes[i]);
    x.dispose();
    return r;
  });
  a.dispose();
  g.dispose();
  const stats = gradStats('adjoint', method, fwd.stats, counts, { accepted, rejected }, 4 * (N * n + 2 * (2 * n + p)));
  return { ys, gradY0, gradParams, stats };
}
