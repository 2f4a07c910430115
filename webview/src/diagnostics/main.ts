/**
 * Modified-Equation Diagnostics (browser side). For a discrete network: the modified equation
 * its scheme solves, k_n per layer, one component of the network's states over depth against the
 * plain ODE of its blocks and the modified equation's solution, their distance per layer, the
 * empirical order of a scheme on one block, and Δt·λ per layer on the stability region. For an
 * ODE model: the order and stability parts of a chosen scheme on the learned field. What the page
 * holds is mirrored in data-* attributes on <body> and on each card, so tests read data, not pixels.
 */
import '@vscode-elements/elements/dist/vscode-button/index.js';
import { PlotCard, type Pt, type Series } from '../inspector/plotCard';
import { regionLayer } from '../inspector/regionLayer';
import { noticeBar, swatch } from '../shared/notice';
import { weightsPicker } from '../shared/weightsPicker';
import { onThemeChange, readTheme, withAlpha, type Theme } from '../shared/theme';
import { texOf } from '../shared/mathTex';
import { typeset } from '../shared/typeset';
import { BarCard } from './barCard';
import { getState, onHostMessage, post, setState } from './channel';
import { DIAGNOSTIC_SCHEME_NAMES, validateDiagnosticsViewState, type DiagnosticsHostMessage, type DiagnosticsResult, type DiagnosticsViewState } from './protocol';

let theme: Theme = readTheme();
const saved = validateDiagnosticsViewState(getState());
const state: DiagnosticsViewState = saved.ok ? saved.value : { source: null, scheme: null, component: 0 };
let result: DiagnosticsResult | null = null;
/** Whether the equation header is open, saved with the view state. */
let headerOpen = state.equationOpen !== false;
function saveState(): void {
  setState({ ...state, equationOpen: headerOpen });
}

// --- layout -----------------------------------------------------------------------------------
const el = <K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] => {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
};
const app = el('div', 'panel-app');
const toolbar = el('header', 'toolbar');
const heading = el('h1', undefined, 'Modified-equation diagnostics');
const status = el('span', 'status');
status.setAttribute('role', 'status');
const legend = el('span', 'legend');

const schemeLabel = el('label', 'control', 'Scheme ');
const schemeSelect = el('select');
schemeSelect.dataset.role = 'scheme';
for (const s of DIAGNOSTIC_SCHEME_NAMES) schemeSelect.append(new Option(s, s));
schemeLabel.append(schemeSelect);
const kLabel = el('label', 'control', 'k ');
const kInput = el('input');
kInput.type = 'number';
kInput.step = '0.05';
kInput.min = '-0.95';
kInput.max = '1';
kInput.dataset.role = 'k';
kLabel.append(kInput);
const componentLabel = el('label', 'control', 'Component ');
const componentInput = el('input');
componentInput.type = 'number';
componentInput.min = '0';
componentInput.step = '1';
componentInput.value = String(state.component);
componentInput.dataset.role = 'component';
componentLabel.append(componentInput);
const refresh = document.createElement('vscode-button');
refresh.textContent = 'Refresh';
refresh.secondary = true;
refresh.dataset.role = 'refresh';
const weightsMenu = weightsPicker((value) => post('panel/pickWeights', { value }));
toolbar.append(heading, status, weightsMenu.element, schemeLabel, kLabel, componentLabel, refresh);

const notice = noticeBar();
// The equations, the verdict and the layer table, under a title that folds them away.
const equationCard = el('section', 'equation-card');
equationCard.dataset.chart = 'equation';
const equationDetails = el('details');
equationDetails.open = headerOpen;
const equationTitle = el('summary');
equationTitle.dataset.role = 'equation-toggle';
const equationBody = el('div', 'equation-body');
equationDetails.append(equationTitle, equationBody);
equationCard.append(equationDetails);
equationDetails.addEventListener('toggle', () => {
  headerOpen = equationDetails.open;
  saveState();
});
const grid = el('main', 'chart-grid');
app.append(toolbar, notice.element, legend, equationCard, grid);
document.body.append(app);

const kCard = new BarCard('k', 'k_n per layer', { x: 'layer n', y: 'k_n' }, theme);
const trajCard = new PlotCard({ id: 'trajectories', title: 'Network vs continuous models', xTitle: 't (layer)', yTitle: 'u' }, theme);
const distCard = new PlotCard({ id: 'distance', title: 'Distance from the network per layer', xTitle: 't (layer)', yTitle: '‖u_n − u(t_n)‖ / ‖u_n‖', yLog: true }, theme);
const orderCard = new PlotCard({ id: 'order', title: 'Empirical order', xTitle: 'Δt', yTitle: 'global error', xLog: true, yLog: true }, theme);
const region = regionLayer();
const stabCard = new PlotCard(
  { id: 'stability', title: 'Stability region with Δt·λ', xTitle: 'Re(Δt·λ)', yTitle: 'Im(Δt·λ)', plugins: [region.plugin], equalAspect: true },
  theme,
);
const plots = [trajCard, distCard, orderCard, stabCard];
grid.append(trajCard.element, distCard.element, kCard.element, orderCard.element, stabCard.element);

// --- colours ----------------------------------------------------------------------------------
const colors = () => ({
  discrete: theme.palette[0],
  plain: theme.palette[4],
  modified: theme.palette[2],
  fit: theme.palette[1],
  unused: withAlpha(theme.foreground, 0.45),
  region: withAlpha(theme.palette[0], theme.kind === 'light' ? 0.2 : 0.28),
  edge: theme.palette[0],
  stable: theme.palette[2],
  unstable: theme.palette[4],
  bars: theme.palette[3],
});

function updateLegend(): void {
  const c = colors();
  const network = result?.model !== 'field';
  legend.replaceChildren(
    ...(network ? [swatch(c.discrete, 'network u_n', false), swatch(c.plain, 'plain ODE', true), swatch(c.modified, 'modified equation', true)] : []),
    swatch(c.fit, 'fitted slope', true),
    swatch(c.stable, 'Δt·λ stable', false),
    swatch(c.unstable, 'Δt·λ unstable', false),
  );
}

const fmt = (v: number | null, digits = 3): string => (v === null || !Number.isFinite(v) ? '—' : Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(2) : Number(v.toPrecision(digits)).toString());

// --- drawing ----------------------------------------------------------------------------------
function drawEquation(r: DiagnosticsResult): void {
  const rows: HTMLElement[] = [];
  let table: HTMLTableElement | null = null;
  const line = (label: string, text: string, key: string): void => {
    const p = el('p', 'equation-line');
    p.dataset.equation = key;
    // The typeset formula is for the eye; its text beside it is what assistive tools and find read.
    const maths = el('span', 'equation-maths');
    maths.setAttribute('aria-hidden', 'true');
    typeset(maths, texOf(text), text);
    p.append(el('span', 'equation-label', label), maths, el('span', 'equation-text', text));
    rows.push(p);
  };
  const what = r.model === 'network' ? `${r.architecture} network, ${r.depth} layers, Δt = 1 per layer` : `the learned field under ${r.scheme.scheme}${r.scheme.k === null ? '' : ` (k = ${fmt(r.scheme.k)})`}`;
  equationTitle.replaceChildren(el('h2', undefined, `Modified equation — ${what}`));
  line('modified equation', r.equation.text, 'modified');
  if (r.equation.derivativeForm) line('the scheme expanded', r.equation.derivativeForm, 'derivative');
  if (r.layers && r.layers.some((l) => l.k !== null)) {
    table = el('table', 'layers');
    const head = el('tr');
    for (const h of ['layer', 'k_n', '1 + k_n (u_t)', '(1 − k_n)Δt/2 (u_tt)', 'effective Δt']) head.append(el('th', undefined, h));
    table.append(head);
    for (const l of r.layers) {
      const tr = el('tr');
      for (const v of [String(l.layer), fmt(l.k), fmt(l.uT), fmt(l.uTT), fmt(l.effectiveDt)]) tr.append(el('td', undefined, v));
      table.append(tr);
    }
  }
  if (r.tracking) {
    const t = r.tracking;
    const L = t.t.length - 1;
    const verdict =
      t.closer === 'modified' ? 'the modified equation tracks the network more closely' : t.closer === 'plain' ? 'the plain ODE tracks the network more closely' : 'both track the network alike';
    const summary = el('p', 'verdict', `At t = ${L}: distance ${fmt(t.plainDistance[L])} (plain ODE) vs ${fmt(t.modifiedDistance[L])} (modified equation, O(Δt^${t.order})) — ${verdict}.`);
    summary.dataset.closer = t.closer;
    rows.push(summary);
  }
  for (const n of r.notes) rows.push(el('p', 'card-note', n));
  // The layer table beside the equations (below them when the panel is narrow).
  const main = el('div', 'equation-main');
  main.append(...rows);
  equationBody.replaceChildren(main, ...(table ? [table] : []));
}

function draw(): void {
  const r = result;
  const c = colors();
  const b = document.body.dataset;
  document.body.dataset.model = r?.model ?? '';
  grid.dataset.model = r?.model ?? '';
  const network = r?.model === 'network';
  for (const card of [kCard.element, trajCard.element, distCard.element]) card.hidden = !network;
  componentLabel.hidden = !network;
  kLabel.hidden = schemeSelect.value !== 'lm';
  if (!r) return;
  drawEquation(r);

  // k_n
  if (r.layers) {
    const ks = r.layers.map((l) => l.k ?? 0);
    kCard.setBars(r.layers.map((l) => String(l.layer)), ks, c.bars);
    kCard.setNote(r.layers.every((l) => l.k === null) ? `${r.architecture}: no k_n (an RK method per layer).` : r.architecture === 'resnet' ? 'ResNet: every k_n is 0 (forward Euler).' : 'Layer 0 is a ResNet step (k_0 = 0).');
  }

  // Trajectories: one component over depth
  const t = r.tracking;
  if (t) {
    const comp = Math.min(state.component, t.components - 1);
    componentInput.max = String(t.components - 1);
    const series: Series[] = [];
    t.samples.forEach((s, i) => {
      const pick = (rows: (number | null)[], times: number[]): Pt[] => times.map((tt, n) => ({ x: tt, y: rows[n * t.components + comp] ?? NaN }));
      series.push({ key: `plain${i}`, label: `plain ODE, sample ${s}`, points: pick(t.plain[i], t.fineT), color: c.plain, line: true, radius: 0 });
      series.push({ key: `modified${i}`, label: `modified equation, sample ${s}`, points: pick(t.modified[i], t.fineT), color: c.modified, line: true, radius: 0 });
      series.push({ key: `discrete${i}`, label: `network, sample ${s}`, points: pick(t.discrete[i], t.t), color: c.discrete, radius: 3.5, top: false });
    });
    trajCard.setSeries(series);
    trajCard.element.querySelector('h2')!.textContent = `Component ${comp} over depth: network vs plain ODE vs modified equation (${t.samples.length} inputs)`;
    trajCard.element.dataset.samples = String(t.samples.length);
    trajCard.element.dataset.component = String(comp);
    const dist = (d: (number | null)[]): Pt[] => d.map((v, n) => ({ x: t.t[n], y: v ?? NaN }));
    distCard.setSeries([
      { key: 'plain', label: 'plain ODE', points: dist(t.plainDistance), color: c.plain, line: true, radius: 3 },
      { key: 'modified', label: 'modified equation', points: dist(t.modifiedDistance), color: c.modified, line: true, radius: 3 },
    ]);
    distCard.element.dataset.closer = t.closer;
  }

  // Order
  const o = r.order;
  const used: Pt[] = [];
  const unused: Pt[] = [];
  o.dt.forEach((dt, i) => (o.fitted[i] ? used : unused).push({ x: dt, y: o.error[i] ?? NaN }));
  const fit: Pt[] = [];
  if (o.slope !== null && used.length >= 2) {
    // The fitted line through the fitted points' centre of mass (log-log).
    const mx = used.reduce((s, p) => s + Math.log(p.x), 0) / used.length;
    const my = used.reduce((s, p) => s + Math.log(p.y), 0) / used.length;
    for (const x of [Math.min(...o.dt), Math.max(...o.dt)]) fit.push({ x, y: Math.exp(my + o.slope * (Math.log(x) - mx)) });
  }
  orderCard.setSeries([
    { key: 'fit', label: `slope ${fmt(o.slope)}`, points: fit, color: c.fit, line: true, radius: 0 },
    { key: 'unused', label: 'not fitted', points: unused, color: c.unused, style: 'crossRot', radius: 4 },
    { key: 'fitted', label: 'global error', points: used, color: c.discrete, radius: 3.5 },
  ]);
  orderCard.element.querySelector('h2')!.textContent = `Empirical order of ${o.scheme}${o.k === null ? '' : ` (k = ${fmt(o.k)})`}: slope ${fmt(o.slope)} (theory ${o.theoretical})`;
  orderCard.element.dataset.slope = o.slope === null ? '' : String(o.slope);
  orderCard.element.dataset.theoretical = String(o.theoretical);
  orderCard.setNote(o.notes.length > 0 ? o.notes.join(' ') : null);

  // Stability
  const st = r.stability;
  const stable: Pt[] = [];
  const unstable: Pt[] = [];
  for (const p of st.points) (p.stable ? stable : unstable).push({ x: p.re, y: p.im });
  stabCard.setSeries([
    { key: 'stable', label: 'Δt·λ (stable)', points: stable, color: c.stable, radius: 2.5 },
    { key: 'unstable', label: 'Δt·λ (unstable)', points: unstable, color: c.unstable, style: 'crossRot', radius: 4 },
  ]);
  const groups = network ? 'per layer, at every input\'s u_n' : 'at states along the solve';
  stabCard.element.querySelector('h2')!.textContent = `Stability region of ${st.region.label} with Δt·λ ${groups} (Δt = ${fmt(st.dt)})`;
  stabCard.element.dataset.regionInside = String(region.insideCount);
  stabCard.element.dataset.boundarySegments = String(st.region.boundary.length / 4);
  stabCard.setNote(st.points.length === 0 ? 'No eigenvalues: see the notes above.' : null);

  b.scheme = r.scheme.scheme;
  b.slope = o.slope === null ? '' : String(o.slope);
  status.textContent = `${r.title} · ${r.iteration === null ? 'untrained' : `${r.source.runId ?? 'run'} · iteration ${r.iteration}`}`;
  updateLegend();
}

function applyRegion(): void {
  const r = result?.stability.region ?? null;
  region.set(r, colors().region, colors().edge);
  stabCard.setRanges(r ? [r.bounds.reMin, r.bounds.reMax] : undefined, r ? [r.bounds.imMin, r.bounds.imMax] : undefined);
}

// --- messages ---------------------------------------------------------------------------------
function show(r: DiagnosticsResult): void {
  result = r;
  state.source = r.source;
  schemeSelect.value = r.scheme.scheme;
  if (r.scheme.k !== null) kInput.value = String(Number(r.scheme.k.toFixed(4)));
  saveState();
  applyRegion();
  document.body.dataset.results = String(Number(document.body.dataset.results ?? 0) + 1);
  draw();
}

function handle(message: DiagnosticsHostMessage): void {
  switch (message.type) {
    case 'diagnostics/result':
      show(message.payload);
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

function askScheme(): void {
  const scheme = schemeSelect.value;
  const k = Number(kInput.value);
  const choice = { scheme, k: scheme === 'lm' && kInput.value !== '' && Number.isFinite(k) ? k : null };
  if (choice.k !== null && !(choice.k > -1 && choice.k <= 1)) {
    notice.show('warning', `k = ${choice.k}: the lm scheme is zero-stable for −1 < k ≤ 1 only.`);
    return;
  }
  state.scheme = choice;
  saveState();
  kLabel.hidden = scheme !== 'lm';
  post('diagnostics/scheme', choice);
}

onHostMessage(handle, (error) => notice.show('error', `Ignored a malformed message from the extension: ${error}`));
refresh.addEventListener('click', () => post('panel/refresh', {}));
schemeSelect.addEventListener('change', askScheme);
kInput.addEventListener('change', askScheme);
componentInput.addEventListener('change', () => {
  const v = Number(componentInput.value);
  if (!(Number.isInteger(v) && v >= 0)) return;
  state.component = v;
  saveState();
  draw();
});

onThemeChange(() => {
  theme = readTheme();
  for (const card of plots) card.applyTheme(theme);
  kCard.applyTheme(theme);
  applyRegion();
  draw();
});

updateLegend();
draw();
post('panel/ready', {});
