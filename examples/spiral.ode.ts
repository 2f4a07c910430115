// torchdiffeq's ode_demo as an experiment: learn the spiral dy/dt = (y³)·A from its trajectory.
// Train it from the command palette (Neural ODE: Train Experiment) or a terminal:
//   node dist/cli.js train examples/spiral.ode.ts
import { defineExperiment, mapInput, mlpField, spiral } from 'neural-ode-studio';

/** ode_demo's initialisation: weights from N(0, 0.1²), biases 0. */
const normal01 = (rand: () => number): number => 0.1 * Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());

export default defineExperiment({
  name: 'spiral',
  // 1000 points of the true trajectory from y0 = [2, 0] on t ∈ [0, 25].
  data: () => spiral(),
  // ode_demo's ODEFunc: an MLP 2-50-2 (tanh) applied to y³.
  model: () =>
    mapInput(
      mlpField({
        sizes: [2, 50, 2],
        activation: 'tanh',
        init: (entry, rand) => (entry.name.endsWith('weight') ? normal01(rand) : 0),
      }),
      (x) => x ** 3,
      (x) => 3 * x * x,
    ),
  solver: { method: 'dopri5', rtol: 1e-7, atol: 1e-9 },
  gradient: 'backprop',
  train: {
    iterations: 300,
    optimizer: { name: 'rmsprop', lr: 1e-3 },
    batchTime: 10,
    batchSize: 20,
    loss: 'l1',
    evalEvery: 20,
  },
});
