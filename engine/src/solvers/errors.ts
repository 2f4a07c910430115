/**
 * Solver failures are values a person can act on: each says what happened, where (t, h,
 * component) and what to try. `kind` lets callers (the debugger, the trainer) react to a
 * class of failure without parsing text; `context` carries the numbers behind the message.
 */
export type SolverErrorKind =
  | 'input' // bad arguments: tolerances, t, options, unknown method
  | 'shape' // f returned a state of another shape than y
  | 'nonFinite' // NaN or ±Infinity in the state or in f
  | 'stepUnderflow' // the controller asked for a step below minStep / machine precision
  | 'maxSteps' // maxNumSteps reached
  | 'stiff' // an explicit method detected stiffness and could not proceed
  | 'newton' // an implicit method's Newton iteration failed at the smallest step
  | 'cancelled'; // the caller's cancellation was observed between steps

export class SolverError extends Error {
  readonly kind: SolverErrorKind;
  readonly context: Record<string, unknown>;

  constructor(kind: SolverErrorKind, message: string, context: Record<string, unknown> = {}) {
    super(message);
    this.name = 'SolverError';
    this.kind = kind;
    this.context = context;
  }
}

/** Formats a number for a message: short, but exact enough to find the place again. */
export function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return '0';
  const a = Math.abs(x);
  return a >= 1e-3 && a < 1e6 ? String(Number(x.toPrecision(6))) : x.toExponential(3);
}
