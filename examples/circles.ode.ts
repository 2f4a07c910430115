// ANODE's counter-example: concentric circles, g(x) = −1 inside r ≤ 0.5 and +1 on 1 ≤ r ≤ 1.5.
// A neural ODE flows each point from t = 0 to t = 1 and a linear readout of y(1) regresses g.
// Flows of an ODE cannot cross, so in the plane the inner disc can never be moved outside the
// ring: this plain model cannot separate the classes. Watch its loss plateau and its NFE grow,
// then compare circlesAugmented.ode.ts. Train it from the command palette (Neural ODE: Train
// Experiment), the CodeLens above defineExperiment, or a terminal:
//   node dist/cli.js train examples/circles.ode.ts
import { circles, defineExperiment, mlpField } from 'neural-ode-studio';

export default defineExperiment({
  name: 'circles',
  // 512 points, half in the disc (label −1), half on the ring (+1), in random order.
  data: () => circles({ n: 3000, innerFraction: 1 / 3, seed: 0 }),
  // The ODE block's field on the plane: an MLP 2-32-2.
  model: () => mlpField({ sizes: [2, 32, 2], activation: 'relu', seed: 0 }),
  solver: { method: 'dopri5', rtol: 1e-3, atol: 1e-4 },
  gradient: 'backprop',
  train: {
    iterations: 1000,
    optimizer: { name: 'adam', lr: 1e-3 },
    batchSize: 64,
    // ANODE's loss: mean squared error between the readout and g(x) = ±1.
    loss: 'mse',
    evalEvery: 50,
  },
});
