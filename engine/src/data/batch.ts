import { DataError } from './errors';
import type { Rng } from './rng';
import type { TrajectoryData } from './types';

export interface BatchOptions {
  /** Length of each sub-trajectory (ode_demo's --batch_time, default 10). */
  batchTime?: number;
  /** Number of sub-trajectories (ode_demo's --batch_size, default 20). */
  batchSize?: number;
  rng: Rng;
}

export interface TrajectoryBatch {
  batchSize: number;
  dim: number;
  /** The batch's start states, batchSize × dim, row-major: the y0 of one batched solve. */
  y0: Float64Array;
  /** The first batchTime sample times (t[0..batchTime−1]), as ode_demo integrates each window. */
  t: Float64Array;
  /** ys[i]: the states at start + i, batchSize × dim each. ys[0] equals y0. */
  ys: Float64Array[];
  /** The start index of each window. */
  starts: Int32Array;
}

/**
 * ode_demo's get_batch: batchSize distinct start indices drawn without replacement from
 * [0, dataSize − batchTime), each window of batchTime consecutive samples, integrated over
 * t[0..batchTime−1] (the dynamics are autonomous, so every window starts at t[0]).
 */
export function getBatch(data: TrajectoryData, opts: BatchOptions): TrajectoryBatch {
  const batchTime = opts.batchTime ?? 10;
  const batchSize = opts.batchSize ?? 20;
  const n = data.ys.length;
  if (!Number.isInteger(batchTime) || batchTime < 2 || batchTime > n) {
    throw new DataError('input', `getBatch: batchTime must be an integer in [2, ${n}] (the data have ${n} samples), got ${batchTime}.`);
  }
  const candidates = n - batchTime;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > candidates) {
    throw new DataError(
      'input',
      `getBatch: batchSize ${batchSize} needs as many distinct windows, but ${n} samples with batchTime ${batchTime} give ${candidates}: lower batchSize or batchTime.`,
    );
  }
  const dim = data.dim;
  const starts = opts.rng.choice(candidates, batchSize);
  const ys: Float64Array[] = [];
  for (let i = 0; i < batchTime; i++) {
    const yi = new Float64Array(batchSize * dim);
    for (let b = 0; b < batchSize; b++) yi.set(data.ys[starts[b] + i], b * dim);
    ys.push(yi);
  }
  return { batchSize, dim, y0: Float64Array.from(ys[0]), t: data.t.slice(0, batchTime), ys, starts };
}
