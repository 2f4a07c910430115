// The public API of the engine, name by name: what experiment files and scripts import as
// 'neural-ode-studio', and all that its typings show them. Internals stay in their own modules.

// Solving.
export { odeint, type NativeSolution, type TensorSolution } from './odeint';
export { OdeSolve, type OdeintOptions, type SolveStats } from './solvers/solve';
export { methods, methodInfo, registerMethod, type MethodInfo } from './solvers/registry';
export { SolverError, type SolverErrorKind } from './solvers/errors';
export { PIController, type ControllerOptions } from './solvers/controller';
export { validateTableau, type ButcherTableau } from './solvers/tableau';
export type { SolverOptions, SolverStats, StepHooks, StepReport, StageReport, Stepper } from './solvers/stepper';
export type { StateAlgebra, Tolerance, VectorField } from './state/algebra';
export { nativeAlgebra, type NativeState } from './state/native';
export { odeintEvent, solveToEvent, type EventFn, type OdeintEventOptions, type EventSolution } from './events';
export { tf, engineInfo, selectBackend, ensureBackend, type EngineInfo, type BackendReport, type BackendPreference } from './backend/index';
export { mlpForward, type MlpForward, type MlpWeightsLike, type MlpForwardOptions } from './kernels/mlpKernel';
export { encodeSafetensors, decodeSafetensors, type NamedTensor, type SafetensorsFile } from './io/safetensors';

// Models: vector fields that carry their parameters and know their vector–Jacobian products.
export {
  mlpField, augmentedField, augmentedMlpField, tensorField, layersModelField, tensorMlpField, mapInput, ACTIVATION_NAMES,
  type Field, type NativeField, type TensorField, type ActivationName, type MlpField, type MlpFieldOptions, type ParamEntry,
  type AugmentedField, type AugmentedMlpField, type TensorFieldOptions, type TensorMlpField,
} from './fields/index';
export { exportWeights, importWeights, type NamedParams } from './io/weights';
export {
  discreteNetwork, DiscreteNetwork, ARCHITECTURES, rkNetMethods, BLOCK_ACTIVATIONS, trainClassifier, evaluateClassifier,
  fashionMnistPoints, standardize,
  type DiscreteNetworkOptions, type Architecture, type ConvOptions, type StochasticDepthOptions, type BlockActivation,
  type ForwardOptions, type NetworkTape, type TrainClassifierOptions, type TrainClassifierResult, type EpochReport,
  type FashionPointsOptions,
} from './resnet/index';
export { DEFAULT_ODENET_SOLVER, evaluateOdeNet, odeNet, odeNetLossAndGrad, OdeNet, type OdeNetArchitecture, type OdeNetOptions } from './odenet/index';
export {
  cnfField, MAX_EXACT_DIM, CNF_ACTIVATIONS, cnfInitialState, cnfLogDensity, cnfNll, cnfSample, cnfSamplePath, DEFAULT_CNF_SOLVER,
  planarFlow, PlanarFlow, CnfError,
  type CnfField, type CnfFieldOptions, type NoiseKind, type TraceEstimator, type CnfActivation, type CnfDensity,
  type CnfDensityOptions, type CnfNll, type CnfSolveOptions, type PlanarFlowOptions, type PlanarNll,
} from './cnf/index';
export {
  latentOde, fitObservationScale, latentElbo, latentPredict, rmse, rnnBaseline, rnnLoss, rnnPredict, fitRnnScale,
  spiralSeries, sortObservations, SeriesError,
  type LatentOdeModel, type LatentOdeOptions, type LatentOdeLayout, type ElboResult, type SeriesPrediction, type Rmse,
  type RnnBaseline, type RnnBaselineOptions, type LatentSeries,
} from './latent/index';

// Data: seeded datasets, and loaders for CSV, .npy and IDX files.
export {
  Rng, DataError, linspace, sampleTrajectory, TRUE_SOLVE, getBatch,
  spiral, spiralField, SPIRAL_A, SPIRAL_Y0,
  dampedOscillator, dampedOscillatorField, dampedPendulum, dampedPendulumField, lotkaVolterra, lotkaVolterraField,
  eightGaussians, moons, checkerboard, nestedSpheres, circles, irregularSpirals,
  parseCsvTimeSeries, loadCsvTimeSeries, parseNpy, loadNpy, npyTimeSeries,
  parseIdx, loadIdx, loadIdxImages, loadIdxLabels, fashionMnist, FASHION_MNIST_DIR, FASHION_MNIST_CLASSES,
  type RngState, type DataErrorKind, type TrajectoryData, type PointData, type TrajectoryOptions, type SpiralOptions,
  type BatchOptions, type TrajectoryBatch, type DampedOscillatorOptions, type DampedPendulumOptions, type LotkaVolterraOptions,
  type ToyOptions, type MoonsOptions, type NestedSpheresOptions, type IrregularSpiralsOptions, type IrregularSpiral,
  type IrregularSpiralsData, type CsvOptions, type CsvTimeSeries, type NpyArray, type IdxArray, type IdxDtype, type IdxData,
  type IdxOptions, type IdxImages, type FashionMnistOptions, type ImageDataset,
} from './data/index';

// Gradients of solves: backprop, the continuous adjoint, checkpointing.
export {
  odeintGrad, discreteAdjointMethods, GRADIENT_METHODS,
  type NativeCotangent, type AdjointOptions, type GradientMethod, type GradStats, type NativeGradResult,
  type OdeintGradOptions, type TensorGradResult,
} from './gradients/index';

// Experiments, their training loop, and the run store it writes.
export {
  defineExperiment, ExperimentError, trainExperiment, trajectoryLoss, LinearReadout, FLOW_TIME,
  type Experiment, type ExperimentSpec, type ExperimentData, type TrainSpec, type SolverSpec, type GradientSpec,
  type TrainOptions, type TrainProgress, type TrainOutcome, type TrajectoryLoss, type ClassifierLoss, type SourceLocation,
} from './experiments/index';
export {
  Run, createRun, openRun, appendMetrics, writeCheckpoint, loadLatestCheckpoint, loadBestCheckpoint, finishRun, readMetrics, listRuns, readRun,
  defaultRunsRoot, RunStoreError, parseRunRef, loadRunCheckpoint, type RunRef,
  Adam, Rmsprop, Sgd, createOptimizer, optimizerFromState, lrSchedule, clipGradNorm, clipGradValue,
  type RunStatus, type RunConfigFile, type RunResult, type CheckpointData, type LoadedCheckpoint, type RunSummary,
  type CreateRunOptions, type OpenRunOptions, type RunStoreErrorKind, type MetricsRecord, type MetricsRead, type StepSizeStats,
  type Optimizer, type OptimizerSpec, type OptimizerState, type AdamOptions, type RmspropOptions, type SgdOptions,
  type ScheduleSpec, type Warmup, type LrSchedule,
} from './train/index';

export * as analysis from './analysis/index';
