// Experiments: the files users write, and the loop that trains them.
export {
  defineExperiment, validateExperiment, isExperiment, ExperimentError,
  type Experiment, type ExperimentSpec, type ExperimentData, type TrainSpec, type SolverSpec, type GradientSpec,
} from './define';
export { loadExperiment } from './load';
export { trainExperiment, type TrainOptions, type TrainProgress, type TrainOutcome } from './trainer';
export { trajectoryLoss, type TrajectoryLoss } from './loss';
export { LinearReadout, encodeLabels, accuracyOf, type ClassifierLoss, type ClassEncoding } from './readout';
export { FLOW_TIME } from './pointTask';
export type { SourceLocation } from './callSite';
export { trainInWorker, serveTrainJob, type TrainJob, type WorkerTrainOptions } from './trainWorker';
