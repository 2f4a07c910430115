// Experiments: the files users write, and the loop that trains them.
export {
  defineExperiment, validateExperiment, isExperiment, ExperimentError,
  type Experiment, type ExperimentSpec, type ExperimentData, type TrainSpec, type SolverSpec, type GradientSpec,
} from './define';
export { trainExperiment, type TrainOptions, type TrainProgress, type TrainOutcome } from './trainer';
export { trajectoryLoss, type TrajectoryLoss } from './loss';
export { LinearReadout, encodeLabels, accuracyOf, type ClassifierLoss, type ClassEncoding } from './readout';
export { FLOW_TIME } from './pointTask';
export type { SourceLocation } from './callSite';
// Not here: loading experiment files (./load, ./loadModule) and training in a worker
// (./trainWorker). A loaded file gets the engine's index as 'neural-ode-studio', so the index
// must not import them.
