/**
 * The one table of activations: each σ as a scalar function with its derivative (and σ'' for
 * the smooth ones, which a CNF's trace gradient needs), and the array passes the layers run.
 * Each family offers the subset it can use, picked from here by name (fields: ACTIVATION_NAMES,
 * discrete networks: BLOCK_ACTIVATIONS, CNFs: CNF_ACTIVATIONS), so a σ is written once.
 */

export type LayerActivationName = 'tanh' | 'softplus' | 'relu' | 'swish' | 'silu' | 'sigmoid' | 'identity';

export interface ScalarActivation {
  readonly name: LayerActivationName;
  /** σ(z). */
  value(z: number): number;
  /** σ'(z), given also a = σ(z) (tanh and sigmoid need nothing else). */
  derivative(z: number, a: number): number;
  /** σ''(z), given a = σ(z) and d = σ'(z); only for the smooth σ a CNF may use. */
  readonly second?: (z: number, a: number, d: number) => number;
}

/** 1 / (1 + e^−z) without overflow on either side. */
export function sigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

const swish: ScalarActivation = {
  name: 'swish',
  value: (z) => z * sigmoid(z),
  derivative: (z) => {
    const s = sigmoid(z);
    return s + z * s * (1 - s);
  },
};

export const ACTIVATION_TABLE: Readonly<Record<LayerActivationName, ScalarActivation>> = {
  tanh: {
    name: 'tanh',
    value: Math.tanh,
    derivative: (_z, a) => 1 - a * a,
    second: (_z, a, d) => -2 * a * d,
  },
  // log(1 + e^z) = max(z, 0) + log1p(e^−|z|): exact for large |z| of either sign, smooth everywhere
  softplus: {
    name: 'softplus',
    value: (z) => Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z))),
    derivative: sigmoid,
    second: (_z, _a, d) => d * (1 - d),
  },
  relu: {
    name: 'relu',
    value: (z) => (z > 0 ? z : 0),
    derivative: (z) => (z > 0 ? 1 : 0),
  },
  swish,
  silu: { ...swish, name: 'silu' }, // PyTorch's name for swish
  sigmoid: {
    name: 'sigmoid',
    value: sigmoid,
    derivative: (_z, a) => a * (1 - a),
  },
  identity: {
    name: 'identity',
    value: (z) => z,
    derivative: () => 1,
  },
};

/** A family's allowed names, checked against the table when the family's module loads. */
export function pickActivations<const N extends LayerActivationName>(names: readonly N[]): readonly N[] {
  for (const n of names) if (!(n in ACTIVATION_TABLE)) throw new Error(`No activation '${n}' in the layer library.`);
  return [...names];
}

/** The scalar σ of this name. */
export function scalarActivation(name: LayerActivationName): ScalarActivation {
  return ACTIVATION_TABLE[name];
}

/** out = σ(a), elementwise (out may be a). */
export function activateInto(name: LayerActivationName, a: Float64Array, out: Float64Array): Float64Array {
  if (name === 'relu') for (let i = 0; i < a.length; i++) out[i] = a[i] > 0 ? a[i] : 0;
  else if (name === 'tanh') for (let i = 0; i < a.length; i++) out[i] = Math.tanh(a[i]);
  else if (name === 'identity') out.set(a);
  else {
    const { value } = ACTIVATION_TABLE[name];
    for (let i = 0; i < a.length; i++) out[i] = value(a[i]);
  }
  return out;
}

/** σ(a) as a new array; the identity returns a itself (no copy). */
export function activate(name: LayerActivationName, a: Float64Array): Float64Array {
  return name === 'identity' ? a : activateInto(name, a, new Float64Array(a.length));
}

/**
 * g ⊙ σ'(a), in place, from the pre-activation a and h = σ(a). ReLU and tanh read only h
 * (ReLU passes g where h > 0), so a caller that kept only the output may pass it for both.
 */
export function activateBackward(name: LayerActivationName, a: Float64Array, h: Float64Array, g: Float64Array): void {
  if (name === 'relu') {
    for (let i = 0; i < g.length; i++) if (!(h[i] > 0)) g[i] = 0;
  } else if (name === 'tanh') {
    for (let i = 0; i < g.length; i++) g[i] *= 1 - h[i] * h[i];
  } else if (name !== 'identity') {
    const { derivative } = ACTIVATION_TABLE[name];
    for (let i = 0; i < g.length; i++) g[i] *= derivative(a[i], h[i]);
  }
}
