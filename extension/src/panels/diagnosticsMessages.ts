/**
 * The engine's diagnostics as the panel's message: typed arrays become plain arrays and
 * non-finite numbers null (webview messages go through JSON). No vscode here, so it is unit-tested.
 */
import type { ExperimentDiagnostics } from '../../../engine/src/analysis/experimentDiagnostics';
import type { DiagnosticsResult } from '../../../webview/src/diagnostics/protocol';
import type { FieldSource } from '../../../webview/src/protocol';

const fin = (v: number): number | null => (Number.isFinite(v) ? v : null);
const list = (a: ArrayLike<number>): (number | null)[] => Array.from(a, fin);
/** Root moduli and |R| are infinite at poles: large is all the drawing needs. */
const BIG = 1e9;

export function toDiagnosticsResult(source: FieldSource, d: ExperimentDiagnostics): DiagnosticsResult {
  const r = d.stability.region;
  const tr = d.tracking;
  return {
    source,
    title: d.experiment,
    iteration: d.iteration,
    model: d.model,
    architecture: d.architecture,
    depth: d.depth,
    equation: d.equation,
    layers: d.layers && d.layers.map((l) => ({ ...l })),
    tracking: tr && {
      samples: tr.samples,
      components: tr.components,
      order: tr.order,
      t: tr.t,
      fineT: tr.fineT,
      discrete: tr.discrete.map(list),
      plain: tr.plain.map(list),
      modified: tr.modified.map(list),
      plainDistance: list(tr.plainDistance),
      modifiedDistance: list(tr.modifiedDistance),
      closer: tr.closer,
    },
    order: { ...d.order, error: list(d.order.error) },
    stability: {
      region: {
        label: r.label,
        bounds: r.bounds,
        nx: r.nx,
        ny: r.ny,
        absR: Array.from(r.absR, (v) => (Number.isFinite(v) ? v : BIG)),
        boundary: Array.from(r.boundary),
        realAxis: r.realAxis,
      },
      points: d.stability.points,
      dt: d.stability.dt,
      scaling: d.stability.scaling,
    },
    scheme: { scheme: d.scheme.scheme, k: d.scheme.k ?? null },
    notes: d.notes,
  };
}
