/**
 * What the Modified-Equation Diagnostics panel shows for an experiment (untrained, or a run's
 * latest checkpoint). A discrete network: its modified equation, k_n per layer, the network's
 * states against the plain ODE of its blocks and against the modified equation, the order of a
 * scheme on one block, and Δt·λ per layer on the stability region. An ODE model: the order and
 * the stability picture of a chosen scheme applied to the learned field. Plain data (typed
 * arrays), to cross the worker's message port.
 */
import type { Experiment } from '../experiments/define';
import { ExperimentError } from '../experiments/define';
import { buildTrainable, loadRunWeights } from '../experiments/modelSource';
import { hostCannotRead, notOnHost } from '../device/types';
import type { NativeField } from '../fields/field';
import { fieldJacobian } from '../inspect/jacobian';
import { odeint } from '../odeint';
import { isDiscreteNetwork, type DiscreteNetwork } from '../resnet/network';
import { SolverError } from '../solvers/errors';
import { empiricalOrder, type OrderStudy } from './empiricalOrder';
import type { SchemeChoice } from './fixedStep';
import { modifiedEquation } from './modifiedEquation';
import { layerCoefficients, layerScheme, NETWORK_DT, networkEquationText, networkStability, trackNetwork, type LayerCoefficients, type NetworkTracking } from './networkDiagnostics';
import { formatDerivativeForm, formatModifiedEquation } from './print';
import { Rational } from './rational';
import { lmScheme, schemeByName } from './schemes';
import { regionPicture, scaledSpectrum, stableAt, type RegionPicture, type SpectrumPoint } from './stabilityPicture';

/** The schemes the panel offers. */
export const DIAGNOSTIC_SCHEMES = ['euler', 'midpoint', 'rk4', 'ab2', 'lm'] as const;

export interface DiagnosticsOptions {
  runsRoot?: string;
  /** Load this run's latest checkpoint; untrained when absent. */
  runId?: string;
  /** The scheme of the order and stability parts (default: the network's own; euler for an ODE model). */
  scheme?: string;
  /** lm's k (default: the mean trained k_n of an LM network, else 0). */
  k?: number;
  /** ODE models: the Δt of the stability picture (default: the horizon / 16). */
  dt?: number;
  /** How many inputs are tracked and sampled (default 4). */
  samples?: number;
}

export interface ExperimentDiagnostics {
  experiment: string;
  runId: string | null;
  iteration: number | null;
  model: 'network' | 'field';
  /** 'resnet', 'lm', 'rk' for networks; null for an ODE model. */
  architecture: string | null;
  depth: number | null;
  /** The modified equation as text (symbolic in k for LM-ResNet). */
  equation: { scheme: string; text: string; derivativeForm: string | null };
  layers: LayerCoefficients[] | null;
  tracking: NetworkTracking | null;
  order: OrderStudy;
  stability: { region: RegionPicture; points: SpectrumPoint[]; dt: number; scaling: 'network' | 'consistent' };
  /** The scheme of the order and stability parts. */
  scheme: SchemeChoice;
  notes: string[];
}

const MAX_SAMPLES = 16;
const MAX_FIELD_SPECTRUM = 64;
const STATES_PER_SAMPLE = 9;

function checkChoice(scheme: string | undefined, k: number | undefined, fallback: SchemeChoice): SchemeChoice {
  if (scheme === undefined) return k === undefined || fallback.scheme !== 'lm' ? fallback : { scheme: 'lm', k };
  if (!(DIAGNOSTIC_SCHEMES as readonly string[]).includes(scheme)) {
    throw new SolverError('input', `Unknown scheme '${scheme}' for the diagnostics; choose one of ${DIAGNOSTIC_SCHEMES.join(', ')}.`);
  }
  if (scheme === 'lm') {
    const kk = k ?? fallback.k ?? 0;
    if (!(Number.isFinite(kk) && kk > -1 && kk <= 1)) throw new SolverError('input', `k = ${kk}: the lm scheme is zero-stable for −1 < k ≤ 1 only; give k in that range.`);
    return { scheme: 'lm', k: kk };
  }
  return { scheme };
}

export async function experimentDiagnostics(exp: Experiment, opts: DiagnosticsOptions = {}): Promise<ExperimentDiagnostics> {
  const { data, model } = await buildTrainable(exp);
  const nSamples = opts.samples ?? 4;
  if (!(Number.isInteger(nSamples) && nSamples >= 1 && nSamples <= MAX_SAMPLES)) {
    throw new SolverError('input', `samples must be a whole number from 1 to ${MAX_SAMPLES}, got ${nSamples}.`);
  }
  const iteration = opts.runId === undefined ? null : loadRunWeights(exp, model, null, opts.runsRoot, opts.runId);
  const base = { experiment: exp.name, runId: opts.runId ?? null, iteration };
  if (isDiscreteNetwork(model)) {
    if ('ys' in data) throw new ExperimentError(`a discrete network classifies labelled points, but the data '${data.name}' are a trajectory.`, exp.location);
    return { ...base, ...(await networkPart(model, data.x, Math.min(nSamples, data.n), opts)) };
  }
  if (hostCannotRead(model)) throw new ExperimentError(notOnHost(model.device.backend, 'The diagnostics view'), exp.location);
  return { ...base, ...(await fieldPart(model as NativeField, data, nSamples, opts)) };
}

async function networkPart(net: DiscreteNetwork, x: Float64Array, nSamples: number, opts: DiagnosticsOptions) {
  const samples = Array.from({ length: nSamples }, (_, i) => i);
  const layers = layerCoefficients(net);
  const ks = layers.slice(1).map((l) => l.k ?? 0);
  const own: SchemeChoice = net.architecture === 'lm' ? { scheme: 'lm', k: ks.reduce((a, b) => a + b, 0) / Math.max(1, ks.length) } : layerScheme(net, 0);
  const notes: string[] = [];
  const scheme = checkChoice(opts.scheme, opts.k, own);
  if (net.architecture === 'lm') {
    notes.push(
      'The modified equation is that of one smooth f: LM\'s two-step memory (k_n u_{n−1}) carries each block\'s increment into the next layer, ' +
        'so where the blocks differ from layer to layer by O(1), neither continuous model follows the network beyond first order.',
    );
  }
  const tracking = await trackNetwork(net, x, samples);
  const stability = networkStability(net, x, samples);
  notes.push(...stability.notes);
  // The order study on one block (the middle layer's) as an autonomous field, from sample 0's state there.
  const mid = Math.floor(net.depth / 2);
  const u0 = net.forward(x.slice(0, net.dim)).states[mid];
  const order = await empiricalOrder(scheme, (_t, u) => net.branch(mid, u), u0, NETWORK_DT);
  order.notes.unshift(`The field is block f_${mid} (layer ${mid}) as an autonomous ODE u′ = f_${mid}(u), from sample 0's state u_${mid}, over one layer (T = Δt = 1).`);
  if (net.options.activation === 'relu') order.notes.push('ReLU blocks are only piecewise smooth: where a trajectory crosses a kink, high-order schemes lose order.');
  return {
    model: 'network' as const,
    architecture: net.architecture,
    depth: net.depth,
    equation: networkEquationText(net),
    layers,
    tracking,
    order,
    stability: { region: stability.region, points: stability.points, dt: NETWORK_DT, scaling: 'network' as const },
    scheme,
    notes,
  };
}

async function fieldPart(field: NativeField, data: Awaited<ReturnType<typeof buildTrainable>>['data'], nSamples: number, opts: DiagnosticsOptions) {
  const dim = field.dim ?? data.dim;
  const scheme = checkChoice(opts.scheme, opts.k, { scheme: 'euler' });
  const trajectory = 'ys' in data;
  const t0 = trajectory ? data.t[0] : 0;
  const horizon = trajectory ? data.t[data.t.length - 1] - data.t[0] : 1;
  const pad = (v: Float64Array): Float64Array => {
    const y = new Float64Array(dim);
    y.set(v.subarray(0, Math.min(dim, v.length)));
    return y;
  };
  const starts = trajectory
    ? [pad(data.y0)]
    : Array.from({ length: Math.min(nSamples, data.n) }, (_, i) => pad(data.x.subarray(i * data.dim, (i + 1) * data.dim)));
  const g = (t: number, y: Float64Array): Float64Array => field.f(t, y);
  const order = await empiricalOrder(scheme, g, starts[0], horizon, { t0, steps: [2, 4, 8, 16, 32, 64, 128, 256] });
  order.notes.unshift(`The learned field from ${trajectory ? 'the data\'s y0' : 'point 0'} over [${t0}, ${t0 + horizon}].`);
  const dt = opts.dt ?? horizon / 16;
  if (!(dt > 0 && Number.isFinite(dt))) throw new SolverError('input', `dt must be a positive number, got ${dt}.`);
  const notes: string[] = [];
  const points: SpectrumPoint[] = [];
  if (dim > MAX_FIELD_SPECTRUM) {
    notes.push(`The state has ${dim} components: the Jacobian's eigenvalues are computed for states of up to ${MAX_FIELD_SPECTRUM}.`);
  } else {
    const ts = Array.from({ length: STATES_PER_SAMPLE }, (_, i) => t0 + (i / (STATES_PER_SAMPLE - 1)) * horizon);
    for (const [s, y0] of starts.entries()) {
      const sol = await odeint(g, y0, ts, { method: 'dopri5', rtol: 1e-6, atol: 1e-8 });
      sol.ys.forEach((y, i) => {
        for (const z of scaledSpectrum(fieldJacobian(field, ts[i], y), dim, dt)) {
          if (Number.isFinite(z.re) && Number.isFinite(z.im)) points.push({ ...z, group: s, stable: stableAt(scheme, 'consistent', z.re, z.im) });
        }
      });
    }
  }
  const eq = modifiedEquation(scheme.scheme === 'lm' ? lmScheme(Rational.of(Math.round(scheme.k! * 1e6), 1_000_000), 'consistent') : schemeByName(scheme.scheme), 2);
  return {
    model: 'field' as const,
    architecture: null,
    depth: null,
    equation: { scheme: scheme.scheme, text: formatModifiedEquation(eq), derivativeForm: formatDerivativeForm(eq) },
    layers: null,
    tracking: null,
    order,
    stability: { region: regionPicture(scheme, 'consistent', points), points, dt, scaling: 'consistent' as const },
    scheme,
    notes,
  };
}
