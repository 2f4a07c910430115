// Gradients of solves: backprop (discrete adjoint), continuous adjoint, and checkpointing.
export { odeintGrad, type NativeCotangent } from './odeintGrad';
export { discreteAdjointMethods } from './rkMethods';
export {
  GRADIENT_METHODS,
  type AdjointOptions,
  type GradientMethod,
  type GradStats,
  type NativeGradResult,
  type OdeintGradOptions,
  type TensorGradResult,
} from './types';
