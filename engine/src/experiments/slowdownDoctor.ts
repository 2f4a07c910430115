/**
 * Why a run slows down, and what to change. Once NFE per iteration has grown past the threshold
 * (train/nfeWatch.ts), the forward solve is found stiff, or a step underflow stops the run, the
 * model as trained now is solved once from the task's evaluation state
 * with the run's solver, recording every step as the Solver Inspector does: where in t the steps
 * shrink, and whether the solver found the problem stiff. The remedies that need no training are
 * measured on that same solve (looser tolerances, an implicit method); the regularisers cannot be,
 * and are offered with RNODE's λ. Each suggestion is an edit of the experiment's spec, which the
 * editor applies as a quick fix.
 */
import type { NativeField } from '../fields/field';
import { odeint } from '../odeint';
import type { StepReport } from '../solvers/stepper';
import type { NfeGrowth } from '../train/nfeWatch';
import type { Experiment } from './define';

/** A change of one key of the experiment's spec: its path from the spec and the new value's source text. */
export interface SpecEdit {
  readonly path: readonly string[];
  readonly value: string;
}

export interface SlowdownSuggestion {
  readonly title: string;
  /** What was measured or why it helps. */
  readonly why: string;
  readonly edits: readonly SpecEdit[];
}

/** What set the doctor off: NFE per iteration grown past the threshold, the forward solve found stiff, or a step underflow that stopped the run. */
export type SlowdownCause = { kind: 'nfe' } | { kind: 'stiff' } | { kind: 'underflow'; message: string };

export interface SlowdownReport extends NfeGrowth {
  cause: SlowdownCause['kind'];
  /** Where the trained model's solve takes its smallest steps: the span of t where h < 2·hMin. */
  shrink?: { t0: number; t1: number; hMin: number; hMedian: number };
  stiff?: boolean;
  /** NFE of that solve with the run's solver and under each remedy measured. */
  measured: { label: string; nfe: number }[];
  suggestions: SlowdownSuggestion[];
  /** The finding in one paragraph (notification, log, curves). */
  text: string;
}

/** The solve the doctor examines: the task's field from its evaluation state. */
export interface SlowdownProbe {
  field: NativeField;
  y0: Float64Array;
  t: ArrayLike<number>;
}

/** RNODE's λ for both terms (Finlay et al., 2020, FFJORD on MNIST and CIFAR-10). */
export const RNODE_LAMBDA = 0.01;
/** A solve the doctor runs stops here: a slow model must not stall the run being diagnosed. */
const MAX_PROBE_STEPS = 20_000;

const fmt = (x: number): string => (x === 0 || (Math.abs(x) >= 0.01 && Math.abs(x) < 1e4) ? Number(x.toPrecision(3)).toString() : x.toExponential(1));

async function solveOnce(probe: SlowdownProbe, solver: Experiment['solver']): Promise<{ nfe: number; steps: StepReport[]; stiff: boolean } | null> {
  const steps: StepReport[] = [];
  try {
    const sol = await odeint((t, y: Float64Array) => probe.field.f(t, y), probe.y0, probe.t, {
      ...solver,
      options: { ...solver?.options, maxNumSteps: MAX_PROBE_STEPS },
      hooks: { onStep: (r) => void (r.accepted && steps.push(r)) },
    });
    return { nfe: sol.stats.nfe, steps, stiff: sol.stats.stiff };
  } catch {
    return null;
  }
}

/**
 * The span of t where the accepted steps are within 2× the smallest. The first step is the
 * starting heuristic's guess, not the dynamics', and is left out.
 */
function shrinkOf(all: readonly StepReport[]): SlowdownReport['shrink'] {
  const steps = all.slice(1);
  if (steps.length < 3) return undefined;
  const hs = steps.map((s) => Math.abs(s.h));
  const hMin = Math.min(...hs);
  const small = steps.filter((s) => Math.abs(s.h) < 2 * hMin);
  const ts = small.flatMap((s) => [s.t, s.t + s.h]);
  const sorted = [...hs].sort((a, b) => a - b);
  return { t0: Math.min(...ts), t1: Math.max(...ts), hMin, hMedian: sorted[sorted.length >> 1] };
}

/** The suggestions' titles as one clause. */
export const suggestionList = (suggestions: readonly SlowdownSuggestion[]): string => suggestions.map((s) => s.title.charAt(0).toLowerCase() + s.title.slice(1)).join('; ');

export async function diagnoseSlowdown(
  exp: Experiment,
  growth: NfeGrowth,
  probe: SlowdownProbe | undefined,
  activation?: string,
  cause: SlowdownCause = { kind: 'nfe' },
): Promise<SlowdownReport> {
  const solver = exp.solver ?? {};
  const rtol = solver.rtol ?? 1e-7;
  const atol = solver.atol ?? 1e-9;
  const measured: SlowdownReport['measured'] = [];
  const suggestions: SlowdownSuggestion[] = [];
  let shrink: SlowdownReport['shrink'];
  let stiff: boolean | undefined;
  const reg = exp.train.regularize ?? {};
  if (!((reg.kinetic ?? 0) > 0 && (reg.jacobian ?? 0) > 0)) {
    suggestions.push({
      title: `Regularise the dynamics (kinetic and Jacobian, λ = ${RNODE_LAMBDA})`,
      why: 'RNODE: penalising ∫‖f‖² and ∫‖∂f/∂y‖²_F keeps the learned field easy to solve (about 2.8× faster training of FFJORD at equal likelihood).',
      edits: [{ path: ['train', 'regularize'], value: `{ kinetic: ${reg.kinetic || RNODE_LAMBDA}, jacobian: ${reg.jacobian || RNODE_LAMBDA} }` }],
    });
  }
  if (probe) {
    const now = await solveOnce(probe, solver);
    if (now) {
      measured.push({ label: `${solver.method ?? 'dopri5'} rtol ${fmt(rtol)} atol ${fmt(atol)} (the run's)`, nfe: now.nfe });
      shrink = shrinkOf(now.steps);
      stiff = now.stiff;
    }
    const looser = { rtol: rtol * 10, atol: atol * 10 };
    const loose = await solveOnce(probe, { ...solver, ...looser });
    if (loose) {
      measured.push({ label: `rtol ${fmt(looser.rtol)} atol ${fmt(looser.atol)}`, nfe: loose.nfe });
      if (!now || loose.nfe < now.nfe) {
        suggestions.push({
          title: `Loosen the tolerances to rtol ${fmt(looser.rtol)}, atol ${fmt(looser.atol)}`,
          why: `the trained model's solve takes ${loose.nfe} evaluations there${now ? ` instead of ${now.nfe}` : ''}.`,
          edits: [
            { path: ['solver', 'rtol'], value: fmt(looser.rtol) },
            { path: ['solver', 'atol'], value: fmt(looser.atol) },
          ],
        });
      }
    }
    if (stiff) {
      const implicit = await solveOnce(probe, { ...solver, method: 'kvaerno3' });
      if (implicit) {
        measured.push({ label: 'kvaerno3 (implicit)', nfe: implicit.nfe });
        if (!now || implicit.nfe < now.nfe) {
          suggestions.push({
            title: 'Solve with an implicit method (kvaerno3)',
            why: `the solver found the trained field stiff; kvaerno3 takes ${implicit.nfe} evaluations${now ? ` instead of ${now.nfe}` : ''}.`,
            edits: [{ path: ['solver', 'method'], value: "'kvaerno3'" }],
          });
        }
      }
    }
  }
  if (activation === 'relu') {
    suggestions.push({
      title: "Use a smooth activation ('softplus')",
      why: "relu's kinks make f non-smooth, and adaptive solvers shrink their steps at every kink.",
      // the model's own call (mlpField({ activation: 'relu' })): its key, wherever the spec holds it
      edits: [{ path: ['activation'], value: "'softplus'" }],
    });
  }
  const where = shrink ? ` The trained model's steps shrink to h = ${fmt(shrink.hMin)} (median ${fmt(shrink.hMedian)}) for t in [${fmt(shrink.t0)}, ${fmt(shrink.t1)}].` : '';
  const stiffText = stiff ? ' The solver finds it stiff.' : '';
  const nfe = `${fmt(growth.nowNfe)} function evaluations per iteration at iteration ${growth.iteration}, ${growth.ratio.toFixed(1)}× the ${fmt(growth.firstNfe)} of its first iterations`;
  const finding =
    cause.kind === 'nfe'
      ? `The run is slowing down: ${nfe}.`
      : cause.kind === 'stiff'
        ? `The solver found the learned field stiff at iteration ${growth.iteration} (${nfe}): an explicit method's steps are held small there.`
        : `The run stopped at iteration ${growth.iteration}: ${cause.message}`;
  const text =
    `${finding}${where}${cause.kind === 'stiff' ? '' : stiffText}` +
    (suggestions.length > 0 ? ` ${cause.kind === 'underflow' ? 'Also try' : 'Try'}: ${suggestionList(suggestions)}.` : '');
  return { ...growth, cause: cause.kind, ...(shrink ? { shrink } : {}), ...(stiff !== undefined ? { stiff } : {}), measured, suggestions, text };
}
