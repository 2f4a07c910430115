/** Vector fields that carry their parameters and know their vector–Jacobian products. */
export type { Field, NativeField, TensorField } from './field';
export { ACTIVATION_NAMES, type ActivationName } from './activations';
export { mlpField, kaimingBound, type MlpField, type MlpFieldOptions } from './mlpField';
export type { ParamEntry } from './mlpLayout';
export { augment, augmentedField, augmentedMlpField, project, type AugmentedField, type AugmentedMlpField } from './augmentedField';
export { tensorField, type TensorFieldOptions } from './tensorField';
export { layersModelField } from './layersField';
export { tensorMlpField, type TensorMlpField } from './tensorMlpField';
export { mapInput } from './mapInput';
