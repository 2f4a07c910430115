/**
 * Discrete networks read as numerical schemes for u_t = f(u): an input layer maps a sample to
 * u_0, then layer n advances u_n to u_{n+1} with its own block f_n (forward Euler for ResNet,
 * the two-step LM scheme for LM-ResNet, an unrolled explicit RK method for RK-Net). The
 * backward pass is written out by hand, exact through every layer, k_n included.
 *
 * Training-only randomness (stochastic depth's dropped branches, injected noise) is drawn from
 * the Rng passed to forward, so a seed fixes it; at test time every branch is scaled by its
 * survival probability (Huang et al.), the expectation of the training branch.
 */
import { Rng } from '../data/rng';
import { fromUniform, initLayout, uniformInit } from '../layers/init';
import { ParamLayout, type ParamEntry } from '../layers/paramLayout';
import { ConvBlock, ConvInput, DenseInput, MlpBlock, type BlockRecord, type InputLayer, type ResidualBlock } from './blocks';
import { checkOptions, type Architecture, type CheckedOptions, type DiscreteNetworkOptions } from './options';

export interface ForwardOptions {
  /** Draw stochastic depth and noise (when the network has them) from `rng`. Default false: test mode. */
  training?: boolean;
  rng?: Rng;
}

/** One layer of one forward pass: what the backward pass needs. */
export interface LayerRecord {
  /** The residual branch's factor: 0 or 1 while training with stochastic depth, p_n at test time, else 1. */
  eta: number;
  /** One record per block evaluation (RK: per stage); empty when the branch was dropped. */
  evals: BlockRecord[];
}

/** A forward pass: the states u_0 … u_L and the records of every layer. */
export interface NetworkTape {
  readonly x: Float64Array;
  readonly batch: number;
  /** states[n] is u_n [batch × width]; states[depth] is the output. */
  readonly states: Float64Array[];
  readonly layers: readonly LayerRecord[];
  /** Block evaluations made. */
  readonly evaluations: number;
}

export class DiscreteNetwork {
  readonly kind = 'discrete-network' as const;
  readonly architecture: Architecture;
  /** Components of an input sample. */
  readonly dim: number;
  readonly width: number;
  readonly depth: number;
  /** Every parameter, live: input layer, blocks, then k (LM only), laid out as `layout` says. */
  readonly params: Float64Array;
  readonly layout: readonly ParamEntry[];
  readonly options: CheckedOptions;
  private readonly blocks: ResidualBlock[] = [];
  private readonly input: InputLayer;
  /** Offset of k_1 … k_{L−1} in params (−1 without). */
  private readonly kOffset: number;

  constructor(opts: DiscreteNetworkOptions) {
    const o = checkOptions(opts);
    this.options = o;
    this.architecture = o.architecture;
    this.dim = o.inputDim;
    this.width = o.width;
    this.depth = o.depth;
    const p = new ParamLayout();
    const { width: W, hidden: H, inputDim: D, conv: c } = o;
    if (c) {
      const image = { height: c.height, width: c.width };
      this.input = new ConvInput(p.conv3x3('input', { cin: c.inChannels, cout: c.channels, ...image }));
      for (let n = 0; n < o.depth; n++) {
        this.blocks.push(new ConvBlock(o.activation, p.conv3x3(`blocks.${n}.0`, { cin: c.channels, cout: H, ...image }), p.conv3x3(`blocks.${n}.2`, { cin: H, cout: c.channels, ...image })));
      }
    } else {
      this.input = new DenseInput(p.dense('input', D, W));
      for (let n = 0; n < o.depth; n++) this.blocks.push(new MlpBlock(o.activation, p.dense(`blocks.${n}.0`, W, H), p.dense(`blocks.${n}.2`, H, W)));
    }
    this.kOffset = o.architecture === 'lm' ? p.add('k', [o.depth - 1]) : -1;
    this.layout = p.entries;
    this.params = new Float64Array(p.size);
    this.initialise();
  }

  /** PyTorch's nn.Linear and nn.Conv2d initialisation, U(±1/√fan_in), for weights and biases; k_n from kInit. */
  private initialise(): void {
    const rng = new Rng(this.options.seed);
    const P = this.params;
    // k comes last in the layout, so the layers' draws come first, as they always have
    initLayout(P, this.layout.filter((e) => e.name !== 'k'), uniformInit(fromUniform(rng)));
    if (this.kOffset >= 0) {
      const [lo, hi] = this.options.kInit;
      for (let i = 0; i < this.depth - 1; i++) P[this.kOffset + i] = lo === hi ? lo : rng.uniform(lo, hi);
    }
  }

  /** A live view of one named parameter (e.g. `blocks.0.2.weight`, `k`). */
  param(name: string): Float64Array {
    const e = this.layout.find((p) => p.name === name);
    if (!e) throw new RangeError(`discreteNetwork has no parameter '${name}'; it has ${this.layout.map((p) => p.name).join(', ')}.`);
    return this.params.subarray(e.offset, e.offset + e.size);
  }

  /** k_n of layer n (1 ≤ n < depth) of an LM network; 0 for layer 0 (a ResNet step). */
  k(n: number): number {
    if (this.kOffset < 0) throw new RangeError(`discreteNetwork.k: architecture '${this.architecture}' has no k_n; only 'lm' does.`);
    if (!Number.isInteger(n) || n < 0 || n >= this.depth) throw new RangeError(`discreteNetwork.k: layer ${n} is not in 0 … ${this.depth - 1}.`);
    return n === 0 ? 0 : this.params[this.kOffset + n - 1];
  }

  /** Survival probability of layer n's residual branch (1 without stochastic depth). */
  survival(n: number): number {
    const pL = this.options.finalSurvival;
    return pL === null ? 1 : 1 - ((n + 1) / this.depth) * (1 - pL);
  }

  /** Samples in x, checking that it is [batch × dim]. */
  private batchOf(x: Float64Array, where: string): number {
    if (!(x instanceof Float64Array)) throw new TypeError(`discreteNetwork.${where}: x must be a Float64Array [batch × ${this.dim}], got ${Object.prototype.toString.call(x)}.`);
    const B = x.length / this.dim;
    if (!Number.isInteger(B) || B < 1) {
      throw new RangeError(
        `discreteNetwork.${where}: x has ${x.length} values, not a whole number ≥ 1 of samples of inputDim ${this.dim}; ` +
          `pass the batch row-major as [batch × ${this.dim}], or build the network with the data's dimension as inputDim.`,
      );
    }
    return B;
  }

  /** The output states u_L [batch × width] and the tape for backward. */
  forward(x: Float64Array, opts: ForwardOptions = {}): NetworkTape {
    const B = this.batchOf(x, 'forward');
    const o = this.options;
    const training = opts.training ?? false;
    const random = training && (o.finalSurvival !== null || o.noise > 0);
    if (random && !(opts.rng instanceof Rng)) {
      throw new TypeError('discreteNetwork.forward: training with stochastic depth or noise draws random numbers: pass { training: true, rng: new Rng(seed) }.');
    }
    const rng = opts.rng;
    const P = this.params;
    const states = [this.input.forward(P, x, B)];
    const layers: LayerRecord[] = [];
    let evaluations = 0;
    for (let n = 0; n < this.depth; n++) {
      const p = this.survival(n);
      // Bernoulli(p) while training, its mean p at test time
      const eta = p === 1 ? 1 : training ? (rng!.random() < p ? 1 : 0) : p;
      const u = states[n];
      const next = new Float64Array(u.length);
      const rec: LayerRecord = { eta, evals: [] };
      if (eta !== 0) {
        const incr = this.increment(n, u, B, rec);
        evaluations += rec.evals.length;
        for (let i = 0; i < next.length; i++) next[i] = eta * incr[i];
      }
      if (this.kOffset >= 0 && n > 0) {
        const k = P[this.kOffset + n - 1];
        const prev = states[n - 1];
        for (let i = 0; i < next.length; i++) next[i] += (1 - k) * u[i] + k * prev[i];
      } else {
        for (let i = 0; i < next.length; i++) next[i] += u[i];
      }
      if (training && o.noise > 0) for (let i = 0; i < next.length; i++) next[i] += o.noise * rng!.normal();
      states.push(next);
      layers.push(rec);
    }
    return { x, batch: B, states, layers, evaluations };
  }

  /** The output u_L of a test-mode forward pass. */
  predict(x: Float64Array): Float64Array {
    return this.forward(x).states[this.depth];
  }

  /**
   * Layer n's residual increment at the states u [batch × width]: f_n(u) for ResNet and
   * LM-ResNet, Σ b_i K_i of the RK method for RK-Net; without the stochastic-depth factor.
   */
  branch(n: number, u: Float64Array): Float64Array {
    if (!Number.isInteger(n) || n < 0 || n >= this.depth) throw new RangeError(`discreteNetwork.branch: layer ${n} is not in 0 … ${this.depth - 1}.`);
    const B = u.length / this.width;
    if (!Number.isInteger(B) || B < 1) {
      throw new RangeError(`discreteNetwork.branch: u has ${u.length} values, not a whole number of states of width ${this.width}; pass [batch × ${this.width}].`);
    }
    return this.increment(n, u, B, { eta: 1, evals: [] });
  }

  /** Layer n's residual increment from u: f_n(u), or Σ b_i K_i of the RK method, recording each evaluation. */
  private increment(n: number, u: Float64Array, B: number, rec: LayerRecord): Float64Array {
    const block = this.blocks[n];
    const tab = this.options.tableau;
    if (!tab) {
      const { f, record } = block.forward(this.params, u, B);
      rec.evals.push(record);
      return f;
    }
    const K: Float64Array[] = [];
    const out = new Float64Array(u.length);
    for (let i = 0; i < tab.stages; i++) {
      let z = u;
      const row = tab.a[i];
      if (row.some((a) => a !== 0)) {
        z = Float64Array.from(u);
        row.forEach((a, j) => {
          if (a !== 0) for (let q = 0; q < z.length; q++) z[q] += a * K[j][q];
        });
      }
      const { f, record } = block.forward(this.params, z, B);
      rec.evals.push(record);
      K.push(f);
      const b = tab.b[i];
      if (b !== 0) for (let q = 0; q < out.length; q++) out[q] += b * f[q];
    }
    return out;
  }

  /**
   * dL/dθ (laid out as params) and dL/dx from the cotangent dL/du_L [batch × width] of the
   * tape's output: the reverse sweep of the unrolled scheme.
   */
  backward(tape: NetworkTape, gOut: Float64Array): { params: Float64Array; x: Float64Array } {
    const B = tape.batch;
    const W = this.width;
    if (!(gOut instanceof Float64Array) || gOut.length !== B * W) {
      throw new RangeError(
        `discreteNetwork.backward: the cotangent has ${gOut?.length} values but the output is [${B} × ${W}]; ` +
          'pass dL/du_L of the same forward pass, batch-major.',
      );
    }
    if (tape.states.length !== this.depth + 1) throw new RangeError('discreteNetwork.backward: this tape comes from a network of another depth.');
    const P = this.params;
    const G = new Float64Array(P.length);
    const L = this.depth;
    // ū_n, accumulated from the layers that read u_n (one, or two for the LM scheme)
    const bar: (Float64Array | null)[] = new Array(L + 1).fill(null);
    bar[L] = Float64Array.from(gOut);
    const addInto = (n: number, v: Float64Array, c: number): void => {
      const t = (bar[n] ??= new Float64Array(B * W));
      for (let i = 0; i < t.length; i++) t[i] += c * v[i];
    };
    for (let n = L - 1; n >= 0; n--) {
      const g = bar[n + 1]!;
      const u = tape.states[n];
      if (this.kOffset >= 0 && n > 0) {
        const k = P[this.kOffset + n - 1];
        const prev = tape.states[n - 1];
        let dk = 0;
        for (let i = 0; i < g.length; i++) dk += g[i] * (prev[i] - u[i]);
        G[this.kOffset + n - 1] += dk;
        addInto(n, g, 1 - k);
        addInto(n - 1, g, k);
      } else {
        addInto(n, g, 1);
      }
      const rec = tape.layers[n];
      if (rec.eta !== 0) {
        const gi = new Float64Array(g.length);
        for (let i = 0; i < g.length; i++) gi[i] = rec.eta * g[i];
        this.incrementBackward(n, rec, B, gi, G, (v) => addInto(n, v, 1));
      }
      bar[n + 1] = null;
    }
    return { params: G, x: this.input.backward(P, G, tape.x, B, bar[0]!) };
  }

  /** Reverse of `increment`: from the increment's cotangent g, adds dL/dθ of block n into G and hands its part of ū_n to `toU`. */
  private incrementBackward(n: number, rec: LayerRecord, B: number, g: Float64Array, G: Float64Array, toU: (v: Float64Array) => void): void {
    const block = this.blocks[n];
    const tab = this.options.tableau;
    if (!tab) {
      toU(block.backward(this.params, G, rec.evals[0], B, g));
      return;
    }
    const s = tab.stages;
    const Kbar = tab.b.map((b) => {
      const v = new Float64Array(g.length);
      if (b !== 0) for (let q = 0; q < v.length; q++) v[q] = b * g[q];
      return v;
    });
    for (let i = s - 1; i >= 0; i--) {
      const zbar = block.backward(this.params, G, rec.evals[i], B, Kbar[i]);
      toU(zbar);
      tab.a[i].forEach((a, j) => {
        if (a !== 0) for (let q = 0; q < zbar.length; q++) Kbar[j][q] += a * zbar[q];
      });
    }
  }
}

export function discreteNetwork(opts: DiscreteNetworkOptions): DiscreteNetwork {
  return new DiscreteNetwork(opts);
}

export function isDiscreteNetwork(x: unknown): x is DiscreteNetwork {
  return x instanceof DiscreteNetwork;
}
