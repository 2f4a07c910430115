/**
 * What defines a run, as its config.json records it: the task, the data, the model (kind, layer
 * shapes, activation), the solver, the gradient method and the optimiser. A resume must find all
 * of it unchanged, and an export the model; otherwise the difference is said, and the user either
 * undoes it or accepts it (`--allow-changes`), which the run then records.
 */

import { isTensorNativeField } from '../fields/tensorNative';
import type { ExperimentModel } from './define';
import { modelKindOf } from './modelKinds';
import { namedLayout } from './paramNames';

/** How config.json describes a model: its kind, size, activation and named layer shapes. */
export function modelRecord(field: ExperimentModel, readoutParams = 0): Record<string, unknown> {
  const activation = (field as { activation?: unknown }).activation;
  const layout = namedLayout(field);
  return {
    // The registry's kind; a model of the user's own in TensorFlow.js is 'tfjs'.
    kind: isTensorNativeField(field) ? 'tfjs' : (modelKindOf(field)?.name ?? null),
    params: field.params.length,
    dim: (field as { dim?: number }).dim ?? null,
    ...(typeof activation === 'string' ? { activation } : {}),
    ...(readoutParams > 0 ? { readoutParams } : {}),
    ...(layout ? { layout } : {}),
  };
}

/** The config.json keys that define a run, by what checks them; anything else (iterations, names, notes) may change freely. */
const RESUME_KEYS = ['task', 'data', 'model', 'solver', 'gradient', 'train.optimizer', 'train.schedule', 'train.loss', 'train.batchSize', 'train.batchTime', 'train.clipNorm', 'train.seed'];
const EXPORT_KEYS = ['model.kind', 'model.params', 'model.dim', 'model.activation', 'model.layout'];
/** Keys that older runs did not record: their absence is not a change. */
const RECORDED_SINCE = ['model.activation', 'data.fingerprint'];

type Json = unknown;

const isObject = (v: Json): v is Record<string, Json> => v !== null && typeof v === 'object' && !Array.isArray(v);

function at(config: Json, dotted: string): Json {
  let v = config;
  for (const k of dotted.split('.')) v = isObject(v) ? v[k] : undefined;
  return v;
}

const show = (v: Json): string => (v === undefined ? '(unset)' : JSON.stringify(v));

/** Every leaf of a value as `path: value`; arrays of plain values are one leaf, arrays of objects are walked by index. */
function leaves(v: Json, prefix: string, out: Map<string, Json>): void {
  if (isObject(v)) {
    for (const [k, x] of Object.entries(v)) leaves(x, `${prefix}.${k}`, out);
  } else if (Array.isArray(v) && v.some(isObject)) {
    v.forEach((x, i) => leaves(x, `${prefix}[${i}]`, out));
  } else {
    out.set(prefix, v);
  }
}

/** The differences between two configs in the keys given, as "train.optimizer.lr: 0.001 → 0.003", at most `max`. */
function differences(before: Json, after: Json, keys: readonly string[], max = 8): string[] {
  const changes: string[] = [];
  for (const key of keys) {
    // A run made by other means (an import, a test) may not record a whole part: nothing to compare.
    if (at(before, key.split('.')[0]) === undefined) continue;
    const a = new Map<string, Json>();
    const b = new Map<string, Json>();
    leaves(at(before, key), key, a);
    leaves(at(after, key), key, b);
    for (const p of new Set([...a.keys(), ...b.keys()])) {
      if (RECORDED_SINCE.includes(p) && !a.has(p)) continue; // a run from before this was recorded
      if (JSON.stringify(a.get(p)) !== JSON.stringify(b.get(p))) changes.push(`${p}: ${show(a.get(p))} → ${show(b.get(p))}`);
    }
  }
  return changes.length > max ? [...changes.slice(0, max), `and ${changes.length - max} more`] : changes;
}

/** The top-level keys of a config that define a run (a changed run takes them from the experiment). */
export function pickDefinition(config: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of new Set(RESUME_KEYS.map((key) => key.split('.')[0]))) if (k !== 'train' && k in config) out[k] = config[k];
  return out;
}

/** What changed in what a resume continues, between the run's config and the experiment's now. */
export const resumeChanges = (recorded: Json, now: Json): string[] => differences(recorded, now, RESUME_KEYS);

/** What changed in the model an export writes the run's weights into. */
export const exportChanges = (recorded: Json, now: Json): string[] => differences(recorded, now, EXPORT_KEYS);

/** The sentence a refused resume or export says. */
export function changedMessage(runId: string, what: 'resume' | 'export', changes: readonly string[]): string {
  const how =
    what === 'resume'
      ? 'Undo the change to resume, start a new run, or resume with --allow-changes (Resume Anyway in VS Code) to continue with the changed experiment; the run records the change.'
      : "Export with the experiment as it was when the run trained (undo the change), or pass --allow-changes if the weights still fit the model as it is now.";
  return `run ${runId} was trained with another experiment than this one: ${changes.join('; ')}. ${how}`;
}
