// Augmented neural ODE (ANODE) on concentric circles: each point gets one extra component that
// starts at 0, so the flow runs in 3-D where the inner disc can rise past the ring and a linear
// readout of y(1) separates them. Same data, solver and training as circles.ode.ts: compare
// the two runs' loss, accuracy and NFE. Train it from the command palette (Neural ODE: Train
// Experiment), the CodeLens above defineExperiment, or a terminal:
//   node dist/cli.js train examples/circlesAugmented.ode.ts
import { augmentedMlpField, circles, defineExperiment } from 'neural-ode-studio';

export default defineExperiment({
  name: 'circlesAugmented',
  // 512 points, half in the disc (label −1), half on the ring (+1), in random order.
  data: () => circles({ n: 3000, innerFraction: 1 / 3, seed: 0 }),
  // An MLP 3-32-3 on [x₁, x₂, a], a = 0 at t = 0.
  model: () => augmentedMlpField({ sizes: [2, 32, 2], extraDims: 1, activation: 'relu', seed: 0 }),
  solver: { method: 'dopri5', rtol: 1e-3, atol: 1e-4 },
  gradient: 'backprop',
  train: {
    iterations: 1000,
    optimizer: { name: 'adam', lr: 1e-3 },
    batchSize: 64,
    loss: 'mse',
    evalEvery: 50,
  },
});
