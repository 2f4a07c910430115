// An LM-ResNet: u_{n+1} = (1 − k_n) u_n + k_n u_{n−1} + f_n(u_n), a linear multistep scheme
// with a trainable k_n per layer, classifying Fashion-MNIST (Debian's dataset-fashion-mnist;
// 3000 images pooled to 14 × 14). `neural-ode modeq --scheme lm` gives the ODE it discretises;
// bench/lmResnet.ts compares it with a ResNet over several seeds (docs/lmresnet.md).
import { defineExperiment, discreteNetwork, fashionMnistPoints, standardize } from 'neural-ode-studio';

export default defineExperiment({
  name: 'lmResnet',
  data: () => standardize(fashionMnistPoints({ split: 'train', limit: 3000, pool: 2 }))[0],
  model: () => discreteNetwork({ architecture: 'lm', inputDim: 14 * 14, width: 32, hidden: 32, depth: 8, seed: 1 }),
  train: {
    iterations: 500,
    optimizer: { name: 'adam', lr: 2e-3 },
    batchSize: 64,
    evalEvery: 100,
  },
});
