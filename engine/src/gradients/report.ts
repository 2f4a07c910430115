import type { SolverStats } from '../solvers/stepper';
import { SolverError, fmt } from '../solvers/errors';
import type { BackwardCounts, GradientMethod, GradStats } from './types';

/** The statistics of a gradient computation from its forward solve and its backward counts. */
export function gradStats(
  gradient: GradientMethod,
  method: string,
  forward: Pick<SolverStats, 'nfe' | 'nAccepted' | 'nRejected'> & { stiff?: boolean },
  counts: BackwardCounts,
  backwardSteps: { accepted: number; rejected: number },
  peakStoredBytes: number,
): GradStats {
  return {
    gradient,
    method,
    nfeForward: forward.nfe,
    nfeBackward: counts.f + counts.vjp,
    nfBackward: counts.f,
    nVjpBackward: counts.vjp,
    nAccepted: forward.nAccepted,
    nRejected: forward.nRejected,
    nAcceptedBackward: backwardSteps.accepted,
    nRejectedBackward: backwardSteps.rejected,
    peakStoredBytes,
    ...(forward.stiff ? { stiff: true } : {}),
  };
}

/** A failure of the adjoint's backward solve, said as such (it has its own method and tolerances). */
export function adjointSolveError(e: SolverError, from: number, to: number): SolverError {
  return new SolverError(
    e.kind,
    `The adjoint solve from t = ${fmt(from)} back to t = ${fmt(to)} failed: ${e.message} ` +
      'The backward solve has its own method and tolerances: see adjointOptions.',
    { ...e.context, interval: [from, to] },
  );
}
