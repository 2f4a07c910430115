/**
 * What an experiment trains the model to do, as the trainer sees it: draw a mini-batch and give
 * the loss with its gradient, evaluate on the whole data set, and summarise the data for
 * config.json. Fitting a trajectory and classifying points are the two tasks; the trainer's
 * loop (optimiser, metrics, checkpoints, resume, cancellation) is the same for both.
 */
import type { Rng } from '../data/rng';
import type { GradStats } from '../gradients/types';
import type { SlowdownProbe } from './slowdownDoctor';
import type { RegularizerTerms } from '../regularize/regularizedGrad';

export interface TaskStep {
  loss: number;
  /** Share of the batch classified right (classification only). */
  accuracy?: number;
  /** dL/dθ of the field. */
  gradParams: Float64Array;
  /** dL/d of the task's own parameters (the readout), laid out as `extra`. */
  gradExtra: Float64Array;
  stats: GradStats;
  /** train.regularize's terms at the end of the solve, unweighted (the loss above is the data's alone). */
  regularizers?: RegularizerTerms;
}

export interface TaskEvaluation {
  loss: number;
  accuracy?: number;
}

/** What the evaluation loss of each task is, in words (progress lines and notifications). */
export const EVAL_LOSS_NAME: Record<TrainTask['kind'], string> = {
  trajectory: 'trajectory loss',
  classification: 'loss on every point',
  density: 'negative log-likelihood of every point',
  latent: 'interpolation RMSE of every series',
};

export interface TrainTask {
  kind: 'trajectory' | 'classification' | 'density' | 'latent';
  /** Trainable parameters beside the field's (a classifier's readout); empty for trajectories. */
  readonly extra: Float64Array;
  /** The data as config.json records them. */
  summary: Record<string, unknown>;
  step(rng: Rng, signal?: AbortSignal): Promise<TaskStep>;
  /** The solve the slowdown doctor examines (the evaluation's field and first state), where the task has one. */
  readonly probe?: SlowdownProbe;
  evaluate(signal?: AbortSignal): Promise<TaskEvaluation>;
}
