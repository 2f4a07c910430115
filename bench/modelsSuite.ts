/**
 * `--suite models`: the models of modelForms.ts per size — a forward solve and one training
 * iteration with backprop and with the adjoint (dopri5 1e-5/1e-6, t ∈ [0, 1], MSE against a
 * fixed target at t = 1) — and torchdiffeq running the same two models on the same weights,
 * interleaved round by round. The first run of each is the warm-up and gives the answers: the
 * engine's loss and gradients must match torchdiffeq's within float32 tolerance.
 */
import { odeintGrad, selectBackend, type NativeCotangent } from 'neural-ode-studio';
import { solveField } from '../engine/src/device/solveField';
import { modelForms, modelProblem, type ModelForm, type ModelProblem, type PeerModel } from './modelForms';
import type { Peer, PeerModelRequest } from './peerProcess';
import { median } from './table';
import { threadCount } from '../engine/src/threads/pool';

const T = 1;
const SOLVER = { method: 'dopri5', rtol: 1e-5, atol: 1e-6 } as const;
/** Engine vs torchdiffeq: max |a − b| over max |b|, per gradient tensor (float32 arithmetic on one side). */
export const ANSWER_TOLERANCE = 1e-3;
/**
 * dL/dy0 is per sample, not summed over the batch: it carries the solver's discretisation error
 * undiluted, and torchdiffeq's own backprop and adjoint differ by up to ~1e-3 there. The limit
 * grows to this many times that spread where it exceeds the float32 one.
 */
export const SPREAD_FACTOR = 3;

type Op = 'forward' | 'backprop' | 'adjoint';

export interface Iteration {
  seconds: number;
  nfeForward: number;
  /** Adjoint: vjp evaluations of the backward solve (torchdiffeq: calls of f in backward()). */
  nfeBackward: number;
  loss: number;
  /** dL/dθ in the wire layout, and dL/dy0. */
  theta?: Float64Array;
  y0?: Float64Array;
}

export interface Run {
  forward: { seconds: number; nfe: number };
  backprop: Iteration;
  adjoint: Iteration;
}

/** Something timed: an engine form or one of torchdiffeq's models. */
export interface Side {
  readonly label: string;
  run(wantGrads: boolean): Promise<Run>;
}

export interface Timed {
  readonly label: string;
  readonly seconds: Record<Op, number[]>;
  median?: Record<Op, number>;
  /** Forward NFE, and the adjoint's backward evaluations. */
  nfe?: { forward: number; adjoint: number };
  loss?: number;
  error?: string;
}

export interface ModelRow extends Timed {
  readonly peer: PeerModel;
  /** Worst relative error against torchdiffeq (loss, each gradient tensor), where it was, and its limit. */
  answers?: { worst: number; where: string; limit: number };
}

export interface SizeResult {
  readonly size: string;
  rounds: number;
  readonly rows: ModelRow[];
  readonly peer: Partial<Record<PeerModel, Timed>>;
  /** torchdiffeq's own backprop against its adjoint, per model: worst relative difference. */
  readonly peerSpread: Partial<Record<PeerModel, { worst: number; where: string }>>;
}

export interface ModelsOptions {
  readonly sizes: readonly string[];
  /** Seconds of timed rounds per size (all models together), and the bounds on rounds. */
  readonly budget: number;
  readonly minRounds: number;
  readonly maxRounds: number;
  /** The seed of size batch×hidden is seed + 1000·batch + hidden, as in the forward suite. */
  readonly seed: number;
  readonly peer: Peer | null;
  readonly progress: (line: string) => void;
}

/** MSE against the target at t = 1, and its cotangent 2 (y − target) / n. */
export function mse(target: Float64Array, out: { loss: number }): (ys: readonly Float64Array[]) => NativeCotangent[] {
  return (ys) => {
    const y = ys[1];
    const cot = new Float64Array(y.length);
    let sum = 0;
    for (let i = 0; i < y.length; i++) {
      const r = y[i] - target[i];
      sum += r * r;
      cot[i] = (2 * r) / y.length;
    }
    out.loss = sum / y.length;
    return [null, cot];
  };
}

/** Runs fn with NEURAL_ODE_THREADS=1 (the engine reads it at every call), then restores it. */
async function oneThread<T>(fn: () => Promise<T>): Promise<T> {
  const saved = process.env.NEURAL_ODE_THREADS;
  process.env.NEURAL_ODE_THREADS = '1';
  try {
    return await fn();
  } finally {
    if (saved === undefined) delete process.env.NEURAL_ODE_THREADS;
    else process.env.NEURAL_ODE_THREADS = saved;
  }
}

/** The most untimed runs a side makes before the timed rounds (and at most an eighth of the budget). */
const WARMUP_RUNS = 20;

/** Forms also timed on one thread, for the scaling with threads (where there are several). */
const SCALING = new Set(['pendulum hybrid', 'tf.sequential', 'mlpField float64', 'mlpField float32']);

export function engineSide(form: ModelForm, p: ModelProblem, single = false): Side {
  const iterate = async (gradient: 'backprop' | 'adjoint', wantGrads: boolean): Promise<Iteration> => {
    const out = { loss: NaN };
    const t0 = performance.now();
    const r = await odeintGrad(form.field, p.y0, [0, T], mse(p.target, out), { ...SOLVER, gradient });
    const seconds = (performance.now() - t0) / 1000;
    const s = r.stats;
    return {
      seconds,
      nfeForward: s.nfeForward,
      nfeBackward: gradient === 'adjoint' ? s.nVjpBackward : 0,
      loss: out.loss,
      ...(wantGrads ? { theta: form.toWire(r.gradParams), y0: r.gradY0 } : {}),
    };
  };
  const run = async (wantGrads: boolean): Promise<Run> => {
    const t0 = performance.now();
    const sol = await solveField(form.field, p.y0, [0, T], SOLVER);
    const forward = { seconds: (performance.now() - t0) / 1000, nfe: sol.stats.nfe };
    return { forward, backprop: await iterate('backprop', wantGrads), adjoint: await iterate('adjoint', wantGrads) };
  };
  return {
    label: single ? `${form.label}, 1 thread` : form.label,
    run: (wantGrads) => (single ? oneThread(() => run(wantGrads)) : run(wantGrads)),
  };
}

function peerSide(peer: Peer, model: PeerModel, p: ModelProblem): Side {
  const req: PeerModelRequest = { model, params: p.params[model], y0: Array.from(p.y0), target: Array.from(p.target), ...SOLVER, T };
  const iteration = (r: Awaited<ReturnType<Peer['modelIteration']>>['backprop']): Iteration => ({
    ...r,
    theta: r.grads && Float64Array.from(r.grads.theta),
    y0: r.grads && Float64Array.from(r.grads.y0),
  });
  return {
    label: `torchdiffeq ${model}`,
    async run(wantGrads) {
      const r = await peer.modelIteration({ ...req, returnGrads: wantGrads });
      return { forward: r.forward, backprop: iteration(r.backprop), adjoint: iteration(r.adjoint) };
    },
  };
}

/** max |a − b| / max |b|. */
export function relMax(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return scale === 0 ? (diff === 0 ? 0 : Infinity) : diff / scale;
}

type Worst = { worst: number; where: string };

/** The larger error of two (NaN counts as the worst). */
const worse = (x: Worst, y: Worst): Worst => (Number.isNaN(x.worst) || y.worst <= x.worst ? x : y);

/** Loss and each gradient tensor of a against b: the worst relative difference. */
export function iterationError(a: Iteration, b: Iteration, p: ModelProblem, model: PeerModel, what: string): Worst {
  let w: Worst = { worst: Math.abs(a.loss - b.loss) / Math.abs(b.loss), where: `${what} loss` };
  if (!a.theta || !b.theta || !a.y0 || !b.y0) return w;
  w = worse(w, { worst: relMax(a.y0, b.y0), where: `${what} dL/dy0` });
  let offset = 0;
  for (const param of p.params[model]) {
    const n = param.values.length;
    w = worse(w, { worst: relMax(a.theta.subarray(offset, offset + n), b.theta.subarray(offset, offset + n)), where: `${what} dL/d${param.name}` });
    offset += n;
  }
  return w;
}

export const emptyTimes = (): Record<Op, number[]> => ({ forward: [], backprop: [], adjoint: [] });
export const record = (entry: Timed, r: Run): void => {
  entry.seconds.forward.push(r.forward.seconds);
  entry.seconds.backprop.push(r.backprop.seconds);
  entry.seconds.adjoint.push(r.adjoint.seconds);
};

async function runSize(size: string, opts: ModelsOptions, notes: string[]): Promise<SizeResult> {
  const [batch, hidden] = size.split('x').map(Number);
  const p = modelProblem(batch, hidden, opts.seed + 1000 * batch + hidden);
  const forms = modelForms(p, notes);
  const result: SizeResult = { size, rounds: 0, rows: [], peer: {}, peerSpread: {} };
  // The one-thread runs after all the others, so that no run directly follows its twin on the
  // same field (whose buffers the twin left in the caches).
  const variants = [
    ...forms.map((form) => ({ form, single: false })),
    ...forms.filter((form) => threadCount() > 1 && SCALING.has(form.label)).map((form) => ({ form, single: true })),
  ];
  const sides: [Side, Timed][] = variants.map(({ form, single }) => {
    const side = engineSide(form, p, single);
    const row: ModelRow = { label: side.label, peer: form.peer, seconds: emptyTimes() };
    result.rows.push(row);
    return [side, row];
  });
  if (opts.peer) {
    for (const model of ['pendulum', 'mlp'] as const) {
      const entry: Timed = { label: `torchdiffeq ${model}`, seconds: emptyTimes() };
      result.peer[model] = entry;
      sides.push([peerSide(opts.peer, model, p), entry]);
    }
  }
  try {
    // First runs: warm-up, NFE and the answers checked.
    const first = new Map<Timed, Run>();
    let live: [Side, Timed][] = [];
    for (const [side, entry] of sides) {
      try {
        const r = await side.run(true);
        first.set(entry, r);
        entry.nfe = { forward: r.forward.nfe, adjoint: r.adjoint.nfeBackward };
        entry.loss = r.backprop.loss;
        live.push([side, entry]);
      } catch (err) {
        entry.error = (err as Error).message.split('\n')[0];
      }
    }
    for (const model of ['pendulum', 'mlp'] as const) {
      const entry = result.peer[model];
      const theirs = entry && first.get(entry);
      if (theirs) result.peerSpread[model] = iterationError(theirs.adjoint, theirs.backprop, p, model, 'adjoint vs backprop');
    }
    for (const row of result.rows) {
      const mine = first.get(row);
      const peerEntry = result.peer[row.peer];
      const theirs = peerEntry && first.get(peerEntry);
      if (!mine || !theirs) continue;
      const spread = result.peerSpread[row.peer]?.worst ?? 0;
      const limit = Math.max(ANSWER_TOLERANCE, SPREAD_FACTOR * spread);
      const err = worse(iterationError(mine.backprop, theirs.backprop, p, row.peer, 'backprop'), iterationError(mine.adjoint, theirs.adjoint, p, row.peer, 'adjoint'));
      row.answers = { ...err, limit };
    }
    // Untimed runs until each side runs at its steady pace, as it does after a training run's first
    // seconds: a model on TensorFlow.js gets there only after tens of iterations (V8 optimising its
    // many functions, the young generation grown to its allocation rate).
    for (const [side, entry] of live) {
      const until = performance.now() + (opts.budget / 8) * 1000;
      try {
        for (let k = 0; k < WARMUP_RUNS && (k < 2 || performance.now() < until); k++) await side.run(false);
      } catch (err) {
        entry.error = (err as Error).message.split('\n')[0];
      }
    }
    live = live.filter(([, entry]) => !entry.error);
    // Timed rounds, the order rotating, until the budget is spent (at least minRounds).
    const t0 = performance.now();
    let r = 0;
    for (; live.length > 0 && r < opts.maxRounds && (r < opts.minRounds || performance.now() - t0 < opts.budget * 1000); r++) {
      const order = live.map((_, i) => live[(i + r) % live.length]);
      for (const [side, entry] of order) {
        try {
          const run = await side.run(false);
          record(entry, run);
          const nfe = `${run.forward.nfe}/${run.adjoint.nfeBackward}`;
          if (nfe !== `${entry.nfe?.forward}/${entry.nfe?.adjoint}`) entry.error = `NFE changed between identical runs (${entry.nfe?.forward}/${entry.nfe?.adjoint}, then ${nfe})`;
        } catch (err) {
          entry.error = (err as Error).message.split('\n')[0];
          live = live.filter(([s]) => s !== side);
        }
      }
    }
    result.rounds = r;
  } finally {
    forms.forEach((f) => f.dispose());
  }
  for (const [, entry] of sides) {
    if (entry.seconds.forward.length === 0) continue;
    entry.median = { forward: median(entry.seconds.forward), backprop: median(entry.seconds.backprop), adjoint: median(entry.seconds.adjoint) };
  }
  return result;
}

export async function runModels(opts: ModelsOptions): Promise<{ sizes: SizeResult[]; backend: string; notes: string[] }> {
  // The tfjs forms run f and its VJP on wasm, as an experiment with a tfjs model would.
  const backend = (await selectBackend('wasm')).name;
  const notes: string[] = [];
  const sizes: SizeResult[] = [];
  const started = performance.now();
  for (const size of opts.sizes) {
    sizes.push(await runSize(size, opts, notes));
    opts.progress(`models ${size}: ${sizes[sizes.length - 1].rounds} rounds, ${((performance.now() - started) / 1000).toFixed(0)} s so far`);
  }
  return { sizes, backend, notes };
}
