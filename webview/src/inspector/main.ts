/**
 * The Solver inspector (browser side): every step attempt of a solve — |h| over t on a log scale
 * with the rejected attempts marked, the error ratio and the cumulative NFE per attempt, the
 * trajectory with the step points on it, and the method's stability region with h·λ for the
 * Jacobian's eigenvalues. Clicking a step (or ← →) shows its variables. A solve arrives whole
 * (a trace) or as a stream of steps (a debug session); what the page holds is mirrored in data-*
 * attributes on <body> and on each card, so tests read data, not pixels.
 */
import '@vscode-elements/elements/dist/vscode-button/index.js';
import { noticeBar, swatch } from '../shared/notice';
import { weightsPicker } from '../shared/weightsPicker';
import { onThemeChange, readTheme, withAlpha, type Theme } from '../shared/theme';
import { getState, onHostMessage, post, setState } from './channel';
import { detailsView } from './details';
import { PlotCard, type Pt, type Series } from './plotCard';
import { validateInspectorViewState, type InspectorHostMessage, type InspectorSolve, type InspectorStep, type InspectorViewState } from './protocol';
import { regionLayer } from './regionLayer';

let theme: Theme = readTheme();
const saved = validateInspectorViewState(getState());
const state: InspectorViewState = saved.ok ? saved.value : { source: null, sample: 0, selected: null };

let solve: InspectorSolve | null = null;
const steps: InspectorStep[] = [];
/** Index into `steps` of the selected attempt. */
let selected: number | null = null;

// --- layout -----------------------------------------------------------------------------------
const app = document.createElement('div');
app.className = 'panel-app';
const toolbar = document.createElement('header');
toolbar.className = 'toolbar';
const heading = document.createElement('h1');
heading.textContent = 'Solver inspector';
const status = document.createElement('span');
status.className = 'status';
status.setAttribute('role', 'status');
const legend = document.createElement('span');
legend.className = 'legend';
const sampleLabel = document.createElement('label');
sampleLabel.className = 'sample';
sampleLabel.textContent = 'Start at observation ';
const sampleInput = document.createElement('input');
sampleInput.type = 'number';
sampleInput.min = '0';
sampleInput.step = '1';
sampleInput.value = String(state.sample);
sampleInput.dataset.role = 'sample';
sampleLabel.append(sampleInput);
const refresh = document.createElement('vscode-button');
refresh.textContent = 'Refresh';
refresh.secondary = true;
refresh.dataset.role = 'refresh';
const weightsMenu = weightsPicker((value) => post('panel/pickWeights', { value }));
toolbar.append(heading, status, legend, weightsMenu.element, sampleLabel, refresh);

const notice = noticeBar();
const body = document.createElement('div');
body.className = 'inspector-body';
const grid = document.createElement('main');
grid.className = 'chart-grid';
const details = detailsView((delta) => move(delta));
body.append(grid, details.element);
app.append(toolbar, notice.element, body);
document.body.append(app);

const pick = (i: number): void => select(i);
const hCard = new PlotCard({ id: 'step-size', title: 'Step size |h| over t', xTitle: 't', yTitle: '|h|', yLog: true, onPick: pick, pickAxis: 'x' }, theme);
const errCard = new PlotCard({ id: 'error-ratio', title: 'Error ratio per attempt', xTitle: 'attempt', yTitle: 'error ratio', yLog: true, onPick: pick, pickAxis: 'x' }, theme);
const nfeCard = new PlotCard({ id: 'nfe', title: 'Function evaluations (cumulative)', xTitle: 'attempt', yTitle: 'NFE', onPick: pick, pickAxis: 'x' }, theme);
const trajCard = new PlotCard({ id: 'trajectory', title: 'Trajectory with step points', xTitle: 'y₀', yTitle: 'y₁', onPick: pick, equalAspect: true }, theme);
const region = regionLayer();
const regionCard = new PlotCard(
  { id: 'stability', title: 'Stability region with h·λ', xTitle: 'Re(h·λ)', yTitle: 'Im(h·λ)', onPick: pick, plugins: [region.plugin], equalAspect: true },
  theme,
);
const cards = [hCard, errCard, nfeCard, trajCard, regionCard];
grid.append(...cards.map((c) => c.element));

// --- colours ----------------------------------------------------------------------------------
const colors = () => ({
  accepted: theme.palette[0],
  rejected: theme.palette[4],
  predicted: theme.palette[1],
  data: withAlpha(theme.palette[2], 0.55),
  selected: theme.foreground,
  region: withAlpha(theme.palette[0], theme.kind === 'light' ? 0.2 : 0.28),
  edge: theme.palette[0],
  hLambda: theme.palette[1],
  trail: withAlpha(theme.palette[3], 0.35),
});

function updateLegend(): void {
  const c = colors();
  legend.replaceChildren(
    swatch(c.accepted, 'accepted', false),
    swatch(c.rejected, 'rejected', false),
    swatch(c.predicted, 'solution', true),
    swatch(theme.palette[2], 'data', false),
    swatch(c.hLambda, 'h·λ', false),
  );
}

// --- drawing ----------------------------------------------------------------------------------
let pending = false;
function schedule(): void {
  if (pending) return;
  pending = true;
  requestAnimationFrame(() => {
    pending = false;
    draw();
  });
}

const stepNumber = (s: InspectorStep, i: number): number => s.n ?? i + 1;

/** Where an accepted step ends, in the trajectory's plane (y over t for a scalar state). */
function stepPoint(s: InspectorStep, twoD: boolean): { x: number; y: number } | null {
  if (!s.y || s.y.length === 0) return null;
  const a = s.y[0];
  const b = twoD ? s.y[1] : a;
  if (a === null || b === null || b === undefined) return null;
  return twoD ? { x: a, y: b } : { x: s.t + s.h, y: a };
}

function draw(): void {
  const c = colors();
  const sel = selected === null ? null : steps[selected];
  const acc: Pt[] = [];
  const rej: Pt[] = [];
  const errAcc: Pt[] = [];
  const errRej: Pt[] = [];
  const nfe: Pt[] = [];
  steps.forEach((s, i) => {
    const n = stepNumber(s, i);
    (s.accepted ? acc : rej).push({ x: s.t, y: Math.abs(s.h), i });
    if (s.errRatio !== null) (s.accepted ? errAcc : errRej).push({ x: n, y: s.errRatio, i });
    nfe.push({ x: n, y: s.nfe, i });
  });
  const ring = (p: Pt | null): Series[] => (p ? [{ key: 'selected', label: 'selected', points: [p], color: c.selected, radius: 6, top: true }] : []);
  const selN = sel && selected !== null ? stepNumber(sel, selected) : 0;

  hCard.setSeries([
    { key: 'accepted', label: 'accepted', points: acc, color: c.accepted, line: true, radius: 2 },
    { key: 'rejected', label: 'rejected', points: rej, color: c.rejected, style: 'crossRot', radius: 5 },
    ...ring(sel ? { x: sel.t, y: Math.abs(sel.h) } : null),
  ]);
  const lastN = steps.length > 0 ? stepNumber(steps[steps.length - 1], steps.length - 1) : 1;
  errCard.setSeries([
    { key: 'limit', label: 'error ratio 1 (accept below)', points: [{ x: 1, y: 1 }, { x: Math.max(lastN, 2), y: 1 }], color: withAlpha(theme.foreground, 0.5), line: true, radius: 0 },
    { key: 'accepted', label: 'accepted', points: errAcc, color: c.accepted, radius: 2.5 },
    { key: 'rejected', label: 'rejected', points: errRej, color: c.rejected, style: 'crossRot', radius: 5 },
    ...ring(sel && sel.errRatio !== null ? { x: selN, y: sel.errRatio } : null),
  ]);
  errCard.setNote(steps.length > 0 && errAcc.length + errRej.length === 0 ? 'This method estimates no error (a fixed grid).' : null);
  nfeCard.setSeries([
    { key: 'nfe', label: 'NFE', points: nfe, color: c.accepted, line: true, radius: 1.5 },
    ...ring(sel ? { x: selN, y: sel.nfe } : null),
  ]);

  const twoD = (solve?.dim ?? 2) >= 2;
  const stepPts: Pt[] = [];
  steps.forEach((s, i) => {
    const p = s.accepted ? stepPoint(s, twoD) : null;
    if (p) stepPts.push({ ...p, i });
  });
  const out = solve?.outputs;
  const outPts: Pt[] = out ? out.t.map((t, k) => ({ x: twoD ? (out.x[k] ?? NaN) : t, y: twoD ? (out.y[k] ?? NaN) : (out.x[k] ?? NaN) })) : [];
  const dataPts: Pt[] = solve?.data && twoD ? solve.data.x.map((x, k) => ({ x, y: solve!.data!.y[k] })) : [];
  const selPoint = sel && sel.accepted ? stepPoint(sel, twoD) : null;
  trajCard.setSeries([
    { key: 'data', label: 'data', points: dataPts, color: c.data, radius: 1.2 },
    { key: 'solution', label: 'solution', points: outPts, color: c.predicted, line: true, radius: 0 },
    { key: 'steps', label: 'step', points: stepPts, color: c.accepted, radius: 2.5 },
    ...ring(selPoint),
  ]);

  // h·λ: the selected attempt's (else the last one's) eigenvalues, over a faint trail of all accepted ones.
  const current = sel ?? steps[steps.length - 1] ?? null;
  const currentIndex = sel ? selected! : steps.length - 1;
  const scaled = (s: InspectorStep, i: number): Pt[] =>
    s.lambda ? s.lambda.re.map((re, k) => ({ x: s.h * re, y: s.h * s.lambda!.im[k], i })) : [];
  const trail: Pt[] = [];
  steps.forEach((s, i) => {
    if (s.accepted && s !== current) trail.push(...scaled(s, i));
  });
  const now = current ? scaled(current, currentIndex) : [];
  regionCard.setSeries([
    { key: 'trail', label: 'h·λ (other steps)', points: trail, color: c.trail, radius: 1.5 },
    { key: 'hLambda', label: `h·λ at step ${current ? stepNumber(current, currentIndex) : ''}`, points: now, color: c.hLambda, radius: 4.5, style: 'rectRot' },
  ]);
  const notes = [...(solve?.notes ?? [])];
  if (steps.length > 0 && !steps.some((s) => s.lambda)) notes.push('No eigenvalues of ∂f/∂y were sent for these steps.');
  regionCard.setNote(notes.length > 0 ? notes.join(' ') : null);
  regionCard.element.dataset.regionInside = String(region.insideCount);
  regionCard.element.dataset.boundarySegments = String((solve?.region?.boundary.length ?? 0) / 4);

  details.show(sel, selected ?? -1, steps.length);
  const b = document.body.dataset;
  b.steps = String(steps.length);
  b.accepted = String(acc.length);
  b.rejected = String(rej.length);
  b.nfe = String(steps.length > 0 ? steps[steps.length - 1].nfe : 0);
  b.selected = sel ? String(selN) : '';
  b.method = solve?.method ?? '';
  status.textContent = describe();
}

function describe(): string {
  if (!solve) return steps.length > 0 ? `${steps.length} attempts` : '';
  const weights = solve.iteration === null ? 'untrained' : `${solve.source?.runId ?? 'run'} · iteration ${solve.iteration}`;
  const tol = solve.rtol !== null || solve.atol !== null ? ` rtol ${solve.rtol ?? 'default'} atol ${solve.atol ?? 'default'}` : '';
  const rejected = steps.filter((s) => !s.accepted).length;
  const nfe = steps.length > 0 ? steps[steps.length - 1].nfe : 0;
  return `${solve.title} · ${weights} · ${solve.method}${tol} · ${steps.length} attempts (${rejected} rejected) · NFE ${nfe}`;
}

// --- selection --------------------------------------------------------------------------------
function select(index: number | null): void {
  selected = index === null || steps.length === 0 ? null : Math.max(0, Math.min(steps.length - 1, index));
  state.selected = selected === null ? null : stepNumber(steps[selected], selected);
  setState(state);
  schedule();
}

function move(delta: number): void {
  if (steps.length === 0) return;
  select(selected === null ? (delta > 0 ? 0 : steps.length - 1) : selected + delta);
}

document.addEventListener('keydown', (e) => {
  if (e.target instanceof HTMLInputElement) return;
  if (e.key === 'ArrowLeft' || e.key === 'ArrowRight') {
    move(e.key === 'ArrowLeft' ? -1 : 1);
    e.preventDefault();
  }
});

// --- messages ---------------------------------------------------------------------------------
function startSolve(s: InspectorSolve): void {
  solve = s;
  steps.length = 0;
  selected = null;
  if (s.source) state.source = s.source;
  state.sample = s.sample;
  sampleInput.value = String(s.sample);
  setState(state);
  region.set(s.region, colors().region, colors().edge);
  const b = s.region?.bounds;
  regionCard.setRanges(b ? [b.reMin, b.reMax] : undefined, b ? [b.imMin, b.imMax] : undefined);
  regionCard.element.querySelector('h2')!.textContent = `Stability region of ${s.method} with h·λ`;
  if (!s.region && s.notes.length === 0) regionCard.setNote(`No stability region for ${s.method}.`);
  const twoD = s.dim >= 2;
  // A scalar state is drawn over t: its axes are not in the same units.
  trajCard.setEqualAspect(twoD);
  trajCard.chart.options.scales!.x!.title!.text = twoD ? 'y₀' : 't';
  trajCard.chart.options.scales!.y!.title!.text = twoD ? 'y₁' : 'y₀';
  notice.show('warning', s.failure ? `The solve stopped early: ${s.failure}` : null);
  document.body.dataset.solves = String(Number(document.body.dataset.solves ?? 0) + 1);
  schedule();
}

function addSteps(more: InspectorStep[]): void {
  const restoring = state.selected;
  steps.push(...more);
  // A restored panel shows the step it showed before the reload, once that step is here.
  if (selected === null && restoring !== null) {
    const k = steps.findIndex((s, i) => stepNumber(s, i) === restoring);
    if (k >= 0) selected = k;
  }
  schedule();
}

function handle(message: InspectorHostMessage): void {
  switch (message.type) {
    case 'inspector/solve':
      startSolve(message.payload);
      break;
    case 'inspector/steps':
      addSteps(message.payload.steps);
      break;
    case 'panel/status':
      notice.status(message.payload);
      break;
    case 'panel/weights':
      weightsMenu.show(message.payload.choices, message.payload.selected);
      break;
    case 'panel/notice':
      notice.show(message.payload.level, message.payload.text);
      break;
    default:
      break;
  }
}

onHostMessage(handle, (error) => notice.show('error', `Ignored a malformed message from the extension: ${error}`));
refresh.addEventListener('click', () => post('panel/refresh', {}));
sampleInput.addEventListener('change', () => {
  const v = Number(sampleInput.value);
  if (Number.isInteger(v) && v >= 0) post('inspector/sample', { sample: v });
});

onThemeChange(() => {
  theme = readTheme();
  for (const card of cards) card.applyTheme(theme);
  region.set(solve?.region ?? null, colors().region, colors().edge);
  const b = solve?.region?.bounds;
  regionCard.setRanges(b ? [b.reMin, b.reMax] : undefined, b ? [b.imMin, b.imMax] : undefined);
  updateLegend();
  schedule();
});

updateLegend();
draw();
post('panel/ready', {});
