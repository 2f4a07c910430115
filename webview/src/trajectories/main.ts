/**
 * The Trajectories panel (browser side): the phase portrait (component 0 against 1) and y(t) for
 * each component, the data as markers at the observation times and the model's solve from y0
 * as a line; for a classifier, a sample of its points' flows from t = 0 to 1 in both views, one
 * colour per class (an augmented component shows how the classes are pulled apart); for a latent
 * ODE, a few series as x–y cards (latentView.ts). The host sends a new evaluation whenever the experiment or the shown run's
 * checkpoint changes. What the page holds is exposed as data-* attributes on <body> and on each
 * chart card, so tests can assert on it.
 */
import '@vscode-elements/elements/dist/vscode-button/index.js';
import { validateTrajectoriesViewState, type HostMessage, type TrajectoriesViewState, type TrajectoryPreview } from '../protocol';
import { getState, onHostMessage, post, setState } from '../shared/host';
import { onThemeChange, readTheme, type Theme } from '../shared/theme';
import { TrajectoryChart, type FlowGroup, type XY } from './trajectoryChart';
import { showLatent, latentLegend, describeLatent } from './latentView';
import { noticeBar, swatch } from '../shared/notice';
import { weightsPicker } from '../shared/weightsPicker';

let theme: Theme = readTheme();
const saved = validateTrajectoriesViewState(getState());
const state: TrajectoriesViewState = saved.ok ? saved.value : { source: null };

// --- layout -----------------------------------------------------------------------------------
const app = document.createElement('div');
app.className = 'panel-app';
const toolbar = document.createElement('header');
toolbar.className = 'toolbar';
const heading = document.createElement('h1');
heading.textContent = 'Trajectories';
const status = document.createElement('span');
status.className = 'status';
status.setAttribute('role', 'status');
const legend = document.createElement('span');
legend.className = 'legend';
const refresh = document.createElement('vscode-button');
refresh.textContent = 'Refresh';
refresh.secondary = true;
refresh.dataset.role = 'refresh';
const weightsMenu = weightsPicker((value) => post('panel/pickWeights', { value }));
toolbar.append(heading, status, legend, weightsMenu.element, refresh);

const notice = noticeBar();
const grid = document.createElement('main');
grid.className = 'chart-grid';
app.append(toolbar, notice.element, grid);
document.body.append(app);

let phase: TrajectoryChart | undefined;
const components: TrajectoryChart[] = [];

let shownPreview: TrajectoryPreview | undefined;
const latentCharts = showLatent(grid, () => theme);

/** The charts' colours: the data as in the vector field panel, the solve in the second colour; a classifier's classes in palette order. */
function updateLegend(p: TrajectoryPreview): void {
  if (p.latent) {
    legend.replaceChildren(...latentLegend(theme));
    return;
  }
  if (p.flows) {
    legend.replaceChildren(...p.flows.classes.map((c, k) => swatch(classColor(k), `class ${c}`, true)));
    return;
  }
  legend.replaceChildren(swatch(theme.palette[2], 'data', false), ...(p.predicted !== null ? [swatch(theme.palette[1], 'predicted', true)] : []));
}

/** Class k's colour, as in the vector field panel. */
const classColor = (k: number): string => theme.palette[k % theme.palette.length];

/** The flows of each class as lines of (x(i), y(i)) points. */
function flowGroups(p: TrajectoryPreview, x: (s: number, i: number) => number, y: (s: number, i: number) => number): FlowGroup[] {
  const f = p.flows!;
  return f.classes.map((c, k) => ({
    label: `class ${c}`,
    color: classColor(k),
    lines: f.labels.flatMap((l, s) => (l === k ? [p.t.map((_, i) => ({ x: x(s, i), y: y(s, i) }))] : [])),
  }));
}

const pairs = (xs: readonly number[], ys: readonly number[]): XY[] => xs.map((x, i) => ({ x, y: ys[i] }));

/** A cheap fingerprint of the solve, so a test can tell that new weights changed it. */
function checksum(predicted: number[][] | null): string {
  if (!predicted) return '';
  let h = 0;
  for (const c of predicted) for (let i = 0; i < c.length; i += 7) h = (h * 31 + Math.round(c[i] * 1e6)) % 2_147_483_647;
  return String(h);
}

/** One chart per component (kept across previews of the same shape), the phase portrait first. */
function show(p: TrajectoryPreview): void {
  shownPreview = p;
  // A latent ODE's series replace the component charts (and come back out when the experiment changes).
  latentCharts.show(p.latent ?? null);
  if (p.latent) {
    phase?.destroy();
    phase = undefined;
    while (components.length > 0) components.pop()?.destroy();
    document.body.dataset.iteration = String(p.iteration ?? 'untrained');
    return;
  }
  const count = p.flows ? p.flows.components.length : Math.max(p.data.length, p.predicted?.length ?? 0);
  if (count >= 2 && !phase) {
    phase = new TrajectoryChart({ id: 'phase', title: 'Phase portrait', xTitle: 'y₀', yTitle: 'y₁' }, theme);
    grid.prepend(phase.element);
  } else if (count < 2 && phase) {
    phase.destroy();
    phase = undefined;
  }
  while (components.length > count) components.pop()?.destroy();
  while (components.length < count) {
    const k = components.length;
    const chart = new TrajectoryChart({ id: `component-${k}`, title: `y${subscript(k)}(t)`, xTitle: 't', yTitle: `y${subscript(k)}` }, theme);
    grid.append(chart.element);
    components.push(chart);
  }
  const fl = p.flows;
  components.forEach((chart, k) => {
    if (fl) {
      chart.setFlows(flowGroups(p, (_, i) => p.t[i], (s, i) => fl.components[k][s][i]));
      return;
    }
    const data = p.data[k] ? pairs(p.t, p.data[k]) : [];
    const predicted = p.predicted?.[k] ? pairs(p.t, p.predicted[k]) : null;
    chart.setSeries(data, predicted);
  });
  if (phase && fl) {
    phase.setFlows(flowGroups(p, (s, i) => fl.components[0][s][i], (s, i) => fl.components[1][s][i]));
  } else if (phase) {
    const data = p.data.length >= 2 ? pairs(p.data[0], p.data[1]) : [];
    const predicted = p.predicted && p.predicted.length >= 2 ? pairs(p.predicted[0], p.predicted[1]) : null;
    phase.setSeries(data, predicted);
  }
  const b = document.body.dataset;
  b.components = String(count);
  b.iteration = String(p.iteration ?? 'untrained');
  b.task = fl ? 'classification' : 'trajectory';
  b.flows = String(fl?.labels.length ?? 0);
  b.checksum = checksum(fl ? fl.components.flat() : p.predicted);
  b.previews = String(Number(b.previews ?? 0) + 1);
}

const SUBSCRIPTS = '₀₁₂₃₄₅₆₇₈₉';
function subscript(k: number): string {
  return String(k).replace(/\d/g, (d) => SUBSCRIPTS[Number(d)]);
}

function describe(p: TrajectoryPreview): string {
  const weights = p.iteration === null ? 'untrained' : `${p.source.runId ?? 'run'} · iteration ${p.iteration}`;
  if (p.latent) return `${p.experiment} · ${weights} · ${describeLatent(p.latent)}`;
  if (p.flows) {
    return `${p.experiment} · ${weights} · accuracy ${(100 * p.flows.accuracy).toFixed(1)} % · ${p.flows.labels.length} flows from t = 0 to 1`;
  }
  const shown = Math.max(p.data.length, p.predicted?.length ?? 0);
  return `${p.experiment} · ${weights} · ${p.t.length} observation times${shown < p.dim ? ` · first ${shown} of ${p.dim} components` : ''}`;
}

// --- messages ---------------------------------------------------------------------------------
function handle(message: HostMessage): void {
  switch (message.type) {
    case 'trajectories/preview': {
      const p = message.payload;
      state.source = p.source;
      setState(state);
      status.textContent = describe(p);
      notice.show('warning', p.predictedError);
      show(p);
      updateLegend(p);
      break;
    }
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

onThemeChange(() => {
  theme = readTheme();
  phase?.applyTheme(theme);
  for (const c of components) c.applyTheme(theme);
  latentCharts.applyTheme(theme);
  if (shownPreview) {
    const colors = shownPreview.flows?.classes.map((_, k) => classColor(k)) ?? [];
    phase?.recolor(colors);
    for (const c of components) c.recolor(colors);
    updateLegend(shownPreview);
  }
});

post('panel/ready', {});
