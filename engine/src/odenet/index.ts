// The seed paper's ODE-Net image classifier beside a ResNet and an RK-Net of the same block.
export { OdeNet, isOdeNet, odeNet, type EmbedRecord, type HeadRecord, type ResidualTape } from './network';
export { checkOdeNetOptions, type OdeNetArchitecture, type OdeNetOptions } from './options';
export { BlockField } from './blockField';
export { ConvGnBlock, type ConvBlockShape } from './convBlock';
export { Conv3x3 as ConvTime, type Conv3x3Shape as ConvTimeShape } from '../layers/conv3x3';
export { groupNormBackward, groupNormForward, type GroupNormShape } from './groupNorm';
export {
  DEFAULT_ODENET_SOLVER,
  evaluateOdeNet,
  odeNetFeatures,
  odeNetLossAndGrad,
  type OdeNetBatch,
  type OdeNetGradient,
  type OdeNetSolver,
  type OdeNetStepOptions,
} from './classify';
