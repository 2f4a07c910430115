// The Neural ODE paper's image classifier in miniature: Fashion-MNIST (Debian's
// dataset-fashion-mnist) pooled to 14 × 14, a 3 × 3 convolution to 8 channels pooled to 7 × 7,
// one ODE block f(t, h) of two convolutions that read t as a channel, with group norms, solved
// by dopri5 and trained with the adjoint; then group norm, ReLU, average pooling over 2 × 2
// regions and a linear layer. 800 iterations take about four minutes on two shared cores and
// reach about 78 % accuracy. For an RK-Net set gradient: 'backprop'; for the ResNet of the same
// block, model: odeNet({ architecture: 'resnet', channels: 8, depth: 6 }) without solver and
// gradient. bench/odeNet.ts compares the three (docs/odenet.md).
import { defineExperiment, fashionMnistPoints, odeNet } from 'neural-ode-studio';

export default defineExperiment({
  name: 'odeNet',
  data: () => fashionMnistPoints({ split: 'train', limit: 2000, pool: 1 }),
  model: () => odeNet({ channels: 8, seed: 1 }),
  solver: { method: 'dopri5', rtol: 1e-3, atol: 1e-3 },
  gradient: 'adjoint',
  train: {
    iterations: 800,
    optimizer: { name: 'adam', lr: 1e-2 },
    schedule: { kind: 'cosine', tMax: 800 },
    batchSize: 32,
    evalEvery: 200,
  },
});
