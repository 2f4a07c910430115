/**
 * What an experiment file writes: the spec's types, apart from the checks that read them
 * (define.ts) and the table of their keys (specKeys.ts), which both import them from here.
 */
import type { IrregularSpiralsData } from '../data/irregularSpirals';
import type { PointData, TrajectoryData } from '../data/types';
import type { LayersModel } from '@tensorflow/tfjs';
import type { NativeField, TensorField } from '../fields/field';
import type { GradientMethod } from '../gradients/types';
import type { OdeNet } from '../odenet/network';
import type { DiscreteNetwork } from '../resnet/network';
import type { SolverOptions } from '../solvers/stepper';
import type { HistogramSpec } from '../train/histograms';
import type { OptimizerSpec } from '../train/optimizers';
import type { ScheduleSpec } from '../train/schedules';
import type { SolverMethod } from './solverMethodNames';
import type { RegularizeSpec } from '../regularize/regularizedGrad';

/** How an experiment trains: torchdiffeq's ode_demo loop, in its names where it has them. */
export interface TrainSpec {
  iterations: number;
  optimizer: OptimizerSpec;
  schedule?: ScheduleSpec;
  /** Clip the gradient's global 2-norm to this (default: no clipping). */
  clipNorm?: number;
  /** Length of each sub-trajectory of a mini-batch (ode_demo's --batch_time, default 10; trajectories only). */
  batchTime?: number;
  /** Sub-trajectories per mini-batch (ode_demo's --batch_size, default 20), or points per batch of a classifier (default 128). */
  batchSize?: number;
  /**
   * Trajectories: mean |·| (ode_demo, the default) or mean (·)² between predicted and observed
   * states. Classifiers: 'mse' (the default, ANODE's: ±1 targets for two classes, one-hot for
   * more, through a linear readout of y(1)) or 'crossEntropy' (softmax over one logit per class).
   */
  loss?: 'l1' | 'mse' | 'crossEntropy';
  /** Seeds the mini-batch sampling (default 0). */
  seed?: number;
  /** Evaluate on the whole data (trajectory loss; a classifier's loss and accuracy) every this many iterations (default 20; 0: only at the end). */
  evalEvery?: number;
  /** Write a checkpoint every this many iterations (default 20; the last iteration always). */
  checkpointEvery?: number;
  /**
   * Record histograms of the weights and gradients of each parameter group to the run's
   * histograms.jsonl (the Training curves panel shows them): true samples every 50 iterations
   * into 30 bins; { every, bins } (bins 5 to 200) chooses. Default off.
   */
  histograms?: boolean | HistogramSpec;
  /**
   * RNODE's regularisers, computed alongside the solve and added to the loss: `kinetic` λ of the
   * kinetic energy ∫‖f‖² dt, `jacobian` λ of the Jacobian's Frobenius norm ∫‖∂f/∂y‖²_F dt
   * (Hutchinson's estimate), each per sample. Both are logged every iteration. Default off.
   */
  regularize?: RegularizeSpec;
}

export interface SolverSpec {
  /** Default 'dopri5'. */
  method?: SolverMethod;
  rtol?: number;
  atol?: number;
  options?: SolverOptions;
}

export interface GradientSpec {
  method: GradientMethod;
  adjointOptions?: SolverSpec & { seminorm?: boolean };
  checkpoints?: number;
}

/** What an experiment learns from: a trajectory to fit, or labelled points to classify. */
export type ExperimentData = TrajectoryData | PointData;

/** Irregularly sampled series, which a latent ODE (latentOde()) learns from. */
export type SeriesData = IrregularSpiralsData;

/** What an experiment trains: an ODE model's vector field, or a discrete network read as a scheme. */
export type ExperimentModel = NativeField | DiscreteNetwork | OdeNet;

/**
 * A vector field the user writes in TensorFlow.js: tensorField((t, y) => …, variables), or a
 * tf.LayersModel from [batch, dim] (or [batch, dim + 1], t last) to [batch, dim]. Experiments
 * run it as a native field (tensorNativeField), so it trains and shows like the built-in ones.
 */
export type UserTensorModel = TensorField | LayersModel;

/** What an experiment file default-exports through `defineExperiment`. */
export interface ExperimentSpec {
  name: string;
  /**
   * The trajectory to fit, or labelled points to classify (PointData: circles(), moons(), …),
   * or a function making either (called once per run). Points flow through the model from
   * t = 0 to t = 1 and a trained linear readout of y(1) classifies them.
   */
  data: ExperimentData | SeriesData | (() => ExperimentData | SeriesData | Promise<ExperimentData | SeriesData>);
  /**
   * The model: a vector field with a VJP (an ODE model), or a discrete network (ResNet,
   * LM-ResNet, RK-Net, which classify labelled points), or a function making a fresh one.
   */
  model: ExperimentModel | UserTensorModel | (() => ExperimentModel | UserTensorModel | Promise<ExperimentModel | UserTensorModel>);
  solver?: SolverSpec;
  gradient?: GradientMethod | GradientSpec;
  train: TrainSpec;
}
