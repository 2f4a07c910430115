// A latent ODE (Chen et al. 2018, §5) on irregularly sampled noisy spirals: an RNN reads each
// spiral's 30 observations backwards in time (with the gaps between them) and gives q(z0); z0
// flows under a small latent field and a decoder maps z(t) back to the plane. Observations
// lie in the first half of each window; the second half is left for extrapolation, which the
// Trajectories panel draws dashed. The loss is the negative ELBO; the evaluation, the
// interpolation RMSE against the noise-free spirals. docs/latent.md has the paper's table.
// With 30 observations and about 30 s of training the Elman encoder does as well as the GRU
// (the default, which pays off with 100 observations), and each iteration takes about 60 % of
// the GRU's time.
import { defineExperiment, irregularSpirals, latentOde } from 'neural-ode-studio';

export default defineExperiment({
  name: 'latentOde',
  data: () => irregularSpirals({ nSpirals: 100, nSample: 30, horizon: 200, observedFraction: 0.5, noiseStd: 0.3, seed: 0 }),
  model: () => latentOde({ latentDim: 4, encoderHidden: 25, encoderCell: 'tanh', fieldHidden: 20, decoderHidden: 20, obsStd: 0.3, seed: 0 }),
  solver: { method: 'dopri5', rtol: 1e-3, atol: 1e-4 },
  gradient: 'backprop',
  train: {
    iterations: 600,
    optimizer: { name: 'adam', lr: 0.01 },
    batchSize: 50,
    evalEvery: 50,
  },
});
