/**
 * The engine's trace as the inspector's messages: typed arrays become plain arrays and
 * non-finite numbers null (webview messages go through JSON). No vscode here, so it is unit-tested.
 */
import type { ExperimentTrace } from '../../../engine/src/inspect/experimentTrace';
import type { FieldSource } from '../../../webview/src/protocol';
import type { InspectorSolve, InspectorStep } from '../../../webview/src/inspector/protocol';

const fin = (v: number): number | null => (Number.isFinite(v) ? v : null);
/** |R| is infinite at a pole: large is all the drawing needs. */
const BIG = 1e9;

export function toInspectorSolve(source: FieldSource, t: ExperimentTrace): InspectorSolve {
  return {
    source,
    title: t.experiment,
    iteration: t.iteration,
    method: t.method,
    rtol: t.rtol,
    atol: t.atol,
    dim: t.dim,
    sample: t.sample,
    outputs: { t: Array.from(t.outputs.t), x: Array.from(t.outputs.x, fin), y: Array.from(t.outputs.y, fin) },
    data: { x: Array.from(t.data.x, (v) => (Number.isFinite(v) ? v : 0)), y: Array.from(t.data.y, (v) => (Number.isFinite(v) ? v : 0)) },
    region: t.region && {
      bounds: t.region.bounds,
      nx: t.region.nx,
      ny: t.region.ny,
      absR: Array.from(t.region.absR, (v) => (Number.isFinite(v) ? v : BIG)),
      boundary: Array.from(t.region.boundary),
      realAxis: fin(t.region.realAxis),
    },
    notes: t.notes,
    failure: t.failure,
  };
}

export function toInspectorSteps(t: ExperimentTrace): InspectorStep[] {
  return t.steps.map((s) => ({
    n: s.n,
    t: s.t,
    h: s.h,
    errRatio: fin(s.errRatio),
    accepted: s.accepted,
    nfe: s.nfe,
    hNext: fin(s.hNext),
    y: s.y ? Array.from(s.y, fin) : null,
    // Non-finite eigenvalues (a Jacobian with NaN) are dropped: they cannot be drawn.
    lambda: s.lambda && s.lambda.re.every(Number.isFinite) && s.lambda.im.every(Number.isFinite) ? { re: Array.from(s.lambda.re), im: Array.from(s.lambda.im) } : null,
  }));
}
