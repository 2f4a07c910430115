/**
 * What the reverse sweeps need (DiffOps) for a tensor field on tensor states: f and its autodiff
 * VJP as TensorFlow.js operations, and dL/dθ as one tensor per variable, so a backprop or
 * checkpoint sweep runs on the device without reading a value.
 */
import type { Tensor } from '@tensorflow/tfjs';
import { tf } from '../backend/tf';
import type { TensorField } from '../fields/field';
import type { DiffOps } from '../gradients/diffOps';
import { tfjsAlgebra } from '../state/tfjs';

export function tensorDiffOps(field: TensorField, stateSize: number): DiffOps<Tensor, Tensor[]> {
  return {
    ops: tfjsAlgebra,
    f: (t, y) => tfjsAlgebra.evaluate((s, x) => field.f(s, x), t, y),
    vjp: (t, y, a) => tf.tidy(() => field.vjp(t, y, a)),
    zeroParams: () => field.params.map((v) => tf.zerosLike(v)),
    addParams: (acc, g) =>
      acc.map((x, i) => {
        const sum = tf.add(x, g[i]);
        x.dispose();
        g[i].dispose();
        return sum;
      }),
    disposeParams: (p) => tf.dispose(p),
    keep: (y) => y.clone(),
    stateBytes: 4 * stateSize,
  };
}
