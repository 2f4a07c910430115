/**
 * The Vector field panel: an experiment's field as arrows and advected particles, with the data
 * and the model's predicted trajectory, untrained or from a run's latest checkpoint.
 */
import type { ExperimentPreview } from '../../../engine/src/protocol';
import { validateVectorFieldViewState, type FieldPreview, type FieldSource } from '../../../webview/src/protocol';
import type { PreviewPanelKind } from './previewPanel';

export { findRunDir, runExperimentFile } from './previewFeed';

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
    predictedError: p.predictedError,
  };
}

export const vectorFieldPanel: PreviewPanelKind<FieldPreview> = {
  viewType: 'neuralOde.vectorField',
  title: 'Vector Field',
  label: 'Vector field',
  bundle: 'vectorField',
  // 24² arrows read well in a panel beside the editor.
  grid: 24,
  command: 'Open Vector Field',
  messages: { preview: 'vectorField/preview', status: 'vectorField/status', refresh: 'vectorField/refresh' },
  toPreview: toFieldPreview,
  validateState: validateVectorFieldViewState,
};
