// A vector field written as a TensorFlow.js model: a tf.sequential of dense layers whose input
// is [y, t] (three columns for the two components of y, t last), fitted to a damped oscillator.
// Any tf.LayersModel from [batch, dim] (or [batch, dim + 1] with t) to [batch, dim] works the
// same way; Export Weights names its layers as PyTorch's nn.Sequential does (0.weight, 0.bias, …).
// Train it from the command palette (Neural ODE: Train Experiment), the CodeLens, or a terminal:
//   node dist/cli.js train examples/sequential.ode.ts
import { dampedOscillator, defineExperiment, tf } from 'neural-ode-studio';

export default defineExperiment({
  name: 'sequential',
  // 200 samples of y = [x, v] from y0 = [1, 0] on t ∈ [0, 20].
  data: () => dampedOscillator(),
  model: () =>
    tf.sequential({
      layers: [
        tf.layers.dense({ units: 32, inputShape: [3], activation: 'tanh', kernelInitializer: tf.initializers.glorotNormal({ seed: 1 }) }),
        tf.layers.dense({ units: 2, kernelInitializer: tf.initializers.glorotNormal({ seed: 2 }) }),
      ],
    }),
  solver: { method: 'dopri5', rtol: 1e-6, atol: 1e-8 },
  gradient: 'backprop',
  train: {
    iterations: 300,
    optimizer: { name: 'adam', lr: 1e-2 },
    batchTime: 40,
    batchSize: 20,
    loss: 'l1',
    evalEvery: 50,
  },
});
