/**
 * Which views show each model kind, as plain data: the extension's CodeLens reads it to offer
 * the views of the model a file builds (a text test, before anything runs), and the engine's
 * model registry (modelKinds.ts) refuses the other views with the kind's reason. Free of imports,
 * so the extension host can load it without the engine.
 */

export type ExperimentView = 'debugSolve' | 'vectorField' | 'trajectories' | 'solverInspector' | 'diagnostics';

export interface ModelKindViews {
  /** The kind's name in the registry (and in config.json's model.kind). */
  readonly name: string;
  /** Functions whose call in an experiment file builds this kind (`discreteNetwork(`, `tf.sequential(`). */
  readonly builders: readonly string[];
  /** The views that show it; every other view refuses it and says where it is shown. */
  readonly views: readonly ExperimentView[];
  /** The views the CodeLens offers (default: all of `views`). */
  readonly lens?: readonly ExperimentView[];
}

/** The views of a vector field over a small state: every ODE model, the user's own included. */
const FIELD_VIEWS: readonly ExperimentView[] = ['debugSolve', 'vectorField', 'trajectories', 'solverInspector', 'diagnostics'];
/** Diagnostics of a field (the scheme's order and stability) open from the palette; the lens leaves them out. */
const FIELD_LENS: readonly ExperimentView[] = ['debugSolve', 'vectorField', 'trajectories', 'solverInspector'];

/** In the order a model is matched: the first kind that recognises it is its kind; `vectorField` is last and catches every other field. */
export const MODEL_KIND_VIEWS: readonly ModelKindViews[] = [
  // A latent ODE: observations, reconstruction and extrapolation; the Vector field panel shows its latent field.
  { name: 'latentOde', builders: ['latentOde'], views: ['trajectories', 'vectorField'] },
  // A CNF: its density and samples in the Vector field panel.
  { name: 'cnf', builders: ['cnfField'], views: ['vectorField'] },
  // ResNet, LM-ResNet, RK-Net read as schemes: the modified-equation diagnostics.
  { name: 'discreteNetwork', builders: ['discreteNetwork'], views: ['diagnostics'] },
  // An image classifier's states are feature maps: no panel draws them, the curves do.
  { name: 'odeNet', builders: ['odeNet'], views: [] },
  // The user's own TensorFlow.js fields: everything a built-in field has.
  { name: 'tensorField', builders: ['tensorField'], views: FIELD_VIEWS, lens: FIELD_LENS },
  { name: 'layersModel', builders: ['tf.sequential', 'tf.model'], views: FIELD_VIEWS, lens: FIELD_LENS },
  // mlpField, augmentedMlpField, mapInput, any NativeField.
  { name: 'vectorField', builders: [], views: FIELD_VIEWS, lens: FIELD_LENS },
];

export const kindViews = (name: string): ModelKindViews => MODEL_KIND_VIEWS.find((k) => k.name === name) ?? MODEL_KIND_VIEWS[MODEL_KIND_VIEWS.length - 1];

/** What each view is called in messages. */
export const VIEW_TITLES: Record<ExperimentView, string> = {
  debugSolve: 'the debugger',
  vectorField: 'the Vector field panel',
  trajectories: 'the Trajectories panel',
  solverInspector: 'the Solver inspector',
  diagnostics: 'the Modified-Equation Diagnostics panel',
};
