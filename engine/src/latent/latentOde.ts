/**
 * The latent ODE model (Chen et al. 2018, §5): an RNN encoder read backwards over the
 * observations gives q(z0) = N(μ, σ²); z0 = μ + σ ⊙ ε flows under a latent vector field
 * (an mlpField) to every observation time, and a decoder maps z(t) to the observation. The model
 * is the field itself as a NativeField, so solvers, gradients and checkpoints treat it as any
 * field; the encoder's and decoder's weights live beside it in `extra`.
 */
import type { ActivationName } from '../fields/activations';
import type { NativeField } from '../fields/field';
import { mlpField, type MlpField } from '../fields/mlpField';
import { denseAt, denseSize, type DenseLayer } from '../layers/dense';
import { fromRand, initDense, seededRandom } from '../layers/init';
import { cellSize, initCell, type CellKind, type CellSpec } from './rnnCell';
import { fitScale } from './scale';

export interface LatentOdeOptions {
  /** Components of z (default 4). */
  latentDim?: number;
  /** Components of each observation (default 2: the spirals). */
  obsDim?: number;
  /** Hidden units of the encoder's RNN cell (default 25). */
  encoderHidden?: number;
  /** The encoder's cell: 'gru' (default) or 'tanh', an Elman cell. */
  encoderCell?: CellKind;
  /** Hidden widths of the latent field (default [20]). */
  fieldHidden?: number | number[];
  /** Hidden units of the decoder (default 20; 0: a linear decoder). */
  decoderHidden?: number;
  /** The fixed observation noise std of the likelihood (default 0.3). */
  obsStd?: number;
  /** The latent field's activation (default 'tanh'). */
  activation?: ActivationName;
  seed?: number;
}

/** Where the encoder's and decoder's weights lie in `extra`, and the likelihood's noise. */
export interface LatentOdeLayout {
  latentDim: number;
  obsDim: number;
  obsStd: number;
  /** The encoder's cell reads [y, Δt]. */
  cell: CellSpec;
  /** Encoder head: hidden state → [μ, log σ²]. */
  head: DenseLayer;
  /** Decoder: z → hidden (tanh) → y, or z → y when dec1 is null. */
  dec1: DenseLayer | null;
  dec2: DenseLayer;
  /** Length of `extra`. */
  size: number;
  /**
   * The observations' scale: the encoder reads (y − mean) / std and the decoder's output is
   * std ⊙ out + mean, so the networks work on values of order one. Fixed, not trained: set from
   * the training observations (fitObservationScale) before training and again before use.
   */
  scale: { mean: Float64Array; std: Float64Array };
  options: Required<Omit<LatentOdeOptions, 'fieldHidden'>> & { fieldHidden: number[] };
}

export interface LatentOdeModel extends NativeField {
  readonly dim: number;
  readonly latentOde: LatentOdeLayout;
  /** Encoder and decoder weights (the latent field's are `params`). */
  readonly extra: Float64Array;
  readonly field: MlpField;
}

export const isLatentOde = (m: unknown): m is LatentOdeModel =>
  typeof m === 'object' && m !== null && (m as LatentOdeModel).kind === 'native' && typeof (m as LatentOdeModel).latentOde === 'object';

const positiveInt = (name: string, v: number, min = 1): number => {
  if (!Number.isInteger(v) || v < min) throw new RangeError(`latentOde: ${name} must be a whole number ≥ ${min}, got ${v}.`);
  return v;
};

/** The layout of the encoder and decoder for these sizes. */
export function latentLayout(o: LatentOdeLayout['options']): LatentOdeLayout {
  const L = o.latentDim;
  const cell: CellSpec = { nIn: o.obsDim + 1, hidden: o.encoderHidden, offset: 0, kind: o.encoderCell };
  let at = cellSize(cell.nIn, cell.hidden, cell.kind);
  const head = denseAt(o.encoderHidden, 2 * L, at);
  at += denseSize(head.nIn, head.nOut);
  let dec1: DenseLayer | null = null;
  if (o.decoderHidden > 0) {
    dec1 = denseAt(L, o.decoderHidden, at);
    at += denseSize(L, o.decoderHidden);
  }
  const dec2 = denseAt(dec1 ? o.decoderHidden : L, o.obsDim, at);
  at += denseSize(dec2.nIn, dec2.nOut);
  const scale = { mean: new Float64Array(o.obsDim), std: new Float64Array(o.obsDim).fill(1) };
  return { latentDim: L, obsDim: o.obsDim, obsStd: o.obsStd, cell, head, dec1, dec2, size: at, scale, options: o };
}

/**
 *   model: () => latentOde({ latentDim: 4, encoderHidden: 25, fieldHidden: 20, decoderHidden: 20 })
 */
export function latentOde(opts: LatentOdeOptions = {}): LatentOdeModel {
  const fieldHidden = opts.fieldHidden === undefined ? [20] : typeof opts.fieldHidden === 'number' ? [opts.fieldHidden] : [...opts.fieldHidden];
  const o: LatentOdeLayout['options'] = {
    latentDim: positiveInt('latentDim', opts.latentDim ?? 4),
    obsDim: positiveInt('obsDim', opts.obsDim ?? 2),
    encoderHidden: positiveInt('encoderHidden', opts.encoderHidden ?? 25),
    encoderCell: opts.encoderCell ?? 'gru',
    fieldHidden: fieldHidden.map((h) => positiveInt('fieldHidden', h)),
    decoderHidden: positiveInt('decoderHidden', opts.decoderHidden ?? 20, 0),
    obsStd: opts.obsStd ?? 0.3,
    activation: opts.activation ?? 'tanh',
    seed: opts.seed ?? 0,
  };
  if (o.encoderCell !== 'gru' && o.encoderCell !== 'tanh') throw new RangeError(`latentOde: encoderCell must be 'gru' or 'tanh', got '${String(o.encoderCell)}'.`);
  if (!(o.obsStd > 0 && Number.isFinite(o.obsStd))) throw new RangeError(`latentOde: obsStd must be a finite number > 0, got ${o.obsStd}.`);
  const layout = latentLayout(o);
  const field = mlpField({ sizes: [o.latentDim, ...o.fieldHidden, o.latentDim], activation: o.activation, seed: o.seed });
  const extra = new Float64Array(layout.size);
  const rand = seededRandom(o.seed + 1);
  initCell(extra, layout.cell, rand);
  const draw = fromRand(rand);
  for (const d of [layout.head, layout.dec1, layout.dec2]) {
    if (d) initDense(extra, d, draw);
  }
  return {
    kind: 'native',
    dim: o.latentDim,
    params: field.params,
    f: (t, y) => field.f(t, y),
    vjp: (t, y, a) => field.vjp(t, y, a),
    fAndVjp: (t, y, a) => field.fAndVjp(t, y, a),
    tape: () => field.tape(),
    latentOde: layout,
    extra,
    field,
  };
}

/** Sets the model's observation scale to the mean and std of each component over these observations. */
export function fitObservationScale(model: LatentOdeModel, observations: readonly Float64Array[]): void {
  fitScale(model.latentOde.scale, observations);
}
