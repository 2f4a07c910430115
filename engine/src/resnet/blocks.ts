/**
 * What the network asks of its parts: a residual block f_n (MLP or convolutional), evaluated
 * with a record its backward pass reuses, and the input layer from a sample to u_0. The layers
 * and σ are the layer library's (layers/); states are batch-major [B × width], and the
 * convolutions run channel-major inside a block, transposed at its input and output.
 */
import { activate, activateBackward, pickActivations } from '../layers/activations';
import { toChannelMajor, toSampleMajor, type Conv3x3 } from '../layers/conv3x3';
import { denseBackward, denseForward, type DenseLayer } from '../layers/dense';

export const BLOCK_ACTIVATIONS = pickActivations(['relu', 'tanh', 'identity']);
export type BlockActivation = (typeof BLOCK_ACTIVATIONS)[number];

/** One evaluation of a block: what its backward pass needs. */
export interface BlockRecord {
  /** The input z [B × width] (an MLP block holds it, not copied: the caller does not overwrite it; a conv block keeps a channel-major copy). */
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

/** f(z) = W2·σ(W1·z + b1) + b2 on [B × width] states, `hidden` units. */
export class MlpBlock implements ResidualBlock {
  constructor(
    readonly activation: BlockActivation,
    readonly first: DenseLayer,
    readonly second: DenseLayer,
  ) {}

  forward(P: Float64Array, z: Float64Array, B: number): { f: Float64Array; record: BlockRecord } {
    const { first, second } = this;
    const a = denseForward(P, first, z, B, new Float64Array(B * first.nOut));
    const h = activate(this.activation, a);
    const f = denseForward(P, second, h, B, new Float64Array(B * second.nOut));
    return { f, record: { z, a, h } };
  }

  backward(P: Float64Array, G: Float64Array, record: BlockRecord, B: number, g: Float64Array): Float64Array {
    const { first, second } = this;
    const { z, a, h } = record;
    const gh = new Float64Array(B * first.nOut);
    denseBackward(P, G, second, h, B, g, gh);
    activateBackward(this.activation, a, h, gh);
    const gz = new Float64Array(B * first.nIn);
    denseBackward(P, G, first, z, B, gh, gz);
    return gz;
  }
}

/** x [B × C × plane] to a new channel-major [C × B·plane] array, and back. */
const channelMajor = (x: Float64Array, B: number, C: number, plane: number): Float64Array => {
  const out = new Float64Array(x.length);
  toChannelMajor(x, B, C, plane, out);
  return out;
};
const sampleMajor = (x: Float64Array, B: number, C: number, plane: number): Float64Array => {
  const out = new Float64Array(x.length);
  toSampleMajor(x, B, C, plane, out);
  return out;
};

/** f(z) = conv2(σ(conv1(z))) on [B × channels × H × W] states: 3 × 3, stride 1, same size. */
export class ConvBlock implements ResidualBlock {
  private readonly plane: number;

  constructor(
    readonly activation: BlockActivation,
    readonly first: Conv3x3,
    readonly second: Conv3x3,
  ) {
    this.plane = first.shape.height * first.shape.width;
  }

  forward(P: Float64Array, z: Float64Array, B: number): { f: Float64Array; record: BlockRecord } {
    const { first, second, plane } = this;
    const zc = channelMajor(z, B, first.shape.cin, plane);
    const a = new Float64Array(B * first.shape.cout * plane);
    first.forward(P, zc, B, 0, a);
    const h = activate(this.activation, a);
    const fc = new Float64Array(B * second.shape.cout * plane);
    second.forward(P, h, B, 0, fc);
    return { f: sampleMajor(fc, B, second.shape.cout, plane), record: { z: zc, a, h } };
  }

  backward(P: Float64Array, G: Float64Array, record: BlockRecord, B: number, g: Float64Array): Float64Array {
    const { first, second, plane } = this;
    const { z, a, h } = record;
    const gh = new Float64Array(a.length);
    second.backward(P, G, h, B, 0, channelMajor(g, B, second.shape.cout, plane), gh);
    activateBackward(this.activation, a, h, gh);
    const gz = new Float64Array(z.length);
    first.backward(P, G, z, B, 0, gh, gz);
    return sampleMajor(gz, B, first.shape.cin, plane);
  }
}

export class DenseInput implements InputLayer {
  constructor(readonly layer: DenseLayer) {}

  forward(P: Float64Array, x: Float64Array, B: number): Float64Array {
    return denseForward(P, this.layer, x, B, new Float64Array(B * this.layer.nOut));
  }

  backward(P: Float64Array, G: Float64Array, x: Float64Array, B: number, g: Float64Array): Float64Array {
    const gx = new Float64Array(x.length);
    denseBackward(P, G, this.layer, x, B, g, gx);
    return gx;
  }
}

export class ConvInput implements InputLayer {
  private readonly plane: number;

  constructor(readonly conv: Conv3x3) {
    this.plane = conv.shape.height * conv.shape.width;
  }

  forward(P: Float64Array, x: Float64Array, B: number): Float64Array {
    const { shape } = this.conv;
    const out = new Float64Array(B * shape.cout * this.plane);
    this.conv.forward(P, channelMajor(x, B, shape.cin, this.plane), B, 0, out);
    return sampleMajor(out, B, shape.cout, this.plane);
  }

  backward(P: Float64Array, G: Float64Array, x: Float64Array, B: number, g: Float64Array): Float64Array {
    const { shape } = this.conv;
    const gx = new Float64Array(x.length);
    this.conv.backward(P, G, channelMajor(x, B, shape.cin, this.plane), B, 0, channelMajor(g, B, shape.cout, this.plane), gx);
    return sampleMajor(gx, B, shape.cin, this.plane);
  }
}
