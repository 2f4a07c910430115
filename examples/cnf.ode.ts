// A continuous normalising flow (FFJORD in miniature): the density of 8 Gaussians, learned by
// flowing each point to a standard normal over t ∈ [0, 0.5] while integrating −tr(∂f/∂z) for
// its change of log-density (exact trace in 2-D). The loss is the negative log-likelihood in
// nats; the data's own entropy, 2.82, is the lowest any model can reach. docs/cnf.md compares it
// with a planar flow of the same size (bench/cnf.ts).
import { cnfField, defineExperiment, eightGaussians } from 'neural-ode-studio';

export default defineExperiment({
  name: 'cnf',
  data: () => eightGaussians({ n: 2000, seed: 0 }),
  model: () => cnfField({ dim: 2, hidden: [32, 32], time: 0.5, seed: 1 }),
  solver: { method: 'dopri5', rtol: 1e-5, atol: 1e-5 },
  gradient: 'adjoint',
  train: {
    iterations: 200,
    optimizer: { name: 'adam', lr: 5e-3 },
    batchSize: 128,
    evalEvery: 50,
  },
});
