/**
 * The models of `--suite models`, on one set of seeded weights per size: the pendulum hybrid
 * of examples/pendulum.ode.ts (a user's tensorField) and the 2-H-2 tanh MLP as a tf.sequential
 * (tfjs autodiff), that tf.sequential compiled to the native kernels, and mlpField in float64
 * and float32. Weights travel to torchdiffeq in the tfjs layout (a dense kernel is [in, out]);
 * each form says how its dL/dθ maps onto that layout, so gradients compare value for value.
 */
import { layersModelField, mlpField, tensorField, tf, type NativeField, type TensorField } from 'neural-ode-studio';
import { compileLayersModel } from '../engine/src/fields/compileLayers';
import { tensorNativeField } from '../engine/src/fields/tensorNative';
import { normalSampler } from './prng';
import { generateProblem, STATE_DIM } from './problems';

/** One parameter as the peer receives it: tfjs layout, row-major. */
export interface WireParam {
  readonly name: string;
  readonly shape: number[];
  readonly values: number[];
}

/** The two models the peer builds. */
export type PeerModel = 'pendulum' | 'mlp';

export interface ModelProblem {
  /** "batch x hidden", e.g. "256x64". */
  readonly size: string;
  readonly batch: number;
  readonly hidden: number;
  /** [batch·2], batch-major; target is y(1)'s MSE target. */
  readonly y0: Float64Array;
  readonly target: Float64Array;
  readonly params: Readonly<Record<PeerModel, readonly WireParam[]>>;
}

export interface ModelForm {
  readonly label: string;
  /** Which of the peer's models computes the same thing. */
  readonly peer: PeerModel;
  readonly field: NativeField;
  /** dL/dθ (the field's layout) in the wire layout, flattened in the order of the problem's params. */
  toWire(grad: Float64Array): Float64Array;
  dispose(): void;
}

/** [rows, cols] row-major to [cols, rows]. */
function transpose(a: ArrayLike<number>, rows: number, cols: number): Float64Array {
  const out = new Float64Array(a.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = a[r * cols + c];
  return out;
}

const wire = (name: string, shape: number[], values: ArrayLike<number>): WireParam => ({ name, shape, values: Array.from(values) });

/**
 * Seeded weights, float32 values: the MLP drawn like the forward suite's (same seed, same
 * numbers), the pendulum's friction net w1, b1 ~ N(0, 1/2), w2 ~ N(0, 1/H); target ~ N(0, 1).
 */
export function modelProblem(batch: number, hidden: number, seed: number): ModelProblem {
  const mlp = generateProblem(batch, hidden, seed);
  const normal = normalSampler(seed + 1);
  const target = Float64Array.from({ length: batch * STATE_DIM }, () => normal(1));
  const draw = (n: number, variance: number) => Array.from({ length: n }, () => normal(variance));
  return {
    size: `${batch}x${hidden}`,
    batch,
    hidden,
    y0: mlp.y0,
    target,
    params: {
      pendulum: [wire('w1', [2, hidden], draw(2 * hidden, 1 / 2)), wire('b1', [hidden], draw(hidden, 1 / 2)), wire('w2', [hidden, 1], draw(hidden, 1 / hidden))],
      // mlp.W1 is [hidden, 2] (PyTorch's Linear weight): the dense kernel is its transpose.
      mlp: [
        wire('kernel1', [2, hidden], transpose(mlp.W1, hidden, 2)),
        wire('bias1', [hidden], mlp.b1),
        wire('kernel2', [hidden, 2], transpose(mlp.W2, 2, hidden)),
        wire('bias2', [2], mlp.b2),
      ],
    },
  };
}

/** The MLP's θ as mlpField (and a tf.sequential seen as a native field) holds it: weights [out, in]. */
function mlpTheta(params: readonly WireParam[], hidden: number): Float64Array {
  const [k1, b1, k2, b2] = params;
  return Float64Array.from([...transpose(k1.values, 2, hidden), ...b1.values, ...transpose(k2.values, hidden, 2), ...b2.values]);
}

/** dL/dθ of mlpField's layout in the wire layout (kernels back to [in, out]). */
function mlpGradToWire(g: Float64Array, hidden: number): Float64Array {
  const w1 = 2 * hidden;
  const w2 = w1 + hidden;
  return Float64Array.from([...transpose(g.subarray(0, w1), hidden, 2), ...g.subarray(w1, w2), ...transpose(g.subarray(w2, w2 + 2 * hidden), 2, hidden), ...g.subarray(w2 + 2 * hidden)]);
}

/** The pendulum example's model with hidden width H: dθ/dt = ω, dω/dt = friction(θ, ω) − sin θ, its variables on the active backend. */
export function pendulumTensorField(p: ModelProblem, options: { compile?: boolean } = {}): { field: TensorField; dispose(): void } {
  const v = (w: WireParam) => tf.variable(tf.tensor(w.values, w.shape, 'float32'));
  const [w1, b1, w2] = p.params.pendulum.map(v);
  const field = tensorField(
    (_t, y) => {
      const theta = tf.slice(y, [0, 0], [-1, 1]);
      const omega = tf.slice(y, [0, 1], [-1, 1]);
      const friction = tf.matMul(tf.tanh(tf.add(tf.matMul(y, w1), b1)), w2);
      return tf.concat([omega, tf.sub(friction, tf.sin(theta))], 1);
    },
    { w1, b1, w2 },
    options,
  );
  return { field, dispose: () => [w1, b1, w2].forEach((x) => x.dispose()) };
}

/** The pendulum compiled (recorded and replayed on the engine's kernels), or left on TensorFlow.js as a model the engine cannot compile is. */
function pendulumForm(p: ModelProblem, compile = true): ModelForm {
  const { field, dispose } = pendulumTensorField(p, { compile });
  return {
    label: compile ? 'pendulum hybrid' : 'pendulum hybrid, not compiled',
    peer: 'pendulum',
    field: tensorNativeField(field, 2),
    // No transposed variables: θ is already w1, b1, w2 as declared.
    toWire: (g) => Float64Array.from(g),
    dispose,
  };
}

/** The MLP forms; notes say when the tf.sequential does not compile. */
function mlpForms(p: ModelProblem, notes: string[]): ModelForm[] {
  const theta = mlpTheta(p.params.mlp, p.hidden);
  const toWire = (g: Float64Array) => mlpGradToWire(g, p.hidden);
  const model = tf.sequential({
    layers: [tf.layers.dense({ units: p.hidden, inputShape: [2], activation: 'tanh' }), tf.layers.dense({ units: 2 })],
  });
  const sequential = tensorNativeField(layersModelField(model), 2);
  sequential.params.set(theta);
  const forms: ModelForm[] = [{ label: 'tf.sequential', peer: 'mlp', field: sequential, toWire, dispose: () => model.dispose() }];
  const compiled = compileLayersModel(model);
  if (compiled.field) {
    compiled.field.params.set(theta);
    forms.push({ label: 'tf.sequential compiled', peer: 'mlp', field: compiled.field, toWire, dispose: () => undefined });
  } else notes.push(`${p.size}: tf.sequential did not compile (${compiled.why})`);
  for (const precision of ['float64', 'float32'] as const) {
    const field = mlpField({ sizes: [2, p.hidden, 2], activation: 'tanh', init: theta, precision });
    forms.push({ label: `mlpField ${precision}`, peer: 'mlp', field, toWire, dispose: () => undefined });
  }
  return forms;
}

export function modelForms(p: ModelProblem, notes: string[]): ModelForm[] {
  return [pendulumForm(p), pendulumForm(p, false), ...mlpForms(p, notes)];
}
