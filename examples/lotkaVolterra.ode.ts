// Lotka–Volterra predator–prey cycles, x' = αx − βxy, y' = δxy − γy (α 1.5, β 1, δ 1, γ 3):
// a closed orbit that the learned field must reproduce without damping it out or letting it
// grow. Train it from the command palette (Neural ODE: Train Experiment), the CodeLens above
// defineExperiment, or a terminal:
//   node dist/cli.js train examples/lotkaVolterra.ode.ts
import { defineExperiment, lotkaVolterra, mlpField } from 'neural-ode-studio';

export default defineExperiment({
  name: 'lotkaVolterra',
  // 200 samples of [prey, predators] from y0 = [1, 1] on t ∈ [0, 15] (about four cycles).
  data: () => lotkaVolterra(),
  model: () => mlpField({ sizes: [2, 64, 2], activation: 'tanh', seed: 0 }),
  solver: { method: 'dopri5', rtol: 1e-6, atol: 1e-8 },
  gradient: 'backprop',
  train: {
    iterations: 2000,
    optimizer: { name: 'adam', lr: 5e-3 },
    // Anneal the step so the long-horizon fit settles instead of jittering.
    schedule: { kind: 'cosine', tMax: 2000, etaMin: 1e-4 },
    batchTime: 20,
    batchSize: 20,
    loss: 'l1',
    evalEvery: 100,
  },
});
