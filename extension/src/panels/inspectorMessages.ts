/**
 * The engine's trace as the inspector's messages: typed arrays become plain arrays and
 * non-finite numbers null (webview messages go through JSON). No vscode here, so it is unit-tested.
 */
import type { ExperimentTrace } from '../../../engine/src/inspect/experimentTrace';
import type { FieldSource } from '../../../webview/src/protocol';
import { methodCoefficients, stabilityRegion, type StabilityRegion } from '../../../engine/src/inspect/stability';
import type { SolveEventBody, StepEventBody } from '../debug/events';
import type { InspectorRegion, InspectorSolve, InspectorStep } from '../../../webview/src/inspector/protocol';

const fin = (v: number): number | null => (Number.isFinite(v) ? v : null);
/** |R| is infinite at a pole: large is all the drawing needs. */
const BIG = 1e9;

export function toInspectorRegion(r: StabilityRegion): InspectorRegion {
  return {
    bounds: r.bounds,
    nx: r.nx,
    ny: r.ny,
    absR: Array.from(r.absR, (v) => (Number.isFinite(v) ? v : BIG)),
    boundary: Array.from(r.boundary),
    realAxis: fin(r.realAxis),
  };
}

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
    region: t.region && toInspectorRegion(t.region),
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

/** A debug session's solve, as the inspector shows it while the session's steps arrive. */
export function debugSolveToInspector(b: SolveEventBody): InspectorSolve {
  const m = methodCoefficients(b.method);
  return {
    source: null,
    title: `${b.experiment} (debugging${b.solve === 'adjoint' ? ' the adjoint' : ''})`,
    iteration: b.iteration,
    method: b.method,
    rtol: b.rtol,
    atol: b.atol,
    dim: b.dim,
    sample: b.input,
    outputs: null,
    data: b.observed,
    region: m.coefficients ? toInspectorRegion(stabilityRegion(m.coefficients)) : null,
    notes: m.coefficients ? [] : [m.note],
    failure: null,
  };
}

export function debugStepToInspector(b: StepEventBody): InspectorStep {
  return { n: b.n, t: b.t, h: b.h, errRatio: b.errRatio, accepted: b.accepted, nfe: b.nfe, hNext: b.hNext, y: b.y, lambda: b.lambda ?? null };
}
