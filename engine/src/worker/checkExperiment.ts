/**
 * `experiment/check`: loads an experiment file as training would (bundle, evaluate, validate
 * the spec) without training it, and says where it is wrong. Every failure becomes data with
 * the best location known, so an editor can show it in its problems list.
 */
import { resolve } from 'node:path';
import { frameInFile, type SourceLocation } from '../experiments/callSite';
import { loadExperiment } from '../experiments/load';
import { buildAnyTrainable } from '../experiments/modelSource';
import { kindTask } from '../experiments/modelKinds';
import { gradientSpec } from '../experiments/trainer';

export type ExperimentCheck =
  | { ok: true; name: string }
  | { ok: false; kind: string; message: string; location?: SourceLocation };

const isLocation = (x: unknown): x is SourceLocation => {
  const l = x as Partial<SourceLocation> | null;
  return typeof l === 'object' && l !== null && typeof l.file === 'string' && Number.isInteger(l.line) && Number.isInteger(l.column);
};

/** Where an error points: its own location (ExperimentError), its context (a syntax error), or the file's stack frame. */
export function errorLocation(err: unknown, file: string): SourceLocation | undefined {
  const e = err as { location?: unknown; context?: unknown; stack?: string } | null;
  if (isLocation(e?.location)) return e.location;
  if (isLocation(e?.context)) return { file: e.context.file, line: e.context.line, column: e.context.column };
  return frameInFile(e?.stack, resolve(file));
}

export async function checkExperiment(file: string): Promise<ExperimentCheck> {
  try {
    const experiment = await loadExperiment(file);
    // Build the data and the model and match them as training would: a mistake in the user's
    // model code (a wrong shape, an unused variable) shows at its line before any run starts.
    const { data, model } = await buildAnyTrainable(experiment);
    kindTask(experiment, data, model, gradientSpec(experiment));
    return { ok: true, name: experiment.name };
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    const kind = (e as { kind?: unknown }).kind;
    return { ok: false, kind: typeof kind === 'string' ? kind : e.name, message: e.message, location: errorLocation(err, file) };
  }
}
