/**
 * FFJORD's concat-time MLP, f(t, z) = L_n([h_{n−1}, t]) with h_k = σ(L_k([h_{k−1}, t])), h_0 = z,
 * together with the two derivatives a continuous normalising flow needs:
 *
 *   s(t, z) = Σ_c ε_cᵀ (∂f/∂z) ε_c          (Hutchinson: one ε; exact trace: ε_c = e_1 … e_d)
 *
 * computed in forward mode (tangents v_k = ∂h_k/∂z · ε alongside the hidden layers), and the
 * VJP of the pair (f, s) in (z, θ): reverse mode through the forward pass *and* its tangents,
 *
 *   ū_n = a_f,  dū_n = g·ε   (g: weight of s per sample; for −tr J it is −a_logp)
 *   W̄_k += ū_k [h_{k−1}, t]ᵀ + Σ_c dū_k,c [v_{k−1,c}, 0]ᵀ,   b̄_k += ū_k
 *   h̄_{k−1} = A_kᵀ ū_k,   v̄_{k−1,c} = A_kᵀ dū_k,c           (A_k: W_k without its t column)
 *   ū_{k−1} = σ'(u_{k−1})·h̄_{k−1} + σ''(u_{k−1})·Σ_c v̄_{k−1,c}·du_{k−1,c},   dū_{k−1,c} = σ'(u_{k−1})·v̄_{k−1,c}
 *   z̄ = A_1ᵀ ū_1
 *
 * (u: pre-activations; du_{k,c} = A_k v_{k−1,c} their tangents; v_k = σ'(u_k)·du_k). The σ''
 * term is the Hessian-vector part that makes the gradient of the trace exact. Plain float64
 * loops, batch-major [batch·d]; work buffers are kept for the largest batch seen.
 */
import { pickActivations, scalarActivation } from '../layers/activations';
import { fromRand, initLayout, seededRandom, uniformInit } from '../layers/init';
import { ParamLayout, type ParamEntry } from '../layers/paramLayout';

/** Smooth activations only: the trace's gradient needs σ''. */
export const CNF_ACTIVATIONS = pickActivations(['tanh', 'softplus']);
export type CnfActivation = (typeof CNF_ACTIVATIONS)[number];

interface Layer {
  /** Inputs without t (the previous width); the weight row has nPrev + 1 entries, t last. */
  nPrev: number;
  nOut: number;
  w: number;
  b: number;
}

export interface ConcatMlpResult {
  /** f(t, z), [batch·d]; a work buffer, valid until the next call. */
  f: Float64Array;
  /** s per sample, [batch] (zeros when no tangents were asked for); a work buffer. */
  s: Float64Array;
}

export class ConcatMlp {
  readonly params: Float64Array;
  readonly layout: readonly ParamEntry[];
  private readonly layers: Layer[];
  /** σ, σ' and σ'' from the layer library's table. */
  private readonly sigma: (z: number) => number;
  private readonly sigma1: (z: number, a: number) => number;
  private readonly sigma2: (z: number, a: number, d: number) => number;
  // per layer: pre-activation slopes σ', σ'' and outputs (hidden layers), tangents du and v per channel
  private cap = 0;
  private chanCap = 0;
  private H: Float64Array[] = [];
  private S1: Float64Array[] = [];
  private S2: Float64Array[] = [];
  private DU: Float64Array[][] = [];
  private V: Float64Array[][] = [];
  private out = new Float64Array(0);
  private sOut = new Float64Array(0);
  private ub = [new Float64Array(0), new Float64Array(0)];
  private dub: Float64Array[][] = [[], []];

  constructor(
    readonly dim: number,
    readonly hidden: readonly number[],
    readonly activation: CnfActivation,
    seed: number,
    init?: ArrayLike<number>,
  ) {
    const widths = [dim, ...hidden, dim];
    const layers: Layer[] = [];
    const p = new ParamLayout();
    for (let k = 0; k + 1 < widths.length; k++) {
      const nPrev = widths[k];
      const { nOut, w, b } = p.dense(`${2 * k}`, nPrev + 1, widths[k + 1]);
      layers.push({ nPrev, nOut, w, b });
    }
    const offset = p.size;
    this.layers = layers;
    this.layout = p.entries;
    const act = scalarActivation(activation);
    this.sigma = act.value;
    this.sigma1 = act.derivative;
    this.sigma2 = act.second!;
    this.params = new Float64Array(offset);
    if (init) {
      if (init.length !== offset) {
        throw new RangeError(`cnfField: init has ${init.length} values but this network has ${offset} parameters. Check dim and hidden.`);
      }
      this.params.set(init);
    } else {
      // nn.Linear's default: U(−1/√fan_in, 1/√fan_in), fan_in counting the t column
      initLayout(this.params, this.layout, uniformInit(fromRand(seededRandom(seed))));
    }
  }

  private ensure(batch: number, channels: number): void {
    const L = this.layers;
    if (batch > this.cap) {
      this.cap = batch;
      this.chanCap = 0;
      this.H = L.slice(0, -1).map((l) => new Float64Array(batch * l.nOut));
      this.S1 = L.slice(0, -1).map((l) => new Float64Array(batch * l.nOut));
      this.S2 = L.slice(0, -1).map((l) => new Float64Array(batch * l.nOut));
      this.out = new Float64Array(batch * this.dim);
      this.sOut = new Float64Array(batch);
      const widest = Math.max(this.dim, ...this.hidden);
      this.ub = [new Float64Array(batch * widest), new Float64Array(batch * widest)];
    }
    if (channels > this.chanCap) {
      this.chanCap = channels;
      const widest = Math.max(this.dim, ...this.hidden);
      this.DU = L.map((l) => Array.from({ length: channels }, () => new Float64Array(this.cap * l.nOut)));
      this.V = L.slice(0, -1).map((l) => Array.from({ length: channels }, () => new Float64Array(this.cap * l.nOut)));
      this.dub = [0, 1].map(() => Array.from({ length: channels }, () => new Float64Array(this.cap * widest)));
    }
  }

  /**
   * f(t, z) and, for tangents ε_c (each [batch·d]), s = Σ_c ε_c·(∂f/∂z)ε_c per sample. The
   * activations and tangents stay in the work buffers for a `backward` at the same point.
   */
  forward(t: number, z: Float64Array, eps: readonly Float64Array[]): ConcatMlpResult {
    const d = this.dim;
    const batch = z.length / d;
    const C = eps.length;
    this.ensure(batch, C);
    const P = this.params;
    const L = this.layers;
    const last = L.length - 1;
    const { sigma, sigma1, sigma2 } = this;
    let hPrev = z;
    let vPrev: readonly Float64Array[] = eps;
    for (let k = 0; k <= last; k++) {
      const { nPrev, nOut, w, b } = L[k];
      const row = nPrev + 1;
      const hidden = k < last;
      const H = hidden ? this.H[k] : this.out;
      const DU = this.DU[k];
      for (let n = 0; n < batch; n++) {
        const xo = n * nPrev;
        for (let o = 0; o < nOut; o++) {
          const wo = w + o * row;
          let u = P[b + o] + P[wo + nPrev] * t;
          for (let i = 0; i < nPrev; i++) u += P[wo + i] * hPrev[xo + i];
          const at = n * nOut + o;
          for (let c = 0; c < C; c++) {
            const v = vPrev[c];
            let du = 0;
            for (let i = 0; i < nPrev; i++) du += P[wo + i] * v[xo + i];
            DU[c][at] = du;
          }
          if (!hidden) {
            H[at] = u;
            continue;
          }
          const h = sigma(u);
          const s1 = sigma1(u, h);
          const s2 = sigma2(u, h, s1);
          H[at] = h;
          this.S1[k][at] = s1;
          this.S2[k][at] = s2;
          for (let c = 0; c < C; c++) this.V[k][c][at] = s1 * DU[c][at];
        }
      }
      hPrev = H;
      vPrev = hidden ? this.V[k] : [];
    }
    const s = this.sOut;
    const DUn = this.DU[last];
    for (let n = 0; n < batch; n++) {
      let acc = 0;
      for (let c = 0; c < C; c++) {
        const e = eps[c];
        const du = DUn[c];
        for (let i = 0; i < d; i++) acc += e[n * d + i] * du[n * d + i];
      }
      s[n] = acc;
    }
    return { f: this.out.subarray(0, batch * d), s: s.subarray(0, batch) };
  }

  /**
   * The VJP of (f, s) at the point of the last `forward` (same t, z, ε): the gradient of
   * Σ_n [aF_n·f_n + g_n·s_n] in z (returned, new) and in θ (added into `gParams`).
   */
  backward(t: number, z: Float64Array, eps: readonly Float64Array[], aF: Float64Array, g: Float64Array | null, gParams: Float64Array): Float64Array {
    const d = this.dim;
    const batch = z.length / d;
    const C = g ? eps.length : 0;
    const P = this.params;
    const L = this.layers;
    const last = L.length - 1;
    let ub = aF;
    let dub: Float64Array[] = [];
    if (C > 0) {
      dub = this.dub[0].slice(0, C);
      for (let c = 0; c < C; c++) {
        const e = eps[c];
        const out = dub[c];
        for (let n = 0; n < batch; n++) {
          const gn = g![n];
          for (let i = 0; i < d; i++) out[n * d + i] = gn * e[n * d + i];
        }
      }
    }
    const gz = new Float64Array(batch * d);
    let flip = 1;
    for (let k = last; k >= 0; k--) {
      const { nPrev, nOut, w, b } = L[k];
      const row = nPrev + 1;
      const hPrev = k > 0 ? this.H[k - 1] : z;
      const vPrev = k > 0 ? this.V[k - 1] : eps;
      // parameter gradients of layer k
      for (let o = 0; o < nOut; o++) {
        const wo = w + o * row;
        let gb = 0;
        for (let n = 0; n < batch; n++) {
          const u = ub[n * nOut + o];
          if (u === 0) continue;
          gb += u;
          const xo = n * nPrev;
          for (let i = 0; i < nPrev; i++) gParams[wo + i] += u * hPrev[xo + i];
        }
        gParams[b + o] += gb;
        gParams[wo + nPrev] += gb * t;
        for (let c = 0; c < C; c++) {
          const du = dub[c];
          const v = vPrev[c];
          for (let n = 0; n < batch; n++) {
            const q = du[n * nOut + o];
            if (q === 0) continue;
            const xo = n * nPrev;
            for (let i = 0; i < nPrev; i++) gParams[wo + i] += q * v[xo + i];
          }
        }
      }
      // cotangents of the layer's inputs (t's column excluded)
      const hb = k > 0 ? this.ub[flip] : gz;
      const vb = C > 0 && k > 0 ? this.dub[flip].slice(0, C) : [];
      for (let n = 0; n < batch; n++) {
        for (let i = 0; i < nPrev; i++) {
          let acc = 0;
          for (let o = 0; o < nOut; o++) acc += P[w + o * row + i] * ub[n * nOut + o];
          hb[n * nPrev + i] = acc;
        }
        for (let c = 0; c < vb.length; c++) {
          const du = dub[c];
          const out = vb[c];
          for (let i = 0; i < nPrev; i++) {
            let acc = 0;
            for (let o = 0; o < nOut; o++) acc += P[w + o * row + i] * du[n * nOut + o];
            out[n * nPrev + i] = acc;
          }
        }
      }
      if (k === 0) break;
      // back through σ of layer k − 1: h̄ → ū with the σ'' term from the tangents
      const S1 = this.S1[k - 1];
      const S2 = this.S2[k - 1];
      const DU = this.DU[k - 1];
      const m = batch * nPrev;
      for (let j = 0; j < m; j++) {
        let extra = 0;
        for (let c = 0; c < vb.length; c++) {
          extra += vb[c][j] * DU[c][j];
          vb[c][j] *= S1[j];
        }
        hb[j] = hb[j] * S1[j] + S2[j] * extra;
      }
      ub = hb;
      dub = vb;
      flip = 1 - flip;
    }
    return gz;
  }
}
