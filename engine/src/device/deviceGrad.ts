/**
 * odeintGrad for a field on the device (deviceField.ts): the host's arrays in and out, the solve
 * and the gradient on the TensorFlow.js state algebra in between. `backprop` and `checkpoint`
 * are the host's own reverse sweep (discreteSweep) on tensor states; `adjoint` is the same
 * continuous adjoint as adjoint.ts, with the augmented state [y, a, g] one flat tensor.
 */
import type { Tensor } from '@tensorflow/tfjs';
import { tf } from '../backend/tf';
import { backwardSolve } from '../gradients/adjoint';
import { discreteSweep } from '../gradients/discrete';
import { adjointSolveError, gradStats } from '../gradients/report';
import { resolveCotangents, type BackwardCounts, type CotangentSource, type GradientMethod, type NativeGradResult, type OdeintGradOptions } from '../gradients/types';
import { odeint } from '../odeint';
import { SolverError } from '../solvers/errors';
import { methodInfo } from '../solvers/registry';
import type { DeviceField } from './types';
import { tensorDiffOps } from './deviceOps';

const readHost = async (x: Tensor): Promise<Float64Array> => Float64Array.from(await x.data());

export async function deviceGrad(
  field: DeviceField,
  y0: Float64Array,
  times: readonly number[],
  cotangents: CotangentSource<Float64Array>,
  opts: OdeintGradOptions & { gradient: GradientMethod },
): Promise<NativeGradResult> {
  const { theta, shapeOf } = field.device;
  const shape = shapeOf(y0.length);
  theta.sync();
  /** The host's cotangents as tensors, released after the sweep. */
  const uploaded: Tensor[] = [];
  const onDevice = async (ys: readonly Tensor[]): Promise<(Tensor | null)[]> => {
    const host = await resolveCotangents(cotangents, await Promise.all(ys.map(readHost)));
    return host.map((c) => {
      if (!c) return null;
      const x = tf.tensor(Float32Array.from(c), shape, 'float32');
      uploaded.push(x);
      return x;
    });
  };
  const start = tf.tensor(Float32Array.from(y0), shape, 'float32');
  try {
    const r =
      opts.gradient === 'adjoint'
        ? await adjointOnDevice(field, start, times, onDevice, opts)
        : await discreteSweep(tensorDiffOps(field.tensor, y0.length), start, times, onDevice, opts, opts.gradient);
    try {
      const [ys, gradY0, grads] = await Promise.all([
        Promise.all(r.ys.map(readHost)),
        readHost(r.gradY0),
        Promise.all(r.gradParams.map(async (g) => (await g.data()) as Float32Array)),
      ]);
      return { ys, gradY0, gradParams: theta.flatten(grads), stats: r.stats };
    } finally {
      tf.dispose([...r.ys, r.gradY0, ...r.gradParams]);
    }
  } finally {
    tf.dispose([start, ...uploaded]);
  }
}

/**
 * The continuous adjoint (adjoint.ts) on the device: a plain forward solve, then z = [y, a, g]
 * flattened into one tensor and solved backwards one output interval at a time, with y
 * re-anchored at each output and that output's cotangent added to a.
 */
async function adjointOnDevice(
  field: DeviceField,
  y0: Tensor,
  times: readonly number[],
  cotangents: (ys: readonly Tensor[]) => Promise<(Tensor | null)[]>,
  opts: OdeintGradOptions,
): Promise<{ ys: Tensor[]; gradY0: Tensor; gradParams: Tensor[]; stats: NativeGradResult['stats'] }> {
  const model = field.tensor;
  const method = methodInfo(opts.method ?? 'dopri5').name;
  const sol = await odeint((t: number, y: Tensor) => model.f(t, y), y0, times, { method, rtol: opts.rtol, atol: opts.atol, options: opts.options, signal: opts.signal });
  const ys = tf.unstack(sol.ys);
  sol.ys.dispose();
  const shape = y0.shape;
  const n = y0.size;
  const sizes = model.params.map((v) => v.size);
  const p = sizes.reduce((a, b) => a + b, 0);
  const backward = backwardSolve(opts, method, n, p);
  const counts: BackwardCounts = { f: 0, vjp: 0 };
  const augmented = (t: number, z: Tensor): Tensor => {
    counts.f++;
    counts.vjp++;
    const y = z.slice(0, n).reshape(shape);
    const a = z.slice(n, n).reshape(shape);
    const g = model.vjp(t, y, a);
    return tf.concat([model.f(t, y).reshape([-1]), tf.neg(g.y).reshape([-1]), ...g.params.map((q) => tf.neg(q).reshape([-1]))]);
  };

  const N = times.length;
  let a: Tensor = tf.zeros(shape);
  let g: Tensor = tf.zeros([p]);
  let accepted = 0;
  let rejected = 0;
  try {
    const cots = await cotangents(ys);
    const addCotangent = (i: number): void => {
      const c = cots[i];
      if (!c) return;
      const next = tf.add(a, c);
      a.dispose();
      a = next;
    };
    addCotangent(N - 1);
    for (let i = N - 1; i > 0; i--) {
      const z = tf.tidy(() => tf.concat([ys[i].reshape([-1]), a.reshape([-1]), g]));
      let back: Awaited<ReturnType<typeof odeint>>;
      try {
        back = await odeint(augmented, z, [times[i], times[i - 1]], backward);
      } catch (e) {
        if (!(e instanceof SolverError)) throw e;
        throw adjointSolveError(e, times[i], times[i - 1]);
      } finally {
        z.dispose();
      }
      accepted += back.stats.nAccepted;
      rejected += back.stats.nRejected;
      const zEnd = back.ys as Tensor;
      tf.dispose([a, g]);
      [a, g] = tf.tidy(() => [zEnd.slice([1, n], [1, n]).reshape(shape), zEnd.slice([1, 2 * n], [1, p]).reshape([p])]);
      zEnd.dispose();
      addCotangent(i - 1);
    }
  } catch (e) {
    tf.dispose([...ys, a, g]);
    throw e;
  }
  const gradParams = tf.tidy(() => tf.split(g, sizes).map((q, i) => q.reshape(model.params[i].shape)));
  g.dispose();
  const stats = gradStats('adjoint', method, sol.stats, counts, { accepted, rejected }, 4 * (N * n + 2 * (2 * n + p)));
  return { ys, gradY0: a, gradParams, stats };
}
