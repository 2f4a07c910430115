import { SolverError } from '../solvers/errors';

/** What `export-torch` can hand to PyTorch, for the messages that refuse the rest. */
export const SUPPORTED_MODELS =
  'mlpField (any depth and activation, with or without t), mapInput(mlpField, …) with an elementwise map written as an arrow function, ' +
  'augmentedMlpField / augmentedField(mlpField), and a tf.sequential of Dense layers that the engine compiles to an mlpField';

/** A refusal: an input error whose message says why and what is supported. */
export const exportRefused = (message: string): SolverError => new SolverError('input', `export-torch: ${message}`);
