/**
 * One training iteration at 256×64 — forward solve, MSE loss against the target, backward — on
 * the engine (native mlpField, odeintGrad, in float64 and with precision 'float32') and on
 * torchdiffeq (float32, its own backprop and adjoint), timed interleaved, with the loss and
 * every gradient checked against torchdiffeq's recorded answers, the live peer's, and a
 * tight-tolerance float64 gradient; the float32 engine also against the float64 one.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mlpField, odeintGrad, type MlpFieldOptions } from 'neural-ode-studio';
import type { Peer } from './peerProcess';
import { median } from './table';
import {
  GRAD_NAMES,
  TRAIN_GRADIENTS,
  paramVector,
  relError,
  splitGrads,
  trainKey,
  trainProblemToJson,
  type GradName,
  type Grads,
  type TrainGradient,
  type TrainProblem,
} from './trainProblem';

/** The peer's recorded training cases: dopri5 at rtol 1e-5, atol 1e-6. */
export const TRAIN_RTOL = 1e-5;
export const TRAIN_ATOL = 1e-6;
/** The tight solve whose gradient stands in for the exact one. */
const EXACT_RTOL = 1e-10;
const EXACT_ATOL = 1e-12;
/** Engine vs torchdiffeq may differ by this many times torchdiffeq's own spread between its methods. */
const SPREAD_FACTOR = 3;
/** float32 floor of a relative gradient error (sums of 256 float32 products). */
const FLOAT32_FLOOR = 1e-5;

export interface TrainCase {
  readonly T: number;
  readonly gradient: TrainGradient;
  readonly label: string;
}

export function trainCases(ends: readonly number[]): TrainCase[] {
  return ends.flatMap((T) =>
    TRAIN_GRADIENTS.map((gradient) => ({ T, gradient, label: `256x64 ${gradient.replace('_', '+')} T=${T}` })),
  );
}

interface IterRun {
  seconds: number;
  nfeForward: number;
  /** Engine: vjp evaluations (backprop) or augmented evaluations, one f and one vjp each (adjoint); peer: f calls in backward(). */
  nfeBackward: number;
  /** Adjoint: accepted + rejected steps of the backward solve. */
  backwardSteps?: number;
  loss: number;
  grads?: Grads;
}

type Precision = NonNullable<MlpFieldOptions['precision']>;

/** The timed paths: the engine in float64 and in float32 arithmetic, and torchdiffeq. */
export type TrainSideId = 'engine' | 'engine-f32' | 'torchdiffeq';

interface TrainSide {
  readonly id: TrainSideId;
  readonly label: string;
  iterate(c: TrainCase, wantGrads: boolean): Promise<IterRun>;
}

export interface TrainPathResult {
  readonly label: string;
  readonly seconds: number[];
  median?: number;
  min?: number;
  nfeForward?: number;
  nfeBackward?: number;
  backwardSteps?: number;
  loss?: number;
  error?: string;
}

/** Relative errors (‖a − b‖/‖b‖) per quantity; loss: |a − b|/|b|. */
export type ErrorRow = Partial<Record<'loss' | GradName, number>>;

export interface TrainCaseResult {
  readonly label: string;
  readonly T: number;
  readonly gradient: TrainGradient;
  rounds: number;
  readonly paths: Partial<Record<TrainSideId, TrainPathResult>>;
  /** Engine against torchdiffeq's recorded answer (loss, W1, b1, W2, b2). */
  vsRecorded?: ErrorRow;
  /** Engine against the live torchdiffeq run (dL/dy0 only here: it was not recorded). */
  vsLive?: ErrorRow;
  /** The live peer against its recorded answer (both torchdiffeq: should be ~0). */
  liveVsRecorded?: number;
  /** Against the float64 gradient at rtol 1e-10, atol 1e-12. */
  engineVsExact?: ErrorRow;
  peerVsExact?: ErrorRow;
  /** The float32 engine's answers: against torchdiffeq (as above), the exact gradient and the float64 engine. */
  f32?: { vsRecorded?: ErrorRow; vsLive?: ErrorRow; vsExact?: ErrorRow; vsF64?: ErrorRow };
  /** The relative error engine vs torchdiffeq may have, and where it comes from (both precisions). */
  limit: number;
}

export interface TrainIterReport {
  cases: TrainCaseResult[];
  /** Per T: how far the exact gradient's two computations (backprop, adjoint at 1e-10) differ. */
  exactSelfCheck: Record<string, number>;
  /** Per T: the largest relative disagreement between torchdiffeq's own three methods. */
  peerSpread: Record<string, number>;
  limitRule: string;
}

/** The engine: one mlpField with the problem's weights, MSE loss through cotangents of the outputs. */
function engineSide(problem: TrainProblem, precision: Precision): TrainSide & { exact(T: number, gradient: 'backprop' | 'adjoint'): Promise<IterRun> } {
  const { mlp, target } = problem;
  const field = mlpField({ sizes: [2, mlp.hidden, 2], activation: 'tanh', init: paramVector(mlp), precision });
  const run = async (T: number, gradient: TrainGradient, rtol: number, atol: number, wantGrads: boolean): Promise<IterRun> => {
    let loss = NaN;
    const start = performance.now();
    const res = await odeintGrad(
      field,
      mlp.y0,
      [0, T],
      (ys) => {
        // L = mean((y(T) − target)²); dL/dy(T) = 2 (y(T) − target) / n.
        const y = ys[1];
        const n = y.length;
        const cot = new Float64Array(n);
        let sum = 0;
        for (let i = 0; i < n; i++) {
          const r = y[i] - target[i];
          sum += r * r;
          cot[i] = (2 * r) / n;
        }
        loss = sum / n;
        return [null, cot];
      },
      {
        method: 'dopri5',
        rtol,
        atol,
        gradient: gradient === 'backprop' ? 'backprop' : 'adjoint',
        adjointOptions: { seminorm: gradient === 'adjoint_seminorm' },
      },
    );
    const seconds = (performance.now() - start) / 1000;
    const s = res.stats;
    return {
      seconds,
      nfeForward: s.nfeForward,
      nfeBackward: s.nVjpBackward,
      backwardSteps: gradient === 'backprop' ? undefined : s.nAcceptedBackward + s.nRejectedBackward,
      loss,
      grads: wantGrads ? splitGrads(mlp, res.gradParams, res.gradY0) : undefined,
    };
  };
  return {
    id: precision === 'float64' ? 'engine' : 'engine-f32',
    label: precision === 'float64' ? 'engine f64' : 'engine f32',
    iterate: (c, wantGrads) => run(c.T, c.gradient, TRAIN_RTOL, TRAIN_ATOL, wantGrads),
    exact: (T, gradient) => run(T, gradient, EXACT_RTOL, EXACT_ATOL, true),
  };
}

/** torchdiffeq in the peer process, on the same weights, y0 and target (float32). */
async function peerSide(peer: Peer, problem: TrainProblem): Promise<{ side: TrainSide; cleanup: () => void }> {
  const dir = mkdtempSync(join(tmpdir(), 'neural-ode-train-'));
  const file = join(dir, 'train.json');
  writeFileSync(file, trainProblemToJson(problem));
  await peer.load('train', file);
  const side: TrainSide = {
    id: 'torchdiffeq',
    label: 'torchdiffeq f32',
    async iterate(c, wantGrads) {
      const r = await peer.train({ name: 'train', gradient: c.gradient, rtol: TRAIN_RTOL, atol: TRAIN_ATOL, T: c.T, returnGrads: wantGrads });
      let grads: Grads | undefined;
      if (r.grads) {
        grads = {};
        for (const name of GRAD_NAMES) if (r.grads[name]) grads[name] = Float64Array.from(r.grads[name]);
      }
      return { seconds: r.seconds, nfeForward: r.nfeForward, nfeBackward: r.nfeBackward, loss: r.loss, grads };
    },
  };
  return { side, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

function compare(a: { loss: number; grads?: Grads }, b: { loss: number; grads?: Grads }, only?: readonly GradName[]): ErrorRow {
  const row: ErrorRow = {};
  if (!only) row.loss = Math.abs(a.loss - b.loss) / Math.abs(b.loss);
  for (const name of only ?? GRAD_NAMES) {
    const x = a.grads?.[name];
    const y = b.grads?.[name];
    if (x && y) row[name] = relError(x, y);
  }
  return row;
}

const worst = (row: ErrorRow): number => Math.max(0, ...Object.values(row).filter((v): v is number => v !== undefined));

/** The largest relative disagreement between any two of a set of answers to the same problem. */
function spread(answers: readonly { loss: number; grads?: Grads }[]): number {
  let s = 0;
  for (let i = 0; i < answers.length; i++) {
    for (let j = i + 1; j < answers.length; j++) s = Math.max(s, worst(compare(answers[i], answers[j])));
  }
  return s;
}

export interface TrainIterOptions {
  /** Seconds of timed iterations per case (both sides together), and the bounds on rounds. */
  budget: number;
  minRounds: number;
  maxRounds: number;
  progress: (line: string) => void;
}

export async function runTrainIterations(problem: TrainProblem, peer: Peer | null, opts: TrainIterOptions): Promise<TrainIterReport> {
  const engine = engineSide(problem, 'float64');
  const engine32 = engineSide(problem, 'float32');
  const peerMade = peer ? await peerSide(peer, problem) : null;
  const sides: TrainSide[] = [engine, engine32, ...(peerMade ? [peerMade.side] : [])];
  const ends = problem.recorded.size > 0 ? [...new Set([...problem.recorded.keys()].map((k) => Number(k.split('_T').pop())))] : [1, 10];
  const cases = trainCases(ends.sort((a, b) => a - b));
  const results: TrainCaseResult[] = [];
  const answers = new Map<string, Map<string, IterRun>>();
  const started = performance.now();
  try {
    for (const c of cases) {
      const result: TrainCaseResult = { label: c.label, T: c.T, gradient: c.gradient, rounds: 0, paths: {}, limit: NaN };
      const first = new Map<string, IterRun>();
      let live: TrainSide[] = [];
      for (const side of sides) {
        const entry: TrainPathResult = { label: side.label, seconds: [] };
        result.paths[side.id] = entry;
        try {
          const r = await side.iterate(c, true);
          first.set(side.id, r);
          Object.assign(entry, { nfeForward: r.nfeForward, nfeBackward: r.nfeBackward, backwardSteps: r.backwardSteps, loss: r.loss });
          live.push(side);
        } catch (err) {
          entry.error = (err as Error).message.split('\n')[0];
        }
      }
      const t0 = performance.now();
      let rounds = 0;
      for (let r = 0; live.length > 0 && r < opts.maxRounds && (r < opts.minRounds || performance.now() - t0 < opts.budget * 1000); r++) {
        rounds = r + 1;
        const order = live.map((_, i) => live[(i + r) % live.length]);
        for (const side of order) {
          const entry = result.paths[side.id]!;
          try {
            const res = await side.iterate(c, false);
            entry.seconds.push(res.seconds);
            if (res.nfeForward !== entry.nfeForward || res.nfeBackward !== entry.nfeBackward) {
              entry.error = `NFE changed between identical iterations (${entry.nfeForward}/${entry.nfeBackward}, then ${res.nfeForward}/${res.nfeBackward})`;
            }
          } catch (err) {
            entry.error = (err as Error).message.split('\n')[0];
            live = live.filter((x) => x !== side);
          }
        }
      }
      result.rounds = rounds;
      for (const entry of Object.values(result.paths)) {
        if (!entry || entry.seconds.length === 0) continue;
        entry.median = median(entry.seconds);
        entry.min = Math.min(...entry.seconds);
      }
      answers.set(c.label, first);
      results.push(result);
      opts.progress(`${c.label}: ${rounds} rounds, ${((performance.now() - started) / 1000).toFixed(0)} s so far`);
    }

    // The exact gradient per T, computed twice (discrete and continuous adjoint at 1e-10) as its own check.
    const exact = new Map<number, IterRun>();
    const exactSelfCheck: Record<string, number> = {};
    for (const T of ends) {
      const bp = await engine.exact(T, 'backprop');
      const adj = await engine.exact(T, 'adjoint');
      exact.set(T, bp);
      exactSelfCheck[`T=${T}`] = worst(compare(adj, bp));
    }

    // The limit: torchdiffeq's own methods disagree by their discretisation error; the engine may
    // differ from torchdiffeq by a few times that (recorded answers; the live ones where none).
    const peerSpread: Record<string, number> = {};
    for (const T of ends) {
      const recorded = TRAIN_GRADIENTS.map((g) => problem.recorded.get(trainKey(g, TRAIN_RTOL, TRAIN_ATOL, T))).filter((x) => x !== undefined);
      const livePeer = cases.filter((c) => c.T === T).map((c) => answers.get(c.label)?.get('torchdiffeq')).filter((x) => x !== undefined);
      const own = cases.filter((c) => c.T === T).map((c) => answers.get(c.label)?.get('engine')).filter((x) => x !== undefined);
      // (the engine's own spread only when there is no torchdiffeq answer at all)
      const s = recorded.length >= 2 ? spread(recorded) : livePeer.length >= 2 ? spread(livePeer) : spread(own);
      peerSpread[`T=${T}`] = s;
    }

    for (const result of results) {
      const c = cases.find((x) => x.label === result.label)!;
      const first = answers.get(c.label)!;
      const mine = first.get('engine');
      const mine32 = first.get('engine-f32');
      const theirs = first.get('torchdiffeq');
      const recorded = problem.recorded.get(trainKey(c.gradient, TRAIN_RTOL, TRAIN_ATOL, c.T));
      const ex = exact.get(c.T)!;
      result.limit = Math.max(FLOAT32_FLOOR, SPREAD_FACTOR * peerSpread[`T=${c.T}`]);
      if (mine) {
        result.engineVsExact = compare(mine, ex);
        if (recorded) result.vsRecorded = compare(mine, recorded);
        if (theirs) result.vsLive = recorded ? compare(mine, theirs, ['y0']) : compare(mine, theirs);
      }
      if (mine32) {
        const f32: NonNullable<TrainCaseResult['f32']> = { vsExact: compare(mine32, ex) };
        if (mine) f32.vsF64 = compare(mine32, mine);
        if (recorded) f32.vsRecorded = compare(mine32, recorded);
        if (theirs) f32.vsLive = recorded ? compare(mine32, theirs, ['y0']) : compare(mine32, theirs);
        result.f32 = f32;
      }
      if (theirs) {
        result.peerVsExact = compare(theirs, ex);
        if (recorded) result.liveVsRecorded = worst(compare(theirs, recorded));
      }
    }
    const limitRule =
      `engine (float64 and float32) vs torchdiffeq, vs the exact gradient, and float32 vs float64 engine: relative error ≤ ` +
      `${SPREAD_FACTOR} × the largest relative disagreement between torchdiffeq's own ` +
      `backprop, adjoint and adjoint+seminorm answers at the same T (floor ${FLOAT32_FLOOR.toExponential(0)}, float32)`;
    return { cases: results, exactSelfCheck, peerSpread, limitRule };
  } finally {
    peerMade?.cleanup();
  }
}
