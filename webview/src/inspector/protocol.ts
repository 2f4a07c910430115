/**
 * The solver inspector's messages between the extension host and its webview, with a validator
 * for each (built from the shared checks of ../protocol). Steps arrive as a stream: a solve
 * (`inspector/solve`) starts the view afresh, and `inspector/steps` appends attempts to it, so a
 * finished trace and a live debug session (one step per `neuralOde/step` event) feed it alike.
 * Non-finite numbers travel as null (webview messages go through JSON).
 *
 * No DOM and no Node here: compiled into the browser bundle and the extension host.
 */
import {
  arrayOf,
  bool,
  fieldSource,
  finiteInt,
  nullable,
  num,
  object,
  panelHostChecks,
  panelWebviewChecks,
  str,
  validate,
  type Check,
  type FieldSource,
  type PanelHostMessages,
  type PanelWebviewMessages,
  type MessageOf,
  type Validation,
} from '../protocol';

/** One step attempt: what the debugger's `neuralOde/step` event carries, and a trace's extras. */
export interface InspectorStep {
  t: number;
  /** Signed step size attempted. */
  h: number;
  /** ≤ 1 passes rtol/atol; null when there is none (fixed grid) or it is not finite. */
  errRatio: number | null;
  accepted: boolean;
  /** Evaluations of f so far (cumulative). */
  nfe: number;
  /** The selected sample's state (at the step's end for an accepted step); null entries are non-finite. */
  y: (number | null)[] | null;
  /** Attempt number, 1-based (default: position in the stream). */
  n?: number;
  hNext?: number | null;
  /** Eigenvalues λ of ∂f/∂y where the attempt starts (h·λ is drawn on the stability region). */
  lambda?: { re: number[]; im: number[] } | null;
}

/** |R(z)| of the method on a grid of the complex plane, and its |R| = 1 curve. */
export interface InspectorRegion {
  bounds: { reMin: number; reMax: number; imMin: number; imMax: number };
  nx: number;
  ny: number;
  /** Row-major: index j·nx + i is re = reMin + i·dRe, im = imMin + j·dIm (poles clamped). */
  absR: number[];
  /** Segments [re0, im0, re1, im1, …]. */
  boundary: number[];
  /** Where the region meets the negative real axis; null: nowhere in reach (A-stable). */
  realAxis: number | null;
}

/** A solve the panel shows: what is solved and how, before (or with) its steps. */
export interface InspectorSolve {
  /** The experiment (and run) traced; null for a solve from elsewhere (a debug session). */
  source: FieldSource | null;
  /** What the toolbar names (the experiment). */
  title: string;
  /** The checkpoint's iteration; null for the untrained model. */
  iteration: number | null;
  method: string;
  rtol: number | null;
  atol: number | null;
  /** Components per state. */
  dim: number;
  /** The observation (or point) the solve starts from. */
  sample: number;
  /** The solve's outputs, components 0 and 1; null while they are not known. */
  outputs: { t: number[]; x: (number | null)[]; y: (number | null)[] } | null;
  /** The observations, components 0 and 1. */
  data: { x: number[]; y: number[] } | null;
  region: InspectorRegion | null;
  /** Why a part is missing (no region for a multistep method, eigenvalues skipped). */
  notes: string[];
  /** Why the solve stopped early. */
  failure: string | null;
}

export interface InspectorHostToWebview extends PanelHostMessages {
  'inspector/solve': InspectorSolve;
  'inspector/steps': { steps: InspectorStep[] };
}

export interface InspectorWebviewToHost extends PanelWebviewMessages {
  /** Trace again from this observation (or point). */
  'inspector/sample': { sample: number };
}

export type InspectorHostMessage = MessageOf<InspectorHostToWebview>;
export type InspectorWebviewMessage = MessageOf<InspectorWebviewToHost>;

/** A million attempts hits the solver's step budget many times over; more is a bug on the sending side. */
const MAX_STEPS = 1_000_000;
const MAX_STATE = 1024;
const MAX_GRID = 400 * 400;
const MAX_SERIES = 1_000_000;

const maybeNum = nullable(num);
const lambda = (v: unknown, p: string): string | null => {
  const e = object({ re: arrayOf(num, MAX_STATE), im: arrayOf(num, MAX_STATE) })(v, p);
  if (e) return e;
  const l = v as { re: number[]; im: number[] };
  return l.re.length === l.im.length ? null : `${p}: re and im differ in length`;
};
const step = object(
  { t: num, h: num, errRatio: maybeNum, accepted: bool, nfe: num, y: nullable(arrayOf(maybeNum, MAX_STATE)) },
  { n: finiteInt, hNext: maybeNum, lambda: nullable(lambda) },
);

/** A stability region as the panels draw it; `extra` checks fields a panel adds (the diagnostics' label). */
export const stabilityRegionCheck = (extra: Record<string, Check> = {}): Check => (v, p) => {
  const e = object({
    ...extra,
    bounds: object({ reMin: num, reMax: num, imMin: num, imMax: num }),
    nx: finiteInt,
    ny: finiteInt,
    absR: arrayOf(num, MAX_GRID),
    boundary: arrayOf(num, 4 * MAX_GRID),
    realAxis: maybeNum,
  })(v, p);
  if (e) return e;
  const r = v as InspectorRegion;
  if (r.nx < 2 || r.ny < 2 || r.absR.length !== r.nx * r.ny) return `${p}: the grid needs nx, ny ≥ 2 and nx·ny values in absR`;
  if (r.boundary.length % 4 !== 0) return `${p}.boundary: segments come in fours (re0, im0, re1, im1)`;
  const b = r.bounds;
  return b.reMin < b.reMax && b.imMin < b.imMax ? null : `${p}.bounds: empty window`;
};
const region = stabilityRegionCheck();

const solve: Check = (v, p) => {
  const e = object({
    source: nullable(fieldSource),
    title: str(500),
    iteration: nullable(finiteInt),
    method: str(100),
    rtol: maybeNum,
    atol: maybeNum,
    dim: finiteInt,
    sample: finiteInt,
    outputs: nullable(object({ t: arrayOf(num, MAX_SERIES), x: arrayOf(maybeNum, MAX_SERIES), y: arrayOf(maybeNum, MAX_SERIES) })),
    data: nullable(object({ x: arrayOf(num, MAX_SERIES), y: arrayOf(num, MAX_SERIES) })),
    region: nullable(region),
    notes: arrayOf(str(2000), 20),
    failure: nullable(str(10_000)),
  })(v, p);
  if (e) return e;
  const s = v as InspectorSolve;
  if (s.outputs && (s.outputs.x.length !== s.outputs.t.length || s.outputs.y.length !== s.outputs.t.length)) return `${p}.outputs: t, x and y differ in length`;
  if (s.data && s.data.x.length !== s.data.y.length) return `${p}.data: x and y differ in length`;
  return null;
};

const hostPayloads: { [K in keyof InspectorHostToWebview]: Check } = {
  'inspector/solve': solve,
  'inspector/steps': object({ steps: arrayOf(step, MAX_STEPS) }),
  ...panelHostChecks,
};

const webviewPayloads: { [K in keyof InspectorWebviewToHost]: Check } = {
  ...panelWebviewChecks,
  'inspector/sample': object({ sample: (v, p) => finiteInt(v, p) ?? ((v as number) >= 0 ? null : `${p}: expected an index ≥ 0`) }),
};

/** Checks a message the inspector's webview received from the host. */
export function validateInspectorHostMessage(data: unknown): Validation<InspectorHostMessage> {
  return validate<InspectorHostToWebview>(hostPayloads, data);
}

/** Checks a message the host received from the inspector's webview. */
export function validateInspectorWebviewMessage(data: unknown): Validation<InspectorWebviewMessage> {
  return validate<InspectorWebviewToHost>(webviewPayloads, data);
}

/** What the webview saves, so a reloaded window traces the same experiment and shows the same step. */
export interface InspectorViewState {
  source: FieldSource | null;
  sample: number;
  /** The selected attempt's number; null: none. */
  selected: number | null;
}

const viewState = object({
  source: nullable(fieldSource),
  sample: finiteInt,
  selected: nullable(finiteInt),
});

export function validateInspectorViewState(data: unknown): Validation<InspectorViewState> {
  const error = viewState(data, 'state');
  return error ? { ok: false, error } : { ok: true, value: data as InspectorViewState };
}
