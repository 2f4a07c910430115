/**
 * One training iteration (dopri5 1e-5/1e-6 over t ∈ [0, 1], an MSE loss at t = 1, dL/dθ) of the
 * same 2-H-2 tanh MLP written five ways: mlpField in float64 and float32, the user's
 * tensorField, a tf.sequential on TensorFlow.js, and the same tf.sequential compiled to the native
 * kernels (what an experiment does with it), on the same weights, interleaved. The tfjs forms run
 * f and its VJP on the named backend (tensorNativeField). Prints median ms per iteration.
 *
 *   node --import tsx bench/userModels.ts [--batch 256] [--hidden 64] [--iterations 20] [--backend wasm]
 */
import { layersModelField, mlpField, odeintGrad, selectBackend, tensorMlpField, tf, type NativeField } from 'neural-ode-studio';
import { compileLayersModel } from '../engine/src/fields/compileLayers';
import { tensorNativeField } from '../engine/src/fields/tensorNative';
import { flag, text } from './flags';
import { median } from './table';

const batch = flag('batch', 256);
const hidden = flag('hidden', 64);
const iterations = flag('iterations', 20);

async function main(): Promise<void> {
  const backend = await selectBackend((text('backend') ?? 'wasm') as 'wasm');
  const sizes = [2, hidden, 2];
  const f64 = mlpField({ sizes, activation: 'tanh', seed: 1 });
  const f32 = mlpField({ sizes, activation: 'tanh', seed: 1, precision: 'float32' });
  const tensor = tensorNativeField(tensorMlpField({ sizes, activation: 'tanh', seed: 1 }), 2);
  const model = tf.sequential({ layers: [tf.layers.dense({ units: hidden, inputShape: [2], activation: 'tanh' }), tf.layers.dense({ units: 2 })] });
  const sequential = tensorNativeField(layersModelField(model), 2);
  const compiled = compileLayersModel(model).field!;
  // The same weights everywhere (rounded to float32 by the tensor forms).
  for (const m of [f64, f32, sequential, compiled]) m.params.set(tensor.params);

  const rand = (i: number) => Math.sin(12.9898 * (i + 1)) * 0.5;
  const y0 = Float64Array.from({ length: batch * 2 }, (_, i) => rand(i));
  const target = Float64Array.from({ length: batch * 2 }, (_, i) => rand(i + 7919));
  const forms: [string, NativeField][] = [
    ['mlpField float64', f64],
    ['mlpField float32', f32],
    ['tensorField', tensor],
    ['tf.sequential on tfjs', sequential],
    ['tf.sequential compiled', compiled],
  ];

  async function iteration(field: NativeField, gradient: 'backprop' | 'adjoint'): Promise<{ ms: number; nfe: number }> {
    const t0 = performance.now();
    const r = await odeintGrad(field, y0, [0, 1], (ys) => [null, ys[1].map((v, i) => (2 * (v - target[i])) / ys[1].length)], {
      method: 'dopri5',
      rtol: 1e-5,
      atol: 1e-6,
      gradient,
    });
    return { ms: performance.now() - t0, nfe: r.stats.nfeForward + r.stats.nfeBackward };
  }

  console.log(`# one training iteration, batch ${batch}, hidden ${hidden}, dopri5 1e-5/1e-6, T = 1; tfjs backend ${backend.name}; median of ${iterations}`);
  console.log('| model | backprop ms | adjoint ms | NFE fwd+bwd (backprop / adjoint) |');
  console.log('|---|---|---|---|');
  const times = new Map<string, { backprop: number[]; adjoint: number[]; nfe: string }>();
  for (const [name] of forms) times.set(name, { backprop: [], adjoint: [], nfe: '' });
  for (let it = 0; it <= iterations; it++) {
    for (const [name, field] of forms) {
      const b = await iteration(field, 'backprop');
      const a = await iteration(field, 'adjoint');
      const row = times.get(name)!;
      if (it === 0) continue; // warm-up
      row.backprop.push(b.ms);
      row.adjoint.push(a.ms);
      row.nfe = `${b.nfe} / ${a.nfe}`;
    }
  }
  for (const [name] of forms) {
    const row = times.get(name)!;
    console.log(`| ${name} | ${median(row.backprop).toFixed(2)} | ${median(row.adjoint).toFixed(2)} | ${row.nfe} |`);
  }
}

void main();
