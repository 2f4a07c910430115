/**
 * What model.py must compute, read off the experiment's field: an mlpField at the core, seen
 * through input maps (mapInput) and augmentation. Everything else is refused, with the reason.
 */
import type { NativeField } from '../fields/field';
import type { ParamEntry } from '../fields/mlpLayout';
import { exportRefused, SUPPORTED_MODELS } from './exportError';
import { recoverInputMap, type InputMap } from './inputMap';
import type { ExperimentModel } from '../experiments/define';
import { modelRecord } from '../experiments/runDefinition';

/** The registry's kinds in words, for the refusal. */
const KIND_WORDS: Record<string, string> = {
  tfjs: "the user's own TensorFlow.js model (a tensorField, or a tf.LayersModel the engine does not compile to an mlpField)",
  cnf: 'a continuous normalising flow (cnfField)',
  latentOde: 'a latent ODE (latentOde)',
  discreteNetwork: 'a discrete network (discreteNetwork)',
  odeNet: 'an ODE-Net classifier (odeNet)',
  vectorField: 'a native vector field other than mlpField',
};

export interface ModelPlan {
  /** The mlpField's sizes, activation and time input. */
  sizes: number[];
  activation: string;
  timeDependent: boolean;
  /** The parameters by name and shape, in the order of the engine's vector (state_dict order). */
  layout: readonly ParamEntry[];
  /** Elementwise maps of the state, applied in this order before the MLP. */
  inputMaps: InputMap[];
  /** Augmentation: the data's dimension and the zeros each sample is padded with. */
  augment?: { dataDim: number; extraDims: number };
  /** The state dimension the solver integrates. */
  dim: number;
  /** What the model is, in words (model.py's docstring). */
  description: string;
}

interface MlpLike extends NativeField {
  sizes: readonly number[];
  activation: string;
  timeDependent: boolean;
  layout: readonly ParamEntry[];
  precision?: string;
}

const isMlp = (f: object): f is MlpLike =>
  Array.isArray((f as MlpLike).sizes) && typeof (f as MlpLike).activation === 'string' && typeof (f as MlpLike).timeDependent === 'boolean' && Array.isArray((f as MlpLike).layout);

const isAugmented = (f: object): f is NativeField & { base: NativeField; dataDim: number; extraDims: number } =>
  typeof (f as { extraDims?: unknown }).extraDims === 'number' && typeof (f as { augment?: unknown }).augment === 'function' && 'base' in f;

/** The activations model.py writes in torch (the engine's formulas, so values agree to rounding). */
export const TORCH_ACTIVATIONS: Record<string, string> = {
  tanh: 'torch.tanh(z)',
  // log(1 + e^z) as the engine computes it; F.softplus switches to z above 20.
  softplus: 'torch.clamp(z, min=0) + torch.log1p(torch.exp(-torch.abs(z)))',
  relu: 'torch.relu(z)',
  swish: 'z * torch.sigmoid(z)',
  silu: 'z * torch.sigmoid(z)',
  sigmoid: 'torch.sigmoid(z)',
};

/** The plan of `model` (what buildAnyTrainable gave: a tf.sequential is already an mlpField there). */
export function modelPlan(model: object): ModelPlan {
  const maps: InputMap[] = [];
  let augment: ModelPlan['augment'];
  let f = model as NativeField & { base?: NativeField; kind?: string };
  for (let depth = 0; depth < 8; depth++) {
    if (isMlp(f)) {
      if (!(f.activation in TORCH_ACTIVATIONS)) throw exportRefused(`the mlpField's activation '${f.activation}' has no PyTorch counterpart here. Supported: ${SUPPORTED_MODELS}.`);
      const parts = [`mlpField [${f.sizes.join(', ')}] ${f.activation}${f.timeDependent ? ' with t as the last input' : ''}`];
      for (const m of maps) parts.push(`applied to ${m.python}`);
      if (augment) parts.push(`augmented by ${augment.extraDims} zero component(s)`);
      return {
        sizes: [...f.sizes],
        activation: f.activation,
        timeDependent: f.timeDependent,
        layout: f.layout,
        inputMaps: maps,
        augment,
        dim: f.sizes[0],
        description: parts.join(', '),
      };
    }
    if (f.kind !== 'native' || !f.base) break;
    if (isAugmented(f)) {
      augment = { dataDim: f.dataDim, extraDims: f.extraDims };
    } else {
      const dim = (f.base as { dim?: number }).dim ?? (f as { dim?: number }).dim;
      if (dim === undefined) break;
      const map = recoverInputMap(f, f.base, dim);
      if (!map) {
        throw exportRefused(
          "the model applies mapInput with a map that could not be written in Python: give it as a one-argument arrow function of arithmetic and Math functions (e.g. (x) => x ** 3). " +
            `Supported: ${SUPPORTED_MODELS}.`,
        );
      }
      maps.push(map);
    }
    f = f.base;
  }
  const kind = modelRecord(model as ExperimentModel).kind;
  const what = KIND_WORDS[String(kind)] ?? `a model of kind '${kind}'`;
  throw exportRefused(`the model is ${what}, which model.py cannot write as a PyTorch module. Supported: ${SUPPORTED_MODELS}.`);
}
