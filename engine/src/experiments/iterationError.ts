/**
 * An iteration that failed with an exception (not a solver failure, not divergence): most often
 * the user's own model code throwing. The message says which iteration of which run, and where
 * in the experiment file, from the error's stack (source-mapped, so the lines are the user's).
 */
import { frameInFile, type SourceLocation } from './callSite';

export class IterationError extends Error {
  /** The error's own kind when it has one; 'model' when it came from the experiment file. */
  readonly kind: string;

  constructor(
    message: string,
    readonly iteration: number,
    readonly runId: string,
    /** The innermost frame of the stack in the experiment file, if any. */
    readonly location: SourceLocation | undefined,
    cause: unknown,
  ) {
    super(message, { cause });
    this.name = 'IterationError';
    const kind = (cause as { kind?: unknown } | null)?.kind;
    this.kind = location ? 'model' : typeof kind === 'string' ? kind : 'error';
  }
}

/**
 * "Iteration 7 of run ID failed in your model at /…/pendulum.ode.ts:23:11: boom", or without
 * the place when no frame of the stack is in `file` (the experiment's).
 */
export function iterationError(err: unknown, iteration: number, runId: string, file: string | undefined): IterationError {
  const e = err as { message?: unknown; stack?: string } | null;
  const message = typeof e?.message === 'string' ? e.message : String(err);
  const location = file ? frameInFile(e?.stack, file) : undefined;
  const where = location ? ` in your model at ${location.file}:${location.line}:${location.column}` : '';
  return new IterationError(`Iteration ${iteration} of run ${runId} failed${where}: ${message}`, iteration, runId, location, err);
}
