/**
 * What every classifier checks of its labelled data and its batch settings, whatever the model
 * (an ODE block, a discrete network, an ODE-Net): each message says what is wrong with which
 * part of the experiment, at the defineExperiment call.
 */
import type { PointData } from '../data/types';
import { ExperimentError, type Experiment } from './define';
import { encodeLabels, type ClassEncoding } from './readout';

/** Mini-batch size when train.batchSize is unset (capped at the number of samples). */
export const DEFAULT_POINT_BATCH = 128;

export interface LabelledBatches {
  encoding: ClassEncoding;
  batchSize: number;
}

/**
 * `noun` names a sample in messages ('points', 'images'); `labelled` says which data sets
 * carry labels, for the message when they are missing.
 */
export function checkLabelledData(
  exp: Pick<Experiment, 'train' | 'location'>,
  data: PointData,
  { noun, labelled }: { noun: string; labelled: string },
): LabelledBatches {
  const fail = (what: string): never => {
    throw new ExperimentError(what, exp.location);
  };
  const name = `the data '${data.name}'`;
  if (!Number.isInteger(data.dim) || data.dim < 1) fail(`${name} have dim ${data.dim}: labelled ${noun} need a whole number of components ≥ 1.`);
  if (!Number.isInteger(data.n) || data.n < 2) fail(`${name} have ${data.n} ${noun}: a classifier needs at least 2.`);
  if (!(data.x instanceof Float64Array) || data.x.length !== data.n * data.dim) {
    fail(`${name} say n = ${data.n} ${noun} of dim ${data.dim}, so x needs ${data.n * data.dim} values (n × dim, row-major), but it has ${data.x?.length}.`);
  }
  if (!data.labels) fail(`${name} have no labels: a classification experiment needs one label per sample. Use ${labelled}, or set data.labels.`);
  const labels = data.labels as Float64Array;
  if (labels.length !== data.n) fail(`${name} have ${data.n} ${noun} but ${labels.length} labels: give exactly one label per sample.`);
  const bad = labels.findIndex((l) => !Number.isFinite(l));
  if (bad >= 0) fail(`${name}: label ${bad} is ${labels[bad]}; labels must be finite numbers (class indices, or ±1).`);
  const encoding = encodeLabels(labels);
  if (encoding.classes.length < 2) fail(`${name} have a single class (${encoding.classes[0]}): a classifier needs at least two.`);
  if (encoding.classes.length > 64) fail(`${name} have ${encoding.classes.length} distinct labels: labels should be classes (at most 64), not continuous values.`);
  const t = exp.train;
  if (t.batchTime !== undefined) fail(`train.batchTime sets the length of sub-trajectories; ${noun} have none. Remove it (train.batchSize sets the ${noun} per batch).`);
  const batchSize = t.batchSize ?? Math.min(DEFAULT_POINT_BATCH, data.n);
  if (batchSize > data.n) fail(`train.batchSize is ${batchSize} but ${name} have only ${data.n} ${noun}: lower batchSize.`);
  return { encoding, batchSize };
}

/** What config.json records of a classifier's data, whatever the model. */
export function labelledSummary(data: PointData, encoding: ClassEncoding): Record<string, unknown> {
  return { name: data.name, dim: data.dim, points: data.n, classes: encoding.classes, task: 'classification' };
}
