/**
 * The Trajectories panel: y(t) per component and the phase portrait, data against the model's
 * solve from y0, or a sample of a classifier's flows coloured by class, or a latent ODE's series
 * (observed, reconstructed, extrapolated); untrained or from a run's latest checkpoint.
 */
import type { ExperimentPreview } from '../../../engine/src/protocol';
import { validateTrajectoriesViewState, type FieldSource, type TrajectoryPreview } from '../../../webview/src/protocol';
import type { PreviewPanelKind } from './previewPanel';

/** Typed arrays become plain arrays: webview messages go through JSON. */
export function toTrajectoryPreview(source: FieldSource, p: ExperimentPreview): TrajectoryPreview {
  if (p.latent !== undefined) return toLatentPreview(source, p);
  const c = p.classification;
  if (c) {
    return {
      source,
      experiment: p.experiment,
      iteration: p.iteration,
      dim: p.dim,
      t: Array.from(c.t),
      data: [],
      predicted: null,
      predictedError: p.predictedError,
      ...(c.sample
        ? {
            flows: {
              classes: [...c.classes],
              labels: Array.from(c.sample.labels),
              components: c.sample.components.map((k) => k.map((flow) => Array.from(flow))),
              accuracy: c.accuracy,
            },
          }
        : {}),
    };
  }
  return {
    source,
    experiment: p.experiment,
    iteration: p.iteration,
    dim: p.dim,
    t: Array.from(p.data.t),
    data: p.components.data.map((c) => Array.from(c)),
    predicted: p.components.predicted ? p.components.predicted.map((c) => Array.from(c)) : null,
    predictedError: p.predictedError,
  };
}

/** A latent ODE: its series as they are (plain arrays already); a NaN RMSE (nothing to score) becomes null. */
function toLatentPreview(source: FieldSource, p: ExperimentPreview): TrajectoryPreview {
  const score = (v: number): number | null => (Number.isFinite(v) ? v : null);
  const l = p.latent;
  return {
    source,
    experiment: p.experiment,
    iteration: p.iteration,
    dim: p.dim,
    t: [],
    data: [],
    predicted: null,
    predictedError: p.predictedError,
    ...(l ? { latent: { rmse: { interpolation: score(l.rmse.interpolation), extrapolation: score(l.rmse.extrapolation) }, series: l.series } } : {}),
  };
}

export const trajectoriesPanel: PreviewPanelKind<TrajectoryPreview> = {
  viewType: 'neuralOde.trajectories',
  title: 'Trajectories',
  label: 'Trajectories',
  bundle: 'trajectories',
  // The panel draws no field: the smallest grid keeps each evaluation to the solve.
  grid: 2,
  command: 'Open Trajectories',
  preview: 'trajectories/preview',
  toPreview: toTrajectoryPreview,
  validateState: validateTrajectoriesViewState,
};
