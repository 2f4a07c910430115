// The public API of the engine: what experiments, the command line and the extension import.
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
export * from './fields/index';
export * from './train/index';
export * from './data/index';
export * from './gradients/index';
export * from './experiments/index';
