// Discrete networks as numerical schemes (ResNet, LM-ResNet, RK-Net) and their training.
export { DiscreteNetwork, discreteNetwork, isDiscreteNetwork, type ForwardOptions, type NetworkTape } from './network';
export { ARCHITECTURES, rkNetMethods, type Architecture, type ConvOptions, type DiscreteNetworkOptions, type StochasticDepthOptions } from './options';
export { BLOCK_ACTIVATIONS, type BlockActivation } from './blocks';
export {
  batchLossAndGrad,
  evaluateClassifier,
  trainClassifier,
  type BatchResult,
  type EpochReport,
  type TrainClassifierOptions,
  type TrainClassifierResult,
} from './classifier';
export { fashionMnistPoints, standardize, type FashionPointsOptions } from './fashionPoints';
