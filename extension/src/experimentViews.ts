/**
 * Which views an experiment file's CodeLens offers, from the model it builds. A text test, not a
 * build: the lens must appear as the file is typed. The kinds and their views are the engine's
 * model registry's (MODEL_KIND_VIEWS); this only finds which builder the file calls.
 */
import { MODEL_KIND_VIEWS, type ExperimentView } from '../../engine/src/experiments/modelViews';

export type { ExperimentView };

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Each kind with builders, and a pattern for a call of any of them (not inside a longer name). */
const KINDS = MODEL_KIND_VIEWS.filter((k) => k.builders.length > 0).map((k) => ({
  pattern: new RegExp(`(?<![\\w$])(?:${k.builders.map(escape).join('|')})\\s*\\(`),
  lens: k.lens ?? k.views,
}));
const FIELD = MODEL_KIND_VIEWS[MODEL_KIND_VIEWS.length - 1];

/** The views for this file's model: the first kind whose builder is called wins; any other model is a vector field. */
export function experimentViews(text: string): ExperimentView[] {
  return [...(KINDS.find((k) => k.pattern.test(text))?.lens ?? FIELD.lens ?? FIELD.views)];
}
