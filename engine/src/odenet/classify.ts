/**
 * One mini-batch of an ODE-Net, RK-Net or ResNet classifier: the loss (a linear readout of the
 * head's features, softmax cross-entropy), its exact gradient in every parameter, and the
 * counts the comparison reports (evaluations forward and backward, bytes held for the
 * backward pass). The ODE block's gradient comes from odeintGrad with the experiment's
 * gradient method: 'adjoint' (the ODE-Net) or 'backprop' through the solver's steps (RK-Net).
 */
import type { SolverMethod } from '../experiments/solverMethodNames';
import type { LinearReadout } from '../experiments/readout';
import { Rng } from '../data/rng';
import { regularizedGrad, type RegularizeSpec, type RegularizerTerms } from '../regularize/regularizedGrad';
import type { AdjointOptions, GradientMethod, GradStats } from '../gradients/types';
import { odeint } from '../odeint';
import type { SolverOptions } from '../solvers/stepper';
import { OdeNet } from './network';

/** How the ODE block is solved (ignored by a ResNet). */
export interface OdeNetSolver {
  method?: SolverMethod;
  rtol?: number;
  atol?: number;
  options?: SolverOptions;
}

/** The paper's MNIST setting: dopri5 at rtol = atol = 1e-3. */
export const DEFAULT_ODENET_SOLVER: Required<Pick<OdeNetSolver, 'method' | 'rtol' | 'atol'>> = { method: 'dopri5', rtol: 1e-3, atol: 1e-3 };

export interface OdeNetGradient {
  method: GradientMethod;
  adjointOptions?: AdjointOptions;
  checkpoints?: number;
}

export interface OdeNetBatch {
  loss: number;
  accuracy: number;
  /** dL/dθ of the network (laid out as net.params) and of the readout. */
  gradParams: Float64Array;
  gradReadout: Float64Array;
  /**
   * Evaluations and steps; peakStoredBytes counts everything kept for the backward pass: the
   * solver's states (or a ResNet's block records), the field's reused buffers, the
   * downsampling's and the head's records.
   */
  stats: GradStats;
  /** train.regularize's terms of the ODE block, unweighted. */
  regularizers?: RegularizerTerms;
}

export interface OdeNetStepOptions {
  solver?: OdeNetSolver;
  gradient?: OdeNetGradient;
  signal?: AbortSignal;
  /** RNODE's regularisers on the ODE block (a ResNet has none), with the generator of their probe. */
  regularize?: { spec: RegularizeSpec; rng: Rng };
}

export async function odeNetLossAndGrad(net: OdeNet, readout: LinearReadout, x: Float64Array, target: Int32Array, opts: OdeNetStepOptions = {}): Promise<OdeNetBatch> {
  const { h0, record: embedRec } = net.embed(x);
  const G = new Float64Array(net.params.length);
  let loss = NaN;
  let accuracy = NaN;
  let gradReadout: Float64Array = new Float64Array(readout.params.length);
  let headBytes = 0;
  // Head and readout: loss and dL/dh(T), the head norm's dL/dθ added into G.
  const top = (hT: Float64Array): Float64Array | null => {
    const { features, record } = net.head(hT);
    const r = readout.lossAndGrad(features, target);
    loss = r.loss;
    accuracy = r.accuracy;
    gradReadout = r.gradParams;
    headBytes = OdeNet.recordBytes(embedRec, record);
    return Number.isFinite(loss) ? net.headBackward(record, r.gradY, G) : null;
  };
  let stats: GradStats;
  let g0: Float64Array;
  let terms: RegularizerTerms | undefined;
  if (net.field) {
    const solver = { ...DEFAULT_ODENET_SOLVER, ...opts.solver };
    const gradient = opts.gradient ?? { method: 'adjoint' as const };
    const res = await regularizedGrad(
      net.field,
      h0,
      [0, net.options.time],
      (ys) => [null, top(ys[1])],
      { ...solver, gradient: gradient.method, adjointOptions: gradient.adjointOptions, checkpoints: gradient.checkpoints, signal: opts.signal },
      opts.regularize?.spec,
      target.length,
      opts.regularize?.rng ?? new Rng(0),
    );
    terms = res.terms;
    const start = net.field.params.byteOffset / 8 - net.params.byteOffset / 8;
    G.set(res.gradParams, start);
    g0 = res.gradY0;
    stats = { ...res.stats, peakStoredBytes: res.stats.peakStoredBytes + net.field.workspaceBytes + headBytes };
  } else {
    const { hL, tape } = net.residual(h0);
    const gL = top(hL) ?? new Float64Array(hL.length);
    g0 = net.residualBackward(tape, gL, G);
    const L = net.blocks.length;
    stats = {
      gradient: 'backprop',
      method: 'resnet',
      nfeForward: L,
      nfeBackward: L,
      nfBackward: 0,
      nVjpBackward: L,
      nAccepted: L,
      nRejected: 0,
      nAcceptedBackward: 0,
      nRejectedBackward: 0,
      peakStoredBytes: tape.bytes + headBytes,
    };
  }
  net.embedBackward(embedRec, g0, G);
  return { loss, accuracy, gradParams: G, gradReadout, stats, ...(terms ? { regularizers: terms } : {}) };
}

/** The head's features of every image in x (test mode), `chunk` images per solve. */
export async function odeNetFeatures(net: OdeNet, x: Float64Array, solver: OdeNetSolver = {}, signal?: AbortSignal, chunk = 500): Promise<Float64Array> {
  const n = net.batchOf(x, 'features');
  const out = new Float64Array(n * net.features);
  for (let s = 0; s < n; s += chunk) {
    const e = Math.min(n, s + chunk);
    const { h0 } = net.embed(x.subarray(s * net.dim, e * net.dim));
    let hT: Float64Array;
    if (net.field) {
      const field = net.field;
      const sol = await odeint((t, y: Float64Array) => field.f(t, y), h0, [0, net.options.time], { ...DEFAULT_ODENET_SOLVER, ...solver, signal });
      hT = sol.ys[1];
    } else {
      hT = net.residual(h0).hL;
    }
    out.set(net.head(hT).features, s * net.features);
  }
  return out;
}

/** Mean cross-entropy and accuracy of the classifier on x (test mode). */
export async function evaluateOdeNet(
  net: OdeNet,
  readout: LinearReadout,
  x: Float64Array,
  target: Int32Array,
  solver: OdeNetSolver = {},
  signal?: AbortSignal,
): Promise<{ loss: number; accuracy: number }> {
  const r = readout.evaluate(await odeNetFeatures(net, x, solver, signal), target);
  return { loss: r.loss, accuracy: r.accuracy };
}
