/**
 * Density estimation with a continuous normalising flow (FFJORD's toys): each step draws a
 * mini-batch of points, flows [x, 0] from t = 0 to T under the augmented dynamics, and the
 * loss is the mean negative log-likelihood −log N(z(T)) + Δlogp(T); odeintGrad gives its
 * gradient from the one cotangent at T. With Hutchinson's estimator the step draws one ε per
 * point from the trainer's Rng (so a resumed run draws the same noise) and keeps it for the
 * forward and the backward solve. Evaluation is the NLL of every point with the exact trace.
 */
import type { Rng } from '../data/rng';
import type { PointData, TrajectoryData } from '../data/types';
import { isCnfField, MAX_EXACT_DIM, type CnfField } from '../cnf/cnfField';
import { cnfInitialState, cnfLogDensity, cnfNll, DEFAULT_CNF_SOLVER } from '../cnf/density';
import { regularizedGrad } from '../regularize/regularizedGrad';
import { ExperimentError, type Experiment, type GradientSpec } from './define';
import { DEFAULT_POINT_BATCH } from './labelledData';
import { isPointData } from './pointTask';
import type { TaskEvaluation, TaskStep, TrainTask } from './task';

export interface CnfTask extends TrainTask {
  kind: 'density';
  field: CnfField;
  /** Mean NLL (nats) of other points, e.g. held-out samples of the same generator. */
  evaluateOn(data: PointData, signal?: AbortSignal): Promise<TaskEvaluation>;
}

export type CnfExperiment = Pick<Experiment, 'train' | 'solver' | 'location'>;

/** Checks that the data are points of the flow's dimension and the settings fit a density task. */
export function checkCnfData(exp: CnfExperiment, data: TrajectoryData | PointData, field: CnfField): { data: PointData; batchSize: number } {
  const fail = (what: string): never => {
    throw new ExperimentError(what, exp.location);
  };
  if (!isCnfField(field)) fail('the model is not a CNF: build it with cnfField({ dim, hidden }).');
  if (!isPointData(data)) {
    fail(`a CNF learns the density of points, but the data '${data.name}' are a trajectory: use point data such as eightGaussians(), moons() or checkerboard().`);
  }
  const p = data as PointData;
  const name = `the data '${p.name}'`;
  if (!Number.isInteger(p.n) || p.n < 2) fail(`${name} have ${p.n} points: a density needs at least 2.`);
  if (p.dim !== field.dataDim) {
    fail(`the CNF models ${field.dataDim}-dimensional points but ${name} have ${p.dim} components: build it with cnfField({ dim: ${p.dim}, … }).`);
  }
  if (!(p.x instanceof Float64Array) || p.x.length !== p.n * p.dim) {
    fail(`${name} say n = ${p.n} points of dim ${p.dim}, so x needs ${p.n * p.dim} values (n × dim, row-major), but it has ${p.x?.length}.`);
  }
  const bad = p.x.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) fail(`${name}: point ${Math.floor(bad / p.dim)} has ${p.x[bad]} in component ${bad % p.dim}; every coordinate must be finite.`);
  const t = exp.train;
  if (t.loss !== undefined) fail(`train.loss '${t.loss}' does not apply: a CNF trains on the negative log-likelihood. Remove train.loss.`);
  if (t.batchTime !== undefined) fail('train.batchTime sets the length of sub-trajectories; point data have none. Remove it (train.batchSize sets the points per batch).');
  const batchSize = t.batchSize ?? Math.min(DEFAULT_POINT_BATCH, p.n);
  if (batchSize > p.n) fail(`train.batchSize is ${batchSize} but ${name} have only ${p.n} points: lower batchSize.`);
  return { data: p, batchSize };
}

function gather(data: PointData, index: Int32Array): Float64Array {
  const d = data.dim;
  const x = new Float64Array(index.length * d);
  index.forEach((i, s) => x.set(data.x.subarray(i * d, (i + 1) * d), s * d));
  return x;
}

export function cnfTask(exp: CnfExperiment, data: TrajectoryData | PointData, field: CnfField, grad: GradientSpec): CnfTask {
  const checked = checkCnfData(exp, data, field);
  const points = checked.data;
  const { batchSize } = checked;
  const d = field.dataDim;
  const solver = { ...DEFAULT_CNF_SOLVER, ...exp.solver };
  const span = [0, field.time];
  const evalTrace = d <= MAX_EXACT_DIM ? 'exact' : 'hutchinson';
  const nllOf = async (x: Float64Array, signal?: AbortSignal): Promise<TaskEvaluation> => {
    const { logp } = await cnfLogDensity(field, x, { ...solver, trace: evalTrace, signal });
    let s = 0;
    for (const v of logp) s -= v;
    return { loss: s / logp.length };
  };
  return {
    kind: 'density',
    field,
    extra: new Float64Array(0),
    summary: {
      name: points.name,
      dim: d,
      points: points.n,
      task: 'density',
      model: {
        kind: 'cnf',
        hidden: field.hidden,
        activation: field.activation,
        trace: field.trace,
        ...(field.trace === 'hutchinson' ? { noise: field.noiseKind } : {}),
        evalTrace,
      },
      t0: 0,
      t1: field.time,
    },
    async step(rng: Rng, signal?: AbortSignal): Promise<TaskStep> {
      const index = rng.choice(points.n, batchSize);
      if (field.trace === 'hutchinson') field.drawNoise(batchSize, rng);
      let loss = NaN;
      const res = await regularizedGrad(
        field,
        cnfInitialState(gather(points, index), d),
        span,
        (ys) => {
          const nll = cnfNll(ys[1], d);
          loss = nll.loss;
          return [null, Number.isFinite(loss) ? nll.cotangent : null];
        },
        { ...solver, gradient: grad.method, adjointOptions: grad.adjointOptions, checkpoints: grad.checkpoints, signal },
        exp.train.regularize,
        batchSize,
        rng,
        // RNODE's terms are of dz/dt: the log-density channel is not counted
        { per: d + 1, count: d },
      );
      return { loss, gradParams: res.gradParams, gradExtra: new Float64Array(0), stats: res.stats, ...(res.terms ? { regularizers: res.terms } : {}) };
    },
    evaluate: (signal?: AbortSignal) => nllOf(points.x, signal),
    evaluateOn(other: PointData, signal?: AbortSignal) {
      if (!isPointData(other) || other.dim !== d || !(other.x instanceof Float64Array) || other.x.length !== other.n * d || other.n < 1) {
        throw new ExperimentError(`evaluateOn: '${other?.name}' must be points of dim ${d} (x with n × ${d} values).`, exp.location);
      }
      return nllOf(other.x, signal);
    },
  };
}
