// A damped harmonic oscillator, x'' + 2ζω x' + ω² x = 0 with ω = 1, ζ = 0.1, learned from one
// trajectory of y = [x, v] spiralling into the origin. The true field is linear, so a small
// tanh MLP fits it quickly. Train it from the command palette (Neural ODE: Train Experiment),
// the CodeLens above defineExperiment, or a terminal:
//   node dist/cli.js train examples/dampedOscillator.ode.ts
import { dampedOscillator, defineExperiment, mlpField } from 'neural-ode-studio';

export default defineExperiment({
  name: 'dampedOscillator',
  // 200 samples of y = [x, v] from y0 = [1, 0] on t ∈ [0, 20].
  data: () => dampedOscillator(),
  model: () => mlpField({ sizes: [2, 32, 2], activation: 'tanh', seed: 0 }),
  solver: { method: 'dopri5', rtol: 1e-6, atol: 1e-8 },
  gradient: 'backprop',
  train: {
    iterations: 1000,
    optimizer: { name: 'adam', lr: 5e-3 },
    schedule: { kind: 'cosine', tMax: 1000, etaMin: 1e-4 },
    batchTime: 20,
    batchSize: 20,
    loss: 'l1',
    evalEvery: 50,
  },
});
