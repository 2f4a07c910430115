/**
 * What the network asks of its parts: a residual block f_n (MLP or convolutional), evaluated
 * with a record its backward pass reuses, and the input layer from a sample to u_0.
 */
import { conv3x3Backward, conv3x3Forward, type ConvShape } from './conv';
import { denseBackward, denseForward } from './dense';

export type BlockActivation = 'relu' | 'tanh' | 'identity';

export const BLOCK_ACTIVATIONS: readonly BlockActivation[] = ['relu', 'tanh', 'identity'];

/** One evaluation of a block: what its backward pass needs. */
export interface BlockRecord {
  /** The input z [B × width] (held, not copied: the caller does not overwrite it). */
  readonly z: Float64Array;
  /** The first layer's output before and after σ. */
  readonly a: Float64Array;
  readonly h: Float64Array;
}

export interface ResidualBlock {
  /** f(z) for B samples, and the record of this evaluation. */
  forward(P: Float64Array, z: Float64Array, B: number): { f: Float64Array; record: BlockRecord };
  /** Adds gᵀ∂f/∂θ into G (laid out as P) and returns gᵀ∂f/∂z, for the cotangent g [B × width]. */
  backward(P: Float64Array, G: Float64Array, record: BlockRecord, B: number, g: Float64Array): Float64Array;
}

/** The linear (or convolutional) map from a sample to u_0. */
export interface InputLayer {
  forward(P: Float64Array, x: Float64Array, B: number): Float64Array;
  /** Adds dL/dθ into G and returns dL/dx. */
  backward(P: Float64Array, G: Float64Array, x: Float64Array, B: number, g: Float64Array): Float64Array;
}

export function activate(kind: BlockActivation, a: Float64Array): Float64Array {
  if (kind === 'identity') return a;
  const h = new Float64Array(a.length);
  if (kind === 'relu') for (let i = 0; i < a.length; i++) h[i] = a[i] > 0 ? a[i] : 0;
  else for (let i = 0; i < a.length; i++) h[i] = Math.tanh(a[i]);
  return h;
}

/** gh ⊙ σ'(a), in place (h = σ(a)). */
export function activateBackward(kind: BlockActivation, a: Float64Array, h: Float64Array, gh: Float64Array): void {
  if (kind === 'relu') for (let i = 0; i < gh.length; i++) gh[i] = a[i] > 0 ? gh[i] : 0;
  else if (kind === 'tanh') for (let i = 0; i < gh.length; i++) gh[i] *= 1 - h[i] * h[i];
}

/** Offsets of a two-layer block's parameters: first layer (w1, b1), second (w2, b2). */
export interface BlockOffsets {
  w1: number;
  b1: number;
  w2: number;
  b2: number;
}

/** f(z) = W2·σ(W1·z + b1) + b2 on [B × width] states, `hidden` units. */
export class MlpBlock implements ResidualBlock {
  constructor(
    readonly width: number,
    readonly hidden: number,
    readonly activation: BlockActivation,
    readonly at: BlockOffsets,
  ) {}

  forward(P: Float64Array, z: Float64Array, B: number): { f: Float64Array; record: BlockRecord } {
    const { width, hidden, at } = this;
    const a = new Float64Array(B * hidden);
    denseForward(P, at.w1, at.b1, width, hidden, z, B, a);
    const h = activate(this.activation, a);
    const f = new Float64Array(B * width);
    denseForward(P, at.w2, at.b2, hidden, width, h, B, f);
    return { f, record: { z, a, h } };
  }

  backward(P: Float64Array, G: Float64Array, record: BlockRecord, B: number, g: Float64Array): Float64Array {
    const { width, hidden, at } = this;
    const { z, a, h } = record;
    const gh = new Float64Array(B * hidden);
    denseBackward(P, G, at.w2, at.b2, hidden, width, h, B, g, gh);
    activateBackward(this.activation, a, h, gh);
    const gz = new Float64Array(B * width);
    denseBackward(P, G, at.w1, at.b1, width, hidden, z, B, gh, gz);
    return gz;
  }
}

/** f(z) = conv2(σ(conv1(z))) on [B × channels × H × W] states: 3 × 3, stride 1, same size. */
export class ConvBlock implements ResidualBlock {
  private readonly first: ConvShape;
  private readonly second: ConvShape;

  constructor(
    readonly channels: number,
    readonly hiddenChannels: number,
    readonly height: number,
    readonly width: number,
    readonly activation: BlockActivation,
    readonly at: BlockOffsets,
  ) {
    this.first = { cin: channels, cout: hiddenChannels, height, width };
    this.second = { cin: hiddenChannels, cout: channels, height, width };
  }

  forward(P: Float64Array, z: Float64Array, B: number): { f: Float64Array; record: BlockRecord } {
    const plane = this.height * this.width;
    const a = new Float64Array(B * this.hiddenChannels * plane);
    conv3x3Forward(P, this.at.w1, this.at.b1, this.first, z, B, a);
    const h = activate(this.activation, a);
    const f = new Float64Array(B * this.channels * plane);
    conv3x3Forward(P, this.at.w2, this.at.b2, this.second, h, B, f);
    return { f, record: { z, a, h } };
  }

  backward(P: Float64Array, G: Float64Array, record: BlockRecord, B: number, g: Float64Array): Float64Array {
    const { z, a, h } = record;
    const gh = new Float64Array(a.length);
    conv3x3Backward(P, G, this.at.w2, this.at.b2, this.second, h, B, g, gh);
    activateBackward(this.activation, a, h, gh);
    const gz = new Float64Array(z.length);
    conv3x3Backward(P, G, this.at.w1, this.at.b1, this.first, z, B, gh, gz);
    return gz;
  }
}

export class DenseInput implements InputLayer {
  constructor(
    readonly nIn: number,
    readonly nOut: number,
    readonly w: number,
    readonly b: number,
  ) {}

  forward(P: Float64Array, x: Float64Array, B: number): Float64Array {
    const out = new Float64Array(B * this.nOut);
    denseForward(P, this.w, this.b, this.nIn, this.nOut, x, B, out);
    return out;
  }

  backward(P: Float64Array, G: Float64Array, x: Float64Array, B: number, g: Float64Array): Float64Array {
    const gx = new Float64Array(x.length);
    denseBackward(P, G, this.w, this.b, this.nIn, this.nOut, x, B, g, gx);
    return gx;
  }
}

export class ConvInput implements InputLayer {
  constructor(
    readonly shape: ConvShape,
    readonly w: number,
    readonly b: number,
  ) {}

  forward(P: Float64Array, x: Float64Array, B: number): Float64Array {
    const out = new Float64Array(B * this.shape.cout * this.shape.height * this.shape.width);
    conv3x3Forward(P, this.w, this.b, this.shape, x, B, out);
    return out;
  }

  backward(P: Float64Array, G: Float64Array, x: Float64Array, B: number, g: Float64Array): Float64Array {
    const gx = new Float64Array(x.length);
    conv3x3Backward(P, G, this.w, this.b, this.shape, x, B, g, gx);
    return gx;
  }
}
