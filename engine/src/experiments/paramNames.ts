/**
 * A model's parameters by name and shape, as config.json and every checkpoint record them, so
 * that a run read later (resume, a view, export) can tell whether the experiment's model is still
 * the one that was trained, and say what changed.
 */
import type { ParamEntry } from '../fields/mlpLayout';

/** The model's parameters by name and shape, where it names them (mlpField, the user's tfjs models, …). */
export function namedLayout(model: object): { name: string; shape: number[]; offset: number }[] | undefined {
  const layout = (model as { layout?: readonly ParamEntry[] }).layout;
  return Array.isArray(layout) ? layout.map((e) => ({ name: e.name, shape: [...e.shape], offset: e.offset })) : undefined;
}

/** How the parameters a checkpoint names differ from the model's (first difference), or null when they agree or either has no names. */
export function layoutChange(saved: unknown, now: ReturnType<typeof namedLayout>): string | null {
  if (!Array.isArray(saved) || !now) return null;
  const text = (e: { name: string; shape: number[] }) => `${e.name} [${e.shape.join(', ')}]`;
  for (let i = 0; i < Math.max(saved.length, now.length); i++) {
    const a = saved[i] as { name: string; shape: number[] } | undefined;
    const b = now[i];
    if (!a || !b || text(a) !== text(b)) return `its checkpoint holds ${a ? text(a) : 'nothing'} where the model has ${b ? text(b) : 'nothing'}`;
  }
  return null;
}
