/**
 * The seed paper's ODE block, f(t, h) = GN(conv_t(relu(GN(conv_t(relu(GN(h))))))), where
 * conv_t is a 3 × 3 convolution reading t as an extra constant channel; without the time
 * channel it is the paper's residual block of the ResNet it compares against. Forward records
 * what the exact backward pass needs; intermediate values that backward does not read live in
 * scratch shared by all blocks. Activations are channel-major, [C × B·plane].
 */
import type { Rng } from '../data/rng';
import { activateBackward, activateInto } from '../layers/activations';
import type { Conv3x3, Conv3x3Shape } from '../layers/conv3x3';
import { fromUniform, initLayout, kaimingBound, type ParamInit, type SymmetricUniform } from '../layers/init';
import { ParamLayout, type ParamEntry } from '../layers/paramLayout';
import { groupNormBackward, groupNormForward, type GroupNormShape } from './groupNorm';

export interface ConvBlockShape {
  channels: number;
  /** Groups of the group norms (divides channels). */
  groups: number;
  height: number;
  width: number;
  /** Whether both convolutions read t (ODE block) or not (residual block). */
  time: boolean;
}

/** One forward evaluation: what backward reads. */
export interface ConvBlockRecord {
  readonly batch: number;
  /** Normalised values of the three group norms, and the two ReLU outputs (convolution inputs). */
  readonly xhat1: Float64Array;
  readonly r1: Float64Array;
  readonly xhat2: Float64Array;
  readonly r2: Float64Array;
  readonly xhat3: Float64Array;
  /** 1/σ̂ of each (sample, group) of the three norms. */
  readonly inv1: Float64Array;
  readonly inv2: Float64Array;
  readonly inv3: Float64Array;
}

export const recordBytes = (r: ConvBlockRecord): number =>
  8 * (r.xhat1.length + r.r1.length + r.xhat2.length + r.r2.length + r.xhat3.length + r.inv1.length + r.inv2.length + r.inv3.length);

let scratchA = new Float64Array(0);
let scratchB = new Float64Array(0);
const scratch = (n: number): [Float64Array, Float64Array] => {
  if (scratchA.length < n) {
    scratchA = new Float64Array(n);
    scratchB = new Float64Array(n);
  }
  return [scratchA.subarray(0, n), scratchB.subarray(0, n)];
};

const relu = (a: Float64Array, out: Float64Array): Float64Array => activateInto('relu', a, out);
/** g ⊙ relu'(·), in place, where r is the ReLU's output. */
export const reluBackward = (r: Float64Array, g: Float64Array): void => activateBackward('relu', r, r, g);

/**
 * PyTorch's defaults for the ODE-Net's parameters: group norms γ = 1, β = 0 (entries named
 * `…norm….weight` / `…bias`), convolutions U(±1/√fan_in) from `draw`.
 */
export function gnConvInit(draw: SymmetricUniform): ParamInit {
  return (e, fanIn) => {
    const parts = e.name.split('.');
    if (parts[parts.length - 2]?.startsWith('norm')) return parts[parts.length - 1] === 'weight' ? 1 : 0;
    return draw(kaimingBound(fanIn));
  };
}

export class ConvGnBlock {
  /** Parameters of the block, laid out from offset 0 as `layout` says. */
  readonly size: number;
  readonly layout: readonly ParamEntry[];
  private readonly conv1: Conv3x3;
  private readonly conv2: Conv3x3;
  private readonly norm: GroupNormShape;
  private readonly gn: readonly { gamma: number; beta: number }[];

  constructor(readonly shape: ConvBlockShape) {
    const { channels: C, groups, height, width, time } = shape;
    const p = new ParamLayout();
    const conv: Conv3x3Shape = { cin: C, cout: C, height, width, time };
    const gn = [];
    const convs: Conv3x3[] = [];
    for (let i = 1; i <= 3; i++) {
      gn.push({ gamma: p.add(`norm${i}.weight`, [C]), beta: p.add(`norm${i}.bias`, [C]) });
      if (i < 3) convs.push(p.conv3x3(`conv${i}`, conv));
    }
    this.gn = gn;
    [this.conv1, this.conv2] = convs;
    this.norm = { channels: C, groups, plane: height * width };
    this.layout = p.entries;
    this.size = p.size;
  }

  /** Group norms γ = 1, β = 0; convolutions U(±1/√fan_in) (PyTorch's defaults). */
  initialise(P: Float64Array, rng: Rng): void {
    initLayout(P, this.layout, gnConvInit(fromUniform(rng)));
  }

  newRecord(B: number): ConvBlockRecord {
    const n = this.shape.channels * B * this.norm.plane;
    const g = B * this.shape.groups;
    const a = (k: number): Float64Array => new Float64Array(k);
    return { batch: B, xhat1: a(n), r1: a(n), xhat2: a(n), r2: a(n), xhat3: a(n), inv1: a(g), inv2: a(g), inv3: a(g) };
  }

  /** out = f(t, x) for x [C × B·plane]; fills rec (made by newRecord(B)) for backward. */
  forward(P: Float64Array, x: Float64Array, B: number, t: number, rec: ConvBlockRecord, out: Float64Array): void {
    const [a, b] = scratch(x.length);
    const [n1, n2, n3] = this.gn;
    groupNormForward(P, n1.gamma, n1.beta, this.norm, x, B, a, rec.xhat1, rec.inv1);
    relu(a, rec.r1);
    this.conv1.forward(P, rec.r1, B, t, a);
    groupNormForward(P, n2.gamma, n2.beta, this.norm, a, B, b, rec.xhat2, rec.inv2);
    relu(b, rec.r2);
    this.conv2.forward(P, rec.r2, B, t, a);
    groupNormForward(P, n3.gamma, n3.beta, this.norm, a, B, out, rec.xhat3, rec.inv3);
  }

  /** Adds gᵀ∂f/∂θ into G (laid out as P) and writes gᵀ∂f/∂x into gx, for the cotangent g of forward's out. */
  backward(P: Float64Array, G: Float64Array, rec: ConvBlockRecord, t: number, g: Float64Array, gx: Float64Array): void {
    const B = rec.batch;
    const [a, b] = scratch(g.length);
    const [n1, n2, n3] = this.gn;
    groupNormBackward(P, G, n3.gamma, n3.beta, this.norm, rec.xhat3, rec.inv3, B, g, a);
    this.conv2.backward(P, G, rec.r2, B, t, a, b);
    reluBackward(rec.r2, b);
    groupNormBackward(P, G, n2.gamma, n2.beta, this.norm, rec.xhat2, rec.inv2, B, b, a);
    this.conv1.backward(P, G, rec.r1, B, t, a, b);
    reluBackward(rec.r1, b);
    groupNormBackward(P, G, n1.gamma, n1.beta, this.norm, rec.xhat1, rec.inv1, B, b, gx);
  }
}
