/**
 * The one TensorFlow.js instance of the engine. `@tensorflow/tfjs` (not tfjs-core alone)
 * because it registers the gradients. Experiment files get it through the public API, so the
 * process never holds a second copy whose tensors and backends this engine cannot see.
 */
import * as tf from '@tensorflow/tfjs';

export { tf };

/**
 * tfjs-backend-cpu prints an advertisement for tfjs-node on its first write in Node. The engine
 * reports which backends are available itself (engineInfo), so the banner is only noise on
 * stderr of the CLI and the worker.
 */
function silenceCpuGreeting(): void {
  const cpu = tf.findBackend('cpu') as unknown as { firstUse?: boolean } | null;
  if (cpu && 'firstUse' in cpu) cpu.firstUse = false;
}

silenceCpuGreeting();
