// Continuous normalising flows (FFJORD-style) and the planar flow they are compared with.
export { cnfField, isCnfField, MAX_EXACT_DIM, type CnfField, type CnfFieldOptions, type NoiseKind, type TraceEstimator } from './cnfField';
export { CNF_ACTIVATIONS, type CnfActivation } from './concatMlp';
export {
  cnfInitialState, cnfLogDensity, cnfNll, cnfSample, cnfSamplePath, standardNormalLogPdf, DEFAULT_CNF_SOLVER,
  type CnfDensity, type CnfDensityOptions, type CnfNll, type CnfSolveOptions,
} from './density';
export { planarFlow, PlanarFlow, type PlanarFlowOptions, type PlanarNll } from './planarFlow';
export { CnfError } from './errors';
