/**
 * The Vector field panel: an experiment's field as arrows, streamlines and advected particles
 * (with a time slider when the field depends on t), with the data and the model's predicted
 * trajectory, or a classifier's points coloured by class and flowing from t = 0 to 1, or a
 * continuous normalising flow's density with its samples flowing from the base to the data;
 * untrained or from a run's latest checkpoint.
 */
import type { ExperimentPreview } from '../../../engine/src/protocol';
import { validateVectorFieldViewState, type FieldClassification, type FieldDensity, type FieldFrames, type FieldPreview, type FieldSource } from '../../../webview/src/protocol';
import type { PreviewPanelKind } from './previewPanel';

/** Typed arrays become plain arrays: webview messages go through JSON. */
export function toFieldPreview(source: FieldSource, p: ExperimentPreview): FieldPreview {
  return {
    source,
    experiment: p.experiment,
    iteration: p.iteration,
    dim: p.dim,
    slice: p.slice,
    bounds: p.bounds,
    n: p.field.n,
    u: Array.from(p.field.u),
    v: Array.from(p.field.v),
    data: { x: Array.from(p.data.x), y: Array.from(p.data.y) },
    predicted: p.predicted ? { x: Array.from(p.predicted.x), y: Array.from(p.predicted.y) } : null,
    // A CNF's predictedError speaks to the trajectories panel; this panel shows why a part of its density is missing.
    predictedError: p.density ? p.density.error : p.predictedError,
    ...(p.density ? { density: toFieldDensity(p.density) } : {}),
    ...(p.frames ? { frames: toFrames(p.frames) } : {}),
    ...(p.classification ? { classification: toFieldClassification(p.classification) } : {}),
    ...(p.planes.length > 0
      ? {
          planes: p.planes.map((pl) => ({
            axes: pl.axes,
            bounds: pl.bounds,
            u: Array.from(pl.field.u),
            v: Array.from(pl.field.v),
            ...(pl.frames ? { frames: toFrames(pl.frames) } : {}),
          })),
          ...(p.classification
            ? {}
            : {
                components: {
                  data: p.components.data.slice(0, 4).map((c) => Array.from(c)),
                  predicted: p.components.predicted ? p.components.predicted.slice(0, 4).map((c) => Array.from(c)) : null,
                },
              }),
        }
      : {}),
  };
}

function toFrames(f: NonNullable<ExperimentPreview['frames']>): FieldFrames {
  return { t: Array.from(f.t), u: f.u.map((a) => Array.from(a)), v: f.v.map((a) => Array.from(a)) };
}

function toFieldDensity(d: NonNullable<ExperimentPreview['density']>): FieldDensity {
  return {
    t: Array.from(d.t),
    m: d.m,
    mesh: d.mesh ? { x: d.mesh.x.map(drawn), y: d.mesh.y.map(drawn), logp: d.mesh.logp.map(drawn) } : null,
    samples: d.samples ? { x: d.samples.x.map(drawn), y: d.samples.y.map(drawn) } : null,
    nll: Number.isFinite(d.nll) ? d.nll : null,
    nllPoints: d.nllPoints,
    nfe: d.nfe,
    error: d.error,
  };
}

function toFieldClassification(c: NonNullable<ExperimentPreview['classification']>): FieldClassification {
  return {
    classes: [...c.classes],
    labels: Array.from(c.labels),
    predicted: Array.from(c.predicted),
    loss: c.loss,
    accuracy: c.accuracy,
    t: Array.from(c.t),
    flowX: c.flowX ? c.flowX.map(drawn) : null,
    flowY: c.flowY ? c.flowY.map(drawn) : null,
    ...(c.flows ? { flows: c.flows.map((k) => k.map(drawn)) } : {}),
  };
}

/** Positions only drawn (thousands of points × times): six digits are plenty and halve the message. */
const drawn = (a: Float64Array): number[] => Array.from(a, (x) => (Number.isFinite(x) ? Number(x.toPrecision(6)) : x));

export const vectorFieldPanel: PreviewPanelKind<FieldPreview> = {
  viewType: 'neuralOde.vectorField',
  title: 'Vector Field',
  label: 'Vector field',
  bundle: 'vectorField',
  // 24² arrows read well in a panel beside the editor.
  grid: 24,
  command: 'Open Vector Field',
  preview: 'vectorField/preview',
  toPreview: toFieldPreview,
  validateState: validateVectorFieldViewState,
};
