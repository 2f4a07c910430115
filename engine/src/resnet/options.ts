/**
 * What a discrete network is made of, and the checks that turn a wrong option into a message
 * saying which option, what it was, and what to use instead.
 */
import { methodInfo, methods } from '../solvers/registry';
import type { CheckedTableau } from '../solvers/tableau';
import { BLOCK_ACTIVATIONS, type BlockActivation } from './blocks';

/**
 * The scheme the layers unroll:
 *   'resnet'  forward Euler,  u_{n+1} = u_n + f_n(u_n)
 *   'lm'      the LM-architecture, u_{n+1} = (1 − k_n)·u_n + k_n·u_{n−1} + f_n(u_n), k_n trained,
 *             the first layer a ResNet step (it has no u_{−1})
 *   'rk'      an explicit Runge–Kutta method, every stage of layer n evaluating f_n
 */
export type Architecture = 'resnet' | 'lm' | 'rk';

export const ARCHITECTURES: readonly Architecture[] = ['resnet', 'lm', 'rk'];

export interface StochasticDepthOptions {
  /**
   * Survival probability of the last layer's residual branch (Huang et al.'s p_L, default 0.5);
   * layer n of L survives with 1 − ((n + 1)/L)·(1 − p_L), so the drop probability rises linearly.
   */
  finalSurvival?: number;
}

/**
 * Convolutional blocks on images: the input layer is a 3 × 3 convolution from inChannels to
 * channels, every block conv3x3 → σ → conv3x3 (stride 1, zero padding, the image keeps its
 * size), and the state u_n is channels × height × width.
 */
export interface ConvOptions {
  /** Rows and columns of the input images. */
  height: number;
  width: number;
  /** Channels of the input images (default 1). */
  inChannels?: number;
  /** Channels of the state u_n. */
  channels: number;
  /** Channels between a block's two convolutions (default: channels). */
  hiddenChannels?: number;
}

export interface DiscreteNetworkOptions {
  architecture: Architecture;
  /** Components of each input sample (the data's dimension; inChannels × height × width for conv blocks). */
  inputDim: number;
  /** MLP blocks: components of the state u_n the layers step (the input layer maps inputDim to it). */
  width?: number;
  /** MLP blocks: hidden units of each block's MLP. */
  hidden?: number;
  /** Convolutional blocks instead of MLP blocks (then width and hidden are not given). */
  conv?: ConvOptions;
  /** Number of residual layers (blocks, each with its own weights). */
  depth: number;
  /** σ of the blocks (default 'relu'). */
  activation?: BlockActivation;
  /** 'rk' only: the fixed-grid explicit RK method to unroll (default 'midpoint'). */
  method?: string;
  /**
   * 'lm' only: k_n initialised uniformly on [lo, hi] (default [−0.1, 0], the LM-ResNet paper's
   * U[−0.1, 0]), or every k_n set to one number.
   */
  kInit?: number | readonly [number, number];
  /** Drop residual branches at random while training; scaled by their survival probability at test time. */
  stochasticDepth?: StochasticDepthOptions | boolean;
  /** Standard deviation of Gaussian noise added to every layer's output while training (default 0). */
  noise?: number;
  /** Seeds the initial weights (default 0). */
  seed?: number;
}

export interface CheckedOptions {
  architecture: Architecture;
  inputDim: number;
  /** Components of the state (channels × height × width for conv blocks). */
  width: number;
  /** Hidden units of an MLP block, or hidden channels of a conv block. */
  hidden: number;
  conv: Required<ConvOptions> | null;
  depth: number;
  activation: BlockActivation;
  tableau: CheckedTableau | null;
  kInit: readonly [number, number];
  /** p_L, or null without stochastic depth. */
  finalSurvival: number | null;
  noise: number;
  seed: number;
}

const WHERE = 'discreteNetwork';

/** Fixed-grid explicit RK methods of the solver registry, by name. */
export function rkNetMethods(): string[] {
  return methods()
    .filter((m) => m.tableau !== undefined && !m.adaptive && !m.implicit)
    .map((m) => m.name);
}

export function checkOptions(o: DiscreteNetworkOptions): CheckedOptions {
  const fail = (what: string): never => {
    throw new RangeError(`${WHERE}: ${what}`);
  };
  if (!o || typeof o !== 'object') fail('needs an options object { architecture, inputDim, width, hidden, depth, … } (or conv: { … } instead of width and hidden).');
  if (!ARCHITECTURES.includes(o.architecture)) {
    fail(`architecture must be 'resnet', 'lm' or 'rk', got ${JSON.stringify(o.architecture)}.`);
  }
  const whole = (key: string, v: unknown): void => {
    if (!Number.isInteger(v) || (v as number) < 1) fail(`${key} must be a whole number ≥ 1, got ${JSON.stringify(v)}.`);
  };
  whole('inputDim', o.inputDim);
  whole('depth', o.depth);
  let conv: Required<ConvOptions> | null = null;
  let width: number;
  let hidden: number;
  if (o.conv !== undefined) {
    if (o.width !== undefined || o.hidden !== undefined) {
      fail('width and hidden size MLP blocks; with conv blocks the state is conv.channels × conv.height × conv.width: remove width and hidden (conv.hiddenChannels sets the block\'s middle channels).');
    }
    const c = o.conv;
    conv = { height: c.height, width: c.width, inChannels: c.inChannels ?? 1, channels: c.channels, hiddenChannels: c.hiddenChannels ?? c.channels };
    for (const [k, v] of Object.entries(conv)) whole(`conv.${k}`, v);
    const pixels = conv.inChannels * conv.height * conv.width;
    if (o.inputDim !== pixels) {
      fail(`inputDim ${o.inputDim} does not match conv: inChannels × height × width = ${conv.inChannels} × ${conv.height} × ${conv.width} = ${pixels}; give images of that size, or change conv.`);
    }
    width = conv.channels * conv.height * conv.width;
    hidden = conv.hiddenChannels;
  } else {
    whole('width', o.width);
    whole('hidden', o.hidden);
    width = o.width!;
    hidden = o.hidden!;
  }
  if (o.architecture === 'lm' && o.depth < 2) {
    fail(`an LM network needs depth ≥ 2 (its first layer is a ResNet step, k_n starts at the second), got depth ${o.depth}; use architecture 'resnet' for one layer.`);
  }
  const activation = o.activation ?? 'relu';
  if (!BLOCK_ACTIVATIONS.includes(activation)) fail(`activation must be one of ${BLOCK_ACTIVATIONS.join(', ')}, got ${JSON.stringify(activation)}.`);
  let tableau: CheckedTableau | null = null;
  if (o.architecture === 'rk') {
    const name = o.method ?? 'midpoint';
    const known = rkNetMethods();
    if (!known.includes(name)) {
      const exists = methods().some((m) => m.name === name);
      fail(
        `method '${name}' ${exists ? 'is not a fixed-grid explicit Runge–Kutta method' : 'is not a known method'}; ` +
          `an RK-Net unrolls one of: ${known.join(', ')}.`,
      );
    }
    tableau = methodInfo(name).tableau!;
  } else if (o.method !== undefined) {
    fail(`method is for architecture 'rk' (the RK method to unroll); remove it or set architecture: 'rk'.`);
  }
  let kInit: readonly [number, number] = [-0.1, 0];
  if (o.kInit !== undefined) {
    if (o.architecture !== 'lm') fail(`kInit sets the LM coefficients k_n; architecture '${o.architecture}' has none. Remove it or use architecture 'lm'.`);
    const k = o.kInit;
    kInit = typeof k === 'number' ? [k, k] : [k[0], k[1]];
    if (!Number.isFinite(kInit[0]) || !Number.isFinite(kInit[1]) || kInit[0] > kInit[1]) {
      fail(`kInit must be a number or an interval [lo, hi] with lo ≤ hi, got ${JSON.stringify(o.kInit)}.`);
    }
  }
  let finalSurvival: number | null = null;
  if (o.stochasticDepth) {
    finalSurvival = o.stochasticDepth === true ? 0.5 : (o.stochasticDepth.finalSurvival ?? 0.5);
    if (!(finalSurvival > 0 && finalSurvival <= 1)) {
      fail(`stochasticDepth.finalSurvival must be in (0, 1] (the last layer's survival probability; Huang et al. use 0.5), got ${finalSurvival}.`);
    }
  }
  const noise = o.noise ?? 0;
  if (!(noise >= 0 && Number.isFinite(noise))) fail(`noise must be a standard deviation ≥ 0, got ${o.noise}.`);
  const seed = o.seed ?? 0;
  if (!Number.isSafeInteger(seed)) fail(`seed must be an integer, got ${o.seed}.`);
  return { architecture: o.architecture, inputDim: o.inputDim, width, hidden, conv, depth: o.depth, activation, tableau, kInit, finalSurvival, noise, seed };
}
