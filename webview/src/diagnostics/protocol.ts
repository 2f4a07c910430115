/**
 * The Modified-Equation Diagnostics panel's messages between the extension host and its
 * webview, with a validator for each (built from the shared checks of ../protocol). One result
 * message carries everything the panel draws; non-finite numbers travel as null.
 *
 * No DOM and no Node here: compiled into the browser bundle and the extension host.
 */
import { stabilityRegionCheck, type InspectorRegion } from '../inspector/protocol';
import {
  arrayOf, bool, fieldSource, finiteInt, nullable, num, object, oneOf, panelHostChecks, panelWebviewChecks, str, validate,
  type Check, type FieldSource, type MessageOf, type PanelHostMessages, type PanelWebviewMessages, type Validation,
} from '../protocol';

/** The schemes the scheme menu offers. */
export const DIAGNOSTIC_SCHEME_NAMES = ['euler', 'midpoint', 'rk4', 'ab2', 'lm'] as const;

/** The scheme's stability region, drawn as the inspector draws a method's, with its name. */
export interface DiagnosticsRegion extends InspectorRegion {
  label: string;
}

export interface DiagnosticsLayer {
  layer: number;
  k: number | null;
  uT: number;
  uTT: number;
  effectiveDt: number;
}

export interface DiagnosticsTracking {
  samples: number[];
  components: number;
  order: number;
  /** Layer boundaries. */
  t: number[];
  fineT: number[];
  /** Per sample, [t.length × components] (discrete) or [fineT.length × components], row-major. */
  discrete: (number | null)[][];
  plain: (number | null)[][];
  modified: (number | null)[][];
  plainDistance: (number | null)[];
  modifiedDistance: (number | null)[];
  closer: 'modified' | 'plain' | 'tie';
}

export interface DiagnosticsOrder {
  scheme: string;
  k: number | null;
  theoretical: number;
  horizon: number;
  dt: number[];
  /** null: the run blew up. */
  error: (number | null)[];
  fitted: boolean[];
  slope: number | null;
  notes: string[];
}

export interface DiagnosticsResult {
  source: FieldSource;
  title: string;
  iteration: number | null;
  model: 'network' | 'field';
  architecture: string | null;
  depth: number | null;
  equation: { scheme: string; text: string; derivativeForm: string | null };
  layers: DiagnosticsLayer[] | null;
  tracking: DiagnosticsTracking | null;
  order: DiagnosticsOrder;
  stability: { region: DiagnosticsRegion; points: { re: number; im: number; group: number; stable: boolean }[]; dt: number; scaling: 'network' | 'consistent' };
  scheme: { scheme: string; k: number | null };
  notes: string[];
}

export interface DiagnosticsHostToWebview extends PanelHostMessages {
  'diagnostics/result': DiagnosticsResult;
}

export interface DiagnosticsWebviewToHost extends PanelWebviewMessages {
  /** Compute the order and stability parts for this scheme (k: lm's; null: the default). */
  'diagnostics/scheme': { scheme: string; k: number | null };
}

export type DiagnosticsHostMessage = MessageOf<DiagnosticsHostToWebview>;
export type DiagnosticsWebviewMessage = MessageOf<DiagnosticsWebviewToHost>;

const MAX_SERIES = 1_000_000;
const MAX_LAYERS = 10_000;
const maybeNum = nullable(num);

const region = stabilityRegionCheck({ label: str(200) });

const series = arrayOf(arrayOf(maybeNum, MAX_SERIES), 64);

const tracking: Check = (v, p) => {
  const e = object({
    samples: arrayOf(finiteInt, 64),
    components: finiteInt,
    order: finiteInt,
    t: arrayOf(num, MAX_LAYERS),
    fineT: arrayOf(num, MAX_SERIES),
    discrete: series,
    plain: series,
    modified: series,
    plainDistance: arrayOf(maybeNum, MAX_LAYERS),
    modifiedDistance: arrayOf(maybeNum, MAX_LAYERS),
    closer: oneOf(['modified', 'plain', 'tie']),
  })(v, p);
  if (e) return e;
  const t = v as DiagnosticsTracking;
  const S = t.samples.length;
  if (t.discrete.length !== S || t.plain.length !== S || t.modified.length !== S) return `${p}: one trajectory per sample in discrete, plain and modified`;
  if (t.discrete.some((d) => d.length !== t.t.length * t.components)) return `${p}.discrete: each holds t.length × components values`;
  if ([...t.plain, ...t.modified].some((d) => d.length !== t.fineT.length * t.components)) return `${p}: each continuous solution holds fineT.length × components values`;
  if (t.plainDistance.length !== t.t.length || t.modifiedDistance.length !== t.t.length) return `${p}: one distance per layer boundary`;
  return null;
};

const order: Check = (v, p) => {
  const e = object({
    scheme: str(100),
    k: maybeNum,
    theoretical: num,
    horizon: num,
    dt: arrayOf(num, 100),
    error: arrayOf(maybeNum, 100),
    fitted: arrayOf(bool, 100),
    slope: maybeNum,
    notes: arrayOf(str(2000), 20),
  })(v, p);
  if (e) return e;
  const o = v as DiagnosticsOrder;
  return o.error.length === o.dt.length && o.fitted.length === o.dt.length ? null : `${p}: dt, error and fitted differ in length`;
};

const result = object({
  source: fieldSource,
  title: str(500),
  iteration: nullable(finiteInt),
  model: oneOf(['network', 'field']),
  architecture: nullable(str(100)),
  depth: nullable(finiteInt),
  equation: object({ scheme: str(100), text: str(10_000), derivativeForm: nullable(str(10_000)) }),
  layers: nullable(arrayOf(object({ layer: finiteInt, k: maybeNum, uT: num, uTT: num, effectiveDt: num }), MAX_LAYERS)),
  tracking: nullable(tracking),
  order,
  stability: object({
    region,
    points: arrayOf(object({ re: num, im: num, group: finiteInt, stable: bool }), MAX_SERIES),
    dt: num,
    scaling: oneOf(['network', 'consistent']),
  }),
  scheme: object({ scheme: str(100), k: maybeNum }),
  notes: arrayOf(str(2000), 20),
});

const hostPayloads: { [K in keyof DiagnosticsHostToWebview]: Check } = {
  'diagnostics/result': result,
  ...panelHostChecks,
};

const schemeChoice: Check = (v, p) => {
  const e = object({ scheme: oneOf([...DIAGNOSTIC_SCHEME_NAMES]), k: maybeNum })(v, p);
  if (e) return e;
  const k = (v as { k: number | null }).k;
  return k === null || (k > -1 && k <= 1) ? null : `${p}.k: lm is zero-stable for −1 < k ≤ 1 only`;
};

const webviewPayloads: { [K in keyof DiagnosticsWebviewToHost]: Check } = {
  ...panelWebviewChecks,
  'diagnostics/scheme': schemeChoice,
};

/** Checks a message the diagnostics webview received from the host. */
export function validateDiagnosticsHostMessage(data: unknown): Validation<DiagnosticsHostMessage> {
  return validate<DiagnosticsHostToWebview>(hostPayloads, data);
}

/** Checks a message the host received from the diagnostics webview. */
export function validateDiagnosticsWebviewMessage(data: unknown): Validation<DiagnosticsWebviewMessage> {
  return validate<DiagnosticsWebviewToHost>(webviewPayloads, data);
}

/** What the webview saves, so a reloaded window shows the same experiment, scheme and component. */
export interface DiagnosticsViewState {
  source: FieldSource | null;
  scheme: { scheme: string; k: number | null } | null;
  component: number;
  /** Whether the equation header is open (absent: open). */
  equationOpen?: boolean;
}

const viewState = object({
  source: nullable(fieldSource),
  scheme: nullable(schemeChoice),
  component: finiteInt,
}, { equationOpen: bool });

export function validateDiagnosticsViewState(data: unknown): Validation<DiagnosticsViewState> {
  const error = viewState(data, 'state');
  return error ? { ok: false, error } : { ok: true, value: data as DiagnosticsViewState };
}
