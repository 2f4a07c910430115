/**
 * Where each weight and bias of an MLP lives in its one parameter vector: the order of PyTorch's
 * `nn.Sequential(Linear, act, Linear, act, …, Linear).state_dict()`. Layer i (Sequential index
 * 2i) holds `weight` [out, in] row-major, then `bias` [out]; a time-dependent field's first
 * layer has one more input column (t, last). Export to safetensors is a reshape of these views.
 */
import type { DenseLayer } from '../layers/dense';
import { ParamLayout, type ParamEntry } from '../layers/paramLayout';

export type { DenseLayer } from '../layers/dense';
export type { ParamEntry } from '../layers/paramLayout';

export interface MlpLayout {
  readonly entries: readonly ParamEntry[];
  readonly layers: readonly DenseLayer[];
  readonly size: number;
}

export function checkSizes(sizes: readonly number[], where: string): void {
  if (!Array.isArray(sizes) || sizes.length < 3) {
    throw new Error(
      `${where}: sizes must list the state dimension, at least one hidden width and the state dimension again, ` +
        `e.g. [2, 50, 2]; got ${JSON.stringify(sizes)}.`,
    );
  }
  if (!sizes.every((n) => Number.isInteger(n) && n > 0)) {
    throw new Error(`${where}: every entry of sizes must be a positive integer; got ${JSON.stringify(sizes)}.`);
  }
  if (sizes[0] !== sizes[sizes.length - 1]) {
    throw new Error(
      `${where}: a vector field maps the state to its derivative, so sizes must start and end with the same ` +
        `dimension; got ${JSON.stringify(sizes)}. Try [${sizes[0]}, ${sizes.slice(1, -1).join(', ')}, ${sizes[0]}].`,
    );
  }
}

export function mlpLayout(sizes: readonly number[], timeDependent: boolean): MlpLayout {
  const p = new ParamLayout();
  const layers: DenseLayer[] = [];
  for (let i = 0; i + 1 < sizes.length; i++) {
    layers.push(p.dense(`${2 * i}`, sizes[i] + (i === 0 && timeDependent ? 1 : 0), sizes[i + 1]));
  }
  return { entries: p.entries, layers, size: p.size };
}
