/**
 * The seed paper's image classifier, scaled down: downsampling (average pooling of the pixels,
 * a 3 × 3 convolution to `channels`, group norm, ReLU, average pooling of those features), then
 * either one ODE block integrated over [0, T] (ODE-Net; RK-Net when trained by backprop through
 * the solver's steps) or `depth` residual blocks of the same block without the time channel
 * (ResNet), then the head's group norm, ReLU and average pooling over headPool × headPool
 * regions (global when headPool is 1, as in the paper) to the features a linear readout (the
 * classifier's last layer, which belongs to the task) reads. Every part has its exact backward
 * pass here; the ODE block's is the field's VJP, which odeintGrad turns into dL/dh(0).
 */
import { Rng } from '../data/rng';
import { activateInto } from '../layers/activations';
import { toChannelMajor, toSampleMajor, type Conv3x3 } from '../layers/conv3x3';
import { fromUniform, initLayout } from '../layers/init';
import { ParamLayout, type ParamEntry } from '../layers/paramLayout';
import { BlockField } from './blockField';
import { ConvGnBlock, gnConvInit, recordBytes, reluBackward, type ConvBlockRecord } from './convBlock';
import { groupNormBackward, groupNormForward, type GroupNormShape } from './groupNorm';
import { adaptiveRegions, averagePool, averagePoolBackward } from './layout';
import { checkOdeNetOptions, type CheckedOdeNetOptions, type OdeNetArchitecture, type OdeNetOptions } from './options';

/** What the downsampling's backward pass reads. */
export interface EmbedRecord {
  readonly batch: number;
  /** The pooled input, channel-major. */
  readonly pooled: Float64Array;
  readonly xhat: Float64Array;
  readonly inv: Float64Array;
  /** The ReLU's output (channel-major, before the poolAfter pooling that gives h(0)). */
  readonly h: Float64Array;
}

/** What the head's backward pass reads. */
export interface HeadRecord {
  readonly batch: number;
  readonly xhat: Float64Array;
  readonly inv: Float64Array;
  readonly r: Float64Array;
}

/** A ResNet forward pass: one record per residual block. */
export interface ResidualTape {
  readonly records: ConvBlockRecord[];
  /** Bytes the tape holds for the backward pass. */
  readonly bytes: number;
}

const bytesOf = (...a: Float64Array[]): number => a.reduce((s, v) => s + 8 * v.length, 0);

export class OdeNet {
  readonly kind = 'ode-net' as const;
  readonly architecture: OdeNetArchitecture;
  /** Components of an input image (inChannels × height × width). */
  readonly dim: number;
  /** Components of the block's state per sample (channels × pooled plane). */
  readonly stateDim: number;
  /** Features the head gives per sample (channels × headPool²). */
  readonly features: number;
  /** Every parameter, live: downsampling, block(s), head norm, laid out as `layout` says. */
  readonly params: Float64Array;
  readonly layout: readonly ParamEntry[];
  readonly options: CheckedOdeNetOptions;
  /** 'ode': the ODE block as a vector field over [B × stateDim] states (its params a view of `params`). */
  readonly field: BlockField | null;
  /** 'resnet': the residual blocks and their parameter views. */
  readonly blocks: readonly { block: ConvGnBlock; params: Float64Array }[];
  private readonly down: Conv3x3;
  private readonly norm: GroupNormShape;
  /** The downsampling convolution's group norm, on the plane before poolAfter. */
  private readonly downNorm: GroupNormShape;
  /** The head's pooling regions (indices into the plane). */
  private readonly regions: Int32Array[];
  private readonly at: { downGamma: number; downBeta: number; headGamma: number; headBeta: number };
  /** The block's plane, and the downsampling convolution's (before poolAfter). */
  private readonly plane: number;
  private readonly inPlane: number;

  constructor(opts: OdeNetOptions) {
    const o = checkOdeNetOptions(opts);
    this.options = o;
    this.architecture = o.architecture;
    const hIn = o.height / o.pool;
    const wIn = o.width / o.pool;
    const h = hIn / o.poolAfter;
    const w = wIn / o.poolAfter;
    const C = o.channels;
    this.plane = h * w;
    this.inPlane = hIn * wIn;
    this.dim = o.inChannels * o.height * o.width;
    this.stateDim = C * this.plane;
    this.regions = adaptiveRegions(h, w, o.headPool);
    this.features = C * this.regions.length;
    this.norm = { channels: C, groups: o.groups, plane: this.plane };
    this.downNorm = { channels: C, groups: o.groups, plane: this.inPlane };
    const p = new ParamLayout();
    this.down = p.conv3x3('down.conv', { cin: o.inChannels, cout: C, height: hIn, width: wIn, time: false });
    const downGamma = p.add('down.norm.weight', [C]);
    const downBeta = p.add('down.norm.bias', [C]);
    const shape = { channels: C, groups: o.groups, height: h, width: w };
    const blockAt: { block: ConvGnBlock; offset: number }[] = [];
    const count = o.architecture === 'ode' ? 1 : o.depth;
    for (let n = 0; n < count; n++) {
      const block = new ConvGnBlock({ ...shape, time: o.architecture === 'ode' });
      const prefix = o.architecture === 'ode' ? 'odefunc' : `blocks.${n}`;
      const start = p.size;
      for (const e of block.layout) p.add(`${prefix}.${e.name}`, e.shape);
      blockAt.push({ block, offset: start });
    }
    const headGamma = p.add('head.norm.weight', [C]);
    const headBeta = p.add('head.norm.bias', [C]);
    this.at = { downGamma, downBeta, headGamma, headBeta };
    this.layout = p.entries;
    this.params = new Float64Array(p.size);
    this.blocks = blockAt.map(({ block, offset: s }) => ({ block, params: this.params.subarray(s, s + block.size) }));
    this.field = o.architecture === 'ode' ? new BlockField(this.blocks[0].block, this.blocks[0].params) : null;
    this.initialise();
  }

  /** Group norms γ = 1, β = 0; convolutions U(±1/√fan_in), drawn in layout order (PyTorch's defaults). */
  private initialise(): void {
    initLayout(this.params, this.layout, gnConvInit(fromUniform(new Rng(this.options.seed))));
  }

  /** A live view of one named parameter (e.g. `odefunc.conv1.weight`). */
  param(name: string): Float64Array {
    const e = this.layout.find((p) => p.name === name);
    if (!e) throw new RangeError(`odeNet has no parameter '${name}'; it has ${this.layout.map((p) => p.name).join(', ')}.`);
    return this.params.subarray(e.offset, e.offset + e.size);
  }

  /** Samples in x, checking that it holds whole images of this network's size. */
  batchOf(x: Float64Array, where: string): number {
    const o = this.options;
    if (!(x instanceof Float64Array)) throw new TypeError(`odeNet.${where}: x must be a Float64Array [batch × ${this.dim}], got ${Object.prototype.toString.call(x)}.`);
    const B = x.length / this.dim;
    if (!Number.isInteger(B) || B < 1) {
      throw new RangeError(
        `odeNet.${where}: x has ${x.length} values, not a whole number ≥ 1 of images of inChannels × height × width = ` +
          `${o.inChannels} × ${o.height} × ${o.width} = ${this.dim}; pass the batch row-major, or build odeNet with the images' height, width and inChannels.`,
      );
    }
    return B;
  }

  /** h(0) [B × stateDim] (sample-major, the ODE state) from images x, and the record for embedBackward. */
  embed(x: Float64Array): { h0: Float64Array; record: EmbedRecord } {
    const B = this.batchOf(x, 'embed');
    const o = this.options;
    const C = o.channels;
    const m = C * B * this.inPlane;
    const pooled = new Float64Array(o.inChannels * B * this.inPlane);
    averagePool(x, B, o.inChannels, o.height, o.width, o.pool, pooled);
    const a = new Float64Array(m);
    this.down.forward(this.params, pooled, B, 0, a);
    const record: EmbedRecord = { batch: B, pooled, xhat: new Float64Array(m), inv: new Float64Array(B * o.groups), h: new Float64Array(m) };
    groupNormForward(this.params, this.at.downGamma, this.at.downBeta, this.downNorm, a, B, a, record.xhat, record.inv);
    activateInto('relu', a, record.h);
    // channel-major [C × B × plane] is C·B one-channel images, which averagePool pools as they lie
    let h = record.h;
    if (o.poolAfter > 1) {
      h = new Float64Array(B * this.stateDim);
      averagePool(record.h, C * B, 1, o.height / o.pool, o.width / o.pool, o.poolAfter, h);
    }
    const h0 = new Float64Array(B * this.stateDim);
    toSampleMajor(h, B, C, this.plane, h0);
    return { h0, record };
  }

  /** Adds dL/dθ of the downsampling into G from dL/dh(0) [B × stateDim]. */
  embedBackward(rec: EmbedRecord, g0: Float64Array, G: Float64Array): void {
    const B = rec.batch;
    const o = this.options;
    const C = o.channels;
    let g = new Float64Array(g0.length);
    toChannelMajor(g0, B, C, this.plane, g);
    if (o.poolAfter > 1) {
      const up = new Float64Array(rec.h.length);
      averagePoolBackward(g, C * B, o.height / o.pool, o.width / o.pool, o.poolAfter, up);
      g = up;
    }
    reluBackward(rec.h, g);
    const ga = new Float64Array(g.length);
    groupNormBackward(this.params, G, this.at.downGamma, this.at.downBeta, this.downNorm, rec.xhat, rec.inv, B, g, ga);
    this.down.backward(this.params, G, rec.pooled, B, 0, ga, null);
  }

  /** The head's features [B × features] (group norm, ReLU, mean over each pooling region) of h(T) [B × stateDim]. */
  head(hT: Float64Array): { features: Float64Array; record: HeadRecord } {
    const B = hT.length / this.stateDim;
    const C = this.options.channels;
    const F = this.features;
    const n = hT.length;
    const z = new Float64Array(n);
    toChannelMajor(hT, B, C, this.plane, z);
    const record: HeadRecord = { batch: B, xhat: new Float64Array(n), inv: new Float64Array(B * this.options.groups), r: new Float64Array(n) };
    groupNormForward(this.params, this.at.headGamma, this.at.headBeta, this.norm, z, B, z, record.xhat, record.inv);
    activateInto('relu', z, record.r);
    const features = new Float64Array(B * F);
    const N = B * this.plane;
    const R = this.regions.length;
    for (let c = 0; c < C; c++) {
      for (let s = 0; s < B; s++) {
        const o = c * N + s * this.plane;
        for (let q = 0; q < R; q++) {
          const idx = this.regions[q];
          let sum = 0;
          for (let j = 0; j < idx.length; j++) sum += record.r[o + idx[j]];
          features[s * F + c * R + q] = sum / idx.length;
        }
      }
    }
    return { features, record };
  }

  /** Adds the head norm's dL/dθ into G and returns dL/dh(T) [B × stateDim], from dL/dfeatures. */
  headBackward(rec: HeadRecord, gFeatures: Float64Array, G: Float64Array): Float64Array {
    const B = rec.batch;
    const C = this.options.channels;
    const F = this.features;
    const N = B * this.plane;
    const R = this.regions.length;
    const g = new Float64Array(C * N);
    for (let c = 0; c < C; c++) {
      for (let s = 0; s < B; s++) {
        const o = c * N + s * this.plane;
        for (let q = 0; q < R; q++) {
          const idx = this.regions[q];
          const v = gFeatures[s * F + c * R + q] / idx.length;
          for (let j = 0; j < idx.length; j++) g[o + idx[j]] += v;
        }
      }
    }
    reluBackward(rec.r, g);
    const gz = new Float64Array(g.length);
    groupNormBackward(this.params, G, this.at.headGamma, this.at.headBeta, this.norm, rec.xhat, rec.inv, B, g, gz);
    const out = new Float64Array(g.length);
    toSampleMajor(gz, B, C, this.plane, out);
    return out;
  }

  /** Bytes the downsampling's and the head's records hold (the same for every depth and step count). */
  static recordBytes(e: EmbedRecord, h: HeadRecord): number {
    return bytesOf(e.pooled, e.xhat, e.inv, e.h, h.xhat, h.inv, h.r);
  }

  /** 'resnet': h(L) from h(0) through the residual blocks, and the tape for residualBackward. */
  residual(h0: Float64Array): { hL: Float64Array; tape: ResidualTape } {
    if (this.architecture !== 'resnet') throw new RangeError("odeNet.residual: only architecture 'resnet' has residual blocks; the ODE block is solved with odeint.");
    const B = h0.length / this.stateDim;
    const C = this.options.channels;
    const u = new Float64Array(h0.length);
    toChannelMajor(h0, B, C, this.plane, u);
    const f = new Float64Array(h0.length);
    const records: ConvBlockRecord[] = [];
    let bytes = 0;
    for (const { block, params } of this.blocks) {
      const rec = block.newRecord(B);
      block.forward(params, u, B, 0, rec, f);
      for (let i = 0; i < u.length; i++) u[i] += f[i];
      records.push(rec);
      bytes += recordBytes(rec);
    }
    const hL = new Float64Array(u.length);
    toSampleMajor(u, B, C, this.plane, hL);
    return { hL, tape: { records, bytes } };
  }

  /** dL/dh(0) from dL/dh(L), adding every block's dL/dθ into G (laid out as params). */
  residualBackward(tape: ResidualTape, gL: Float64Array, G: Float64Array): Float64Array {
    const C = this.options.channels;
    const B = gL.length / this.stateDim;
    const g = new Float64Array(gL.length);
    toChannelMajor(gL, B, C, this.plane, g);
    const gx = new Float64Array(g.length);
    for (let n = this.blocks.length - 1; n >= 0; n--) {
      const { block, params } = this.blocks[n];
      const start = params.byteOffset / 8 - this.params.byteOffset / 8;
      block.backward(params, G.subarray(start, start + block.size), tape.records[n], 0, g, gx);
      for (let i = 0; i < g.length; i++) g[i] += gx[i];
    }
    const out = new Float64Array(g.length);
    toSampleMajor(g, B, C, this.plane, out);
    return out;
  }
}

export function odeNet(opts: OdeNetOptions): OdeNet {
  return new OdeNet(opts);
}

export function isOdeNet(x: unknown): x is OdeNet {
  return x instanceof OdeNet;
}
