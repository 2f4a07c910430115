/**
 * Which views an experiment file's CodeLens offers, from the model it builds. A text test, not a
 * build: the lens must appear as the file is typed. Free of `vscode`, so it is unit-tested.
 */

export type ExperimentView = 'debugSolve' | 'vectorField' | 'trajectories' | 'solverInspector' | 'diagnostics';

/** Model builders whose experiments are not a single vector field over a small state. */
const KINDS: { pattern: RegExp; views: ExperimentView[] }[] = [
  // ResNet, LM-ResNet, RK-Net read as schemes: the modified-equation diagnostics.
  { pattern: /\bdiscreteNetwork\s*\(/, views: ['diagnostics'] },
  // An image classifier's states are feature maps: no panel draws them, the curves do.
  { pattern: /\bodeNet\s*\(/, views: [] },
  // A CNF: its density and samples in the Vector field panel.
  { pattern: /\bcnfField\s*\(/, views: ['vectorField'] },
  // A latent ODE: observations, reconstruction and extrapolation in the Trajectories panel.
  { pattern: /\blatentOde\s*\(/, views: ['trajectories'] },
];

const ODE_VIEWS: ExperimentView[] = ['debugSolve', 'vectorField', 'trajectories', 'solverInspector'];

/** The views for this file's model: the first builder named wins; a plain ODE model gets all four. */
export function experimentViews(text: string): ExperimentView[] {
  return KINDS.find((k) => k.pattern.test(text))?.views ?? ODE_VIEWS;
}
