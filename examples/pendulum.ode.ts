// A damped pendulum, θ'' = −sin θ − c θ', learned as known physics plus a network: the
// experiment knows that dθ/dt = ω and that gravity pulls with −sin θ, and a small TensorFlow.js
// network learns the friction it is not told about. After training, the network's friction is
// close to −c·ω with c = 0.2, the data's damping: a least-squares fit of −c·ω to it over the
// trajectory's states gives c within a few per cent (the unit test checks 10 %).
// Train it from the command palette (Neural ODE: Train Experiment), the CodeLens, or a terminal:
//   node dist/cli.js train examples/pendulum.ode.ts
import { dampedPendulum, defineExperiment, tensorField, tf } from 'neural-ode-studio';

export default defineExperiment({
  name: 'pendulum',
  // 200 samples of y = [θ, ω] from a wide swing, θ0 = 2.5 rad, on t ∈ [0, 20].
  data: () => dampedPendulum({ damping: 0.2 }),
  model: () => {
    // The unknown friction: a 2-16-1 tanh network of (θ, ω), started near zero.
    const w1 = tf.variable(tf.randomNormal([2, 16], 0, 0.5, 'float32', 1));
    const b1 = tf.variable(tf.zeros([16]));
    const w2 = tf.variable(tf.randomNormal([16, 1], 0, 0.01, 'float32', 2));
    return tensorField(
      (_t, y) => {
        const theta = tf.slice(y, [0, 0], [-1, 1]);
        const omega = tf.slice(y, [0, 1], [-1, 1]);
        const friction = tf.matMul(tf.tanh(tf.add(tf.matMul(y, w1), b1)), w2);
        return tf.concat([omega, tf.sub(friction, tf.sin(theta))], 1);
      },
      { w1, b1, w2 },
    );
  },
  solver: { method: 'dopri5', rtol: 1e-6, atol: 1e-8 },
  gradient: 'backprop',
  train: {
    iterations: 300,
    optimizer: { name: 'adam', lr: 1e-2 },
    batchTime: 20,
    batchSize: 16,
    loss: 'mse',
    evalEvery: 50,
  },
});
