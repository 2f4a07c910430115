/**
 * `experiment/check`: loads an experiment file as training would (bundle, evaluate, validate
 * the spec) without training it, and says where it is wrong. Every failure becomes data with
 * the best location known, so an editor can show it in its problems list.
 */
import { resolve } from 'node:path';
import type { SourceLocation } from '../experiments/callSite';
import { loadExperiment } from '../experiments/load';

export type ExperimentCheck =
  | { ok: true; name: string }
  | { ok: false; kind: string; message: string; location?: SourceLocation };

const isLocation = (x: unknown): x is SourceLocation => {
  const l = x as Partial<SourceLocation> | null;
  return typeof l === 'object' && l !== null && typeof l.file === 'string' && Number.isInteger(l.line) && Number.isInteger(l.column);
};

/** The first stack frame inside `file` (source-mapped, so lines are the user's own). */
function frameIn(stack: string | undefined, file: string): SourceLocation | undefined {
  for (const frame of (stack ?? '').split('\n').slice(1)) {
    const m = /\(?((?:file:\/\/)?[^()\s][^()]*?):(\d+):(\d+)\)?\s*$/.exec(frame.replace(/^\s*at\s+/, ''));
    if (m && resolve(m[1].replace(/^file:\/\//, '')) === file) return { file, line: Number(m[2]), column: Number(m[3]) };
  }
  return undefined;
}

/** Where an error points: its own location (ExperimentError), its context (a syntax error), or the file's stack frame. */
export function errorLocation(err: unknown, file: string): SourceLocation | undefined {
  const e = err as { location?: unknown; context?: unknown; stack?: string } | null;
  if (isLocation(e?.location)) return e.location;
  if (isLocation(e?.context)) return { file: e.context.file, line: e.context.line, column: e.context.column };
  return frameIn(e?.stack, resolve(file));
}

export async function checkExperiment(file: string): Promise<ExperimentCheck> {
  try {
    const experiment = await loadExperiment(file);
    return { ok: true, name: experiment.name };
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    const kind = (e as { kind?: unknown }).kind;
    return { ok: false, kind: typeof kind === 'string' ? kind : e.name, message: e.message, location: errorLocation(err, file) };
  }
}
