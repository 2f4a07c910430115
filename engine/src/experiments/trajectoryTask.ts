/**
 * Fitting one observed trajectory, as torchdiffeq's ode_demo does: each step solves a
 * mini-batch of sub-trajectories (getBatch) and compares them with the data at every time.
 */
import { getBatch } from '../data/batch';
import type { TrajectoryData } from '../data/types';
import type { NativeField } from '../fields/field';
import { regularizedGrad } from '../regularize/regularizedGrad';
import { solveField } from '../device/solveField';
import type { Experiment, GradientSpec } from './define';
import { trajectoryLoss } from './loss';
import type { TrainTask } from './task';

export function trajectoryTask(exp: Experiment, data: TrajectoryData, field: NativeField, grad: GradientSpec): TrainTask {
  const t = exp.train;
  const lossKind = t.loss === 'mse' ? 'mse' : 'l1';
  return {
    kind: 'trajectory',
    extra: new Float64Array(0),
    probe: { field, y0: Float64Array.from(data.y0), t: data.t },
    summary: { name: data.name, dim: data.dim, points: data.t.length, t0: data.t[0], t1: data.t[data.t.length - 1] },
    async step(rng, signal) {
      const batch = getBatch(data, { batchTime: t.batchTime, batchSize: t.batchSize, rng });
      let loss = NaN;
      const res = await regularizedGrad(
        field,
        batch.y0,
        batch.t,
        (ys) => {
          const l = trajectoryLoss(lossKind, ys, batch.ys);
          loss = l.value;
          return Number.isFinite(loss) ? l.grads : ys.map(() => null);
        },
        { ...exp.solver, gradient: grad.method, adjointOptions: grad.adjointOptions, checkpoints: grad.checkpoints, signal },
        t.regularize,
        batch.y0.length / (field.dim ?? data.dim),
        rng,
      );
      return { loss, gradParams: res.gradParams, gradExtra: new Float64Array(0), stats: res.stats, ...(res.terms ? { regularizers: res.terms } : {}) };
    },
    /** Loss of the model's solve from the data's first state over the whole trajectory. */
    async evaluate(signal) {
      const sol = await solveField(field, Float64Array.from(data.y0), data.t, { ...exp.solver, signal });
      return { loss: trajectoryLoss(lossKind, sol.ys, data.ys).value };
    },
  };
}
