/**
 * The ODE block as a NativeField: f(t, h) on sample-major states [B × C·plane], its exact VJP,
 * and f with the VJP at once (what the adjoint asks for at every point). Its θ is a live view
 * into the network's parameters. One record and the channel-major buffers are reused from
 * call to call, so the field holds the same memory however many steps a solve takes; backprop
 * through the steps keeps the stage states, the adjoint does not.
 */
import type { NativeField } from '../fields/field';
import { ConvGnBlock, recordBytes, type ConvBlockRecord } from './convBlock';
import { toChannelMajor, toSampleMajor } from '../layers/conv3x3';

export class BlockField implements NativeField {
  readonly kind = 'native' as const;
  /** Components per sample: channels × plane. */
  readonly dim: number;
  private record: ConvBlockRecord | null = null;
  private x = new Float64Array(0);
  private g = new Float64Array(0);
  private out = new Float64Array(0);

  constructor(
    readonly block: ConvGnBlock,
    /** The block's parameters (a view into the network's). */
    readonly params: Float64Array,
  ) {
    const s = block.shape;
    this.dim = s.channels * s.height * s.width;
  }

  /** Bytes of the buffers the field reuses (the same for every number of steps). */
  get workspaceBytes(): number {
    return 8 * (this.x.length + this.g.length + this.out.length) + (this.record ? recordBytes(this.record) : 0);
  }

  private batchOf(y: Float64Array, where: string): number {
    const B = y.length / this.dim;
    if (!(y instanceof Float64Array) || !Number.isInteger(B) || B < 1) {
      const s = this.block.shape;
      throw new RangeError(
        `odeNet block ${where}: the state has ${y?.length} values, not a whole number of samples of ${s.channels} × ${s.height} × ${s.width} = ${this.dim}; ` +
          'pass a batch-major Float64Array [batch × channels × height × width].',
      );
    }
    return B;
  }

  /** Runs the block on y; the output stays (channel-major) in this.out, the record in this.record. */
  private run(t: number, y: Float64Array, B: number): void {
    const n = y.length;
    if (this.x.length !== n) {
      this.x = new Float64Array(n);
      this.g = new Float64Array(n);
      this.out = new Float64Array(n);
    }
    if (!this.record || this.record.batch !== B) this.record = this.block.newRecord(B);
    const s = this.block.shape;
    toChannelMajor(y, B, s.channels, s.height * s.width, this.x);
    this.block.forward(this.params, this.x, B, t, this.record, this.out);
  }

  private sampleMajor(v: Float64Array, B: number): Float64Array {
    const s = this.block.shape;
    const r = new Float64Array(v.length);
    toSampleMajor(v, B, s.channels, s.height * s.width, r);
    return r;
  }

  private back(t: number, a: Float64Array, B: number): { y: Float64Array; params: Float64Array } {
    if (a.length !== this.x.length) throw new RangeError(`odeNet block vjp: the cotangent has ${a.length} values, the state ${this.x.length}.`);
    const s = this.block.shape;
    const plane = s.height * s.width;
    toChannelMajor(a, B, s.channels, plane, this.g);
    const G = new Float64Array(this.params.length);
    const gx = new Float64Array(a.length);
    this.block.backward(this.params, G, this.record!, t, this.g, gx);
    return { y: this.sampleMajor(gx, B), params: G };
  }

  f(t: number, y: Float64Array): Float64Array {
    const B = this.batchOf(y, 'f');
    this.run(t, y, B);
    return this.sampleMajor(this.out, B);
  }

  vjp(t: number, y: Float64Array, a: Float64Array): { y: Float64Array; params: Float64Array } {
    const B = this.batchOf(y, 'vjp');
    this.run(t, y, B);
    return this.back(t, a, B);
  }

  fAndVjp(t: number, y: Float64Array, a: Float64Array): { f: Float64Array; y: Float64Array; params: Float64Array } {
    const B = this.batchOf(y, 'fAndVjp');
    this.run(t, y, B);
    const f = this.sampleMajor(this.out, B);
    return { f, ...this.back(t, a, B) };
  }
}
