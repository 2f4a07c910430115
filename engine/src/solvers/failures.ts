import { SolverError, fmt } from './errors';
import type { Stepper } from './stepper';

/** Step attempts before a solve gives up unless options.maxNumSteps says otherwise. */
export const DEFAULT_MAX_STEPS = 100_000;

const ratios = (r: readonly number[]): string => `[${r.map(fmt).join(', ')}]`;

export function underflowMessage(
  method: string,
  implicit: boolean,
  t: number,
  h: number,
  recentRatios: readonly number[],
  nonFinite: { t: number; component: number } | null,
): string {
  const cause =
    nonFinite && nonFinite.t === t
      ? `Trial steps produced non-finite values (component ${nonFinite.component}) however small h was: ` +
        'the solution blows up here, or f returns NaN/Infinity for these inputs.'
      : 'The solution may blow up here, f may be discontinuous, or the problem is stiff.';
  return (
    `Step size underflow at t = ${fmt(t)}: ${method} shrank h to ${fmt(h)}, below what t can resolve ` +
    `(last error ratios ${ratios(recentRatios)}). ${cause} Try: ` +
    (implicit ? '' : "an implicit method (method: 'kvaerno3') if the problem is stiff; ") +
    `options.jumpT: [${fmt(t)}] if f jumps there; looser rtol/atol; or options.minStep to force progress ` +
    '(accuracy is then not controlled).'
  );
}

export function maxStepsError<S>(
  s: Stepper<S>,
  maxSteps: number,
  t0: number,
  tEnd: number,
  h: number,
  recentRatios: readonly number[],
): SolverError {
  const st = s.stats;
  const stiff = st.stiff
    ? ` The problem looks stiff for ${s.method}: h·|λ| sat at the method's stability boundary for many steps. ` +
      "Use an implicit method (method: 'kvaerno3' or 'implicit_euler')."
    : '';
  return new SolverError(
    st.stiff ? 'stiff' : 'maxSteps',
    `${s.method} reached maxNumSteps (${maxSteps}) at t = ${fmt(s.t)} of [${fmt(t0)}, ${fmt(tEnd)}] with h = ${fmt(h)}: ` +
      `${st.nAccepted} accepted and ${st.nRejected} rejected steps, ${st.nfe} evaluations of f, ` +
      `last error ratios ${ratios(recentRatios)}.${stiff} ` +
      'Try: raise options.maxNumSteps, loosen rtol/atol, or shorten the time span.',
    { t: s.t, h, nAccepted: st.nAccepted, nRejected: st.nRejected, nfe: st.nfe, errRatios: [...recentRatios], stiff: st.stiff },
  );
}
