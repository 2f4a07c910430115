/**
 * Where each parameter of a model lives in its one Float64Array: named entries (PyTorch
 * state_dict keys and shapes), appended in order. Every family lays out its weights with this
 * builder, so export to safetensors, checkpoint names and the initialisers read one format.
 */
import { Conv3x3, convInputs, type Conv3x3Shape } from './conv3x3';
import type { DenseLayer } from './dense';

export interface ParamEntry {
  /** The state_dict key, e.g. `0.weight`, `2.bias`. */
  readonly name: string;
  readonly shape: readonly number[];
  /** Index of the first value in `params`. */
  readonly offset: number;
  /** Number of values (product of shape). */
  readonly size: number;
}

export class ParamLayout {
  readonly entries: ParamEntry[] = [];
  /** Values laid out so far: the length of the parameter vector. */
  size = 0;

  /** Appends `name` of this shape; returns its offset. */
  add(name: string, shape: readonly number[]): number {
    const size = shape.reduce((a, b) => a * b, 1);
    const offset = this.size;
    this.entries.push({ name, shape: [...shape], offset, size });
    this.size += size;
    return offset;
  }

  /** nn.Linear(nIn, nOut): `${prefix}.weight` [nOut, nIn] then `${prefix}.bias` [nOut]. */
  dense(prefix: string, nIn: number, nOut: number): DenseLayer {
    const w = this.add(`${prefix}.weight`, [nOut, nIn]);
    return { nIn, nOut, w, b: this.add(`${prefix}.bias`, [nOut]) };
  }

  /** nn.Conv2d(cin (+1 for t), cout, 3): `${prefix}.weight` [cout, cin(+1), 3, 3] then `${prefix}.bias` [cout]. */
  conv3x3(prefix: string, s: Conv3x3Shape): Conv3x3 {
    const w = this.add(`${prefix}.weight`, [s.cout, convInputs(s) / 9, 3, 3]);
    return new Conv3x3(s, w, this.add(`${prefix}.bias`, [s.cout]));
  }
}
