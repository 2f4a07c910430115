/**
 * The Training curves panel (browser side): the run list, the view controls, one chart per
 * ChartSpec, the runs table, export buttons. It says `panel/ready` first; the host answers with
 * the runs and their points, then sends appended points and run updates as training goes on.
 * Selection, log scales, smoothing, x axis, filter and table order are saved with setState so a
 * reloaded window shows the same panel.
 */
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import { fromWire, validateCurvesViewState, type CurvePoint, type CurveRunInfo, type CurvesViewState, type HistogramSample, type HostMessage } from '../protocol';
import { getState, onHostMessage, post, setState } from '../shared/host';
import { onThemeChange, readTheme, type Theme } from '../shared/theme';
import { runColor } from './colors';
import { curveControls } from './controls';
import { CurveChart } from './curveChart';
import { mergeSamples } from './histogramModel';
import { HistogramsSection } from './histograms';
import { matchesFilter } from './runFilter';
import { runNotices } from './runNotices';
import { RunPicker } from './runPicker';
import { RunsTable } from './runsTable';
import type { SortOrder } from './runsTableModel';
import { CHARTS, mergePoints, runLabel, type RunSeries } from './series';
import { elapsedSeconds, relativeUnit, xValues, type XMode } from './xAxis';

/** TensorBoard's default smoothing. */
const DEFAULT_SMOOTHING = 0.6;

let theme: Theme = readTheme();
let runs: CurveRunInfo[] = [];
let selected: string[] = [];
const points = new Map<string, CurvePoint[]>();
/** Each shown run's histogram samples (train.histograms), by iteration. */
const histogramSamples = new Map<string, HistogramSample[]>();

const saved = validateCurvesViewState(getState());
const logScale: Record<string, boolean> = Object.fromEntries(CHARTS.map((c) => [c.id, c.defaultLog]));
let smoothing = DEFAULT_SMOOTHING;
let xMode: XMode = 'iteration';
let filter = '';
let sort: SortOrder | undefined;
let differencesOnly = false;
if (saved.ok) {
  Object.assign(logScale, saved.value.logScale);
  selected = saved.value.selected;
  smoothing = saved.value.smoothing ?? smoothing;
  xMode = saved.value.xAxis ?? xMode;
  filter = saved.value.filter ?? filter;
  sort = saved.value.sort;
  differencesOnly = saved.value.differencesOnly ?? differencesOnly;
}

function saveState(): void {
  const state: CurvesViewState = { selected, logScale, smoothing, xAxis: xMode, filter, differencesOnly, ...(sort ? { sort } : {}) };
  setState(state);
}

// --- layout -----------------------------------------------------------------------------------
const app = document.createElement('div');
app.className = 'panel-app';
const toolbar = document.createElement('header');
toolbar.className = 'toolbar';
const heading = document.createElement('h1');
heading.textContent = 'Training curves';
const status = document.createElement('span');
status.className = 'status';
status.setAttribute('role', 'status');
const pngButton = document.createElement('vscode-button');
pngButton.textContent = 'Export PNG';
pngButton.secondary = true;
pngButton.dataset.role = 'export-png';
const csvButton = document.createElement('vscode-button');
csvButton.textContent = 'Export CSV';
csvButton.secondary = true;
csvButton.dataset.role = 'export-csv';
toolbar.append(heading, status, pngButton, csvButton);

const controls = curveControls({
  onSmoothing: (w) => {
    smoothing = w;
    saveState();
    scheduleRedraw();
  },
  onXMode: (mode) => {
    xMode = mode;
    saveState();
    scheduleRedraw();
  },
  onResetZoom: () => {
    for (const c of charts) c.resetZoom(false);
    controls.setZoomed(false);
  },
});
controls.set({ smoothing, xMode });

const notice = document.createElement('p');
notice.className = 'notice';
notice.hidden = true;

/** The shown runs' failures and cancellations, above the charts. */
const runNoticeList = document.createElement('div');
runNoticeList.className = 'run-notices';

function setSelected(next: string[]): void {
  selected = next;
  saveState();
  // Drop what is no longer shown; the host sends the points of newly picked runs.
  for (const id of [...points.keys()]) if (!selected.includes(id)) points.delete(id);
  for (const id of [...histogramSamples.keys()]) if (!selected.includes(id)) histogramSamples.delete(id);
  redraw();
  post('curves/select', { runIds: selected });
}

const picker = new RunPicker(setSelected, (text) => {
  filter = text;
  saveState();
  scheduleRedraw();
});

const table = new RunsTable(
  (id, on) => picker.toggle(id, on),
  (next) => {
    sort = next;
    saveState();
    scheduleRedraw();
  },
  (on) => {
    differencesOnly = on;
    saveState();
    scheduleRedraw();
  },
);

const grid = document.createElement('div');
grid.className = 'chart-grid';
const charts = CHARTS.map(
  (spec) =>
    new CurveChart(
      spec,
      logScale[spec.id] ?? spec.defaultLog,
      theme,
      (log) => {
        logScale[spec.id] = log;
        saveState();
        controls.setZoomed(charts.some((c) => c.isZoomed));
      },
      () => controls.setZoomed(charts.some((c) => c.isZoomed)),
    ),
);
grid.append(...charts.map((c) => c.element));
const content = document.createElement('div');
content.className = 'curves-content';
const histograms = new HistogramsSection();
content.append(runNoticeList, grid, histograms.element, table.element);
const main = document.createElement('main');
main.append(picker.element, content);
app.append(toolbar, controls.element, notice, main);
document.body.append(app);

// --- drawing ----------------------------------------------------------------------------------
const colorOf = (id: string): string | undefined => {
  const index = selected.indexOf(id);
  return index < 0 ? undefined : runColor(theme.palette, index);
};

function shownRuns(): { shown: RunSeries[]; unit: { label: 's' | 'min' | 'h'; seconds: number } } {
  const base = selected.map((id) => {
    const info = runs.find((r) => r.id === id);
    return { runId: id, label: info ? runLabel(info) : id, points: points.get(id) ?? [], createdAt: info?.createdAt ?? '' };
  });
  // A relative-time axis is in s, min or h, by the longest shown run.
  const longest = xMode === 'relative' ? Math.max(0, ...base.map((r) => Math.max(0, ...elapsedSeconds(r.points).map((s) => s ?? 0)))) : 0;
  const unit = relativeUnit(longest);
  const shown = base.map((r) => ({ runId: r.runId, label: r.label, points: r.points, xs: xMode === 'iteration' ? undefined : xValues(r.points, xMode, r.createdAt, unit.seconds) }));
  return { shown, unit };
}

function emptyText(shown: readonly RunSeries[]): string {
  if (shown.length === 0) return 'Pick a run in the list to see its curves.';
  const anyPoints = shown.some((r) => r.points.length > 0);
  if (anyPoints && xMode !== 'iteration' && !shown.some((r) => r.points.some((p) => p.wallSeconds !== undefined))) {
    return 'These runs recorded no times: choose the iteration axis.';
  }
  return anyPoints ? 'No values of this chart in the shown runs.' : 'No iterations recorded yet.';
}

function redraw(): void {
  const { shown, unit } = shownRuns();
  const text = emptyText(shown);
  for (const c of charts) c.setView({ runs: shown, smoothing, xMode, xUnit: unit, emptyText: text });
  picker.update(runs, selected, filter, colorOf);
  table.update({ runs: runs.filter((r) => matchesFilter(r, filter)), selected, colorOf, sort, differencesOnly });
  runNoticeList.replaceChildren(
    ...runNotices(runs, selected).map((n) => {
      const p = document.createElement('p');
      p.className = 'notice run-notice';
      p.dataset.level = n.level;
      p.dataset.run = n.runId;
      p.textContent = n.text;
      return p;
    }),
  );
  histograms.update(
    shown.map((r) => ({ id: r.runId, label: r.label, samples: histogramSamples.get(r.runId) ?? [] })),
    theme,
  );
  // The runs' iterations, not the points held: a long run is downsampled.
  const total = shown.reduce((n, r) => n + (r.points.length > 0 ? r.points[r.points.length - 1].iteration : 0), 0);
  status.textContent = selected.length === 0 ? 'no run selected' : `${selected.length} run${selected.length > 1 ? 's' : ''} · ${total} iterations`;
  document.body.dataset.selected = selected.join(',');
}

/** Coalesces bursts of messages into one redraw per animation frame. */
let drawPending = false;
function scheduleRedraw(): void {
  if (drawPending) return;
  drawPending = true;
  requestAnimationFrame(() => {
    drawPending = false;
    redraw();
  });
}

function showNotice(level: 'info' | 'warning' | 'error', text: string): void {
  notice.hidden = false;
  notice.dataset.level = level;
  notice.textContent = text;
}

function handle(message: HostMessage): void {
  switch (message.type) {
    case 'curves/runs':
      runs = message.payload.runs;
      selected = message.payload.selected;
      for (const id of [...points.keys()]) if (!selected.includes(id)) points.delete(id);
      for (const id of [...histogramSamples.keys()]) if (!selected.includes(id)) histogramSamples.delete(id);
      saveState();
      scheduleRedraw();
      break;
    case 'curves/metrics': {
      const { runId, reset, points: incoming } = message.payload;
      if (!selected.includes(runId)) return;
      const existing = reset ? [] : (points.get(runId) ?? []);
      points.set(runId, mergePoints(existing, incoming.map(fromWire)));
      scheduleRedraw();
      break;
    }
    case 'curves/histograms': {
      const { runId, reset, samples } = message.payload;
      if (!selected.includes(runId)) return;
      histogramSamples.set(runId, mergeSamples(reset ? [] : (histogramSamples.get(runId) ?? []), samples));
      scheduleRedraw();
      break;
    }
    case 'panel/notice':
      showNotice(message.payload.level, message.payload.text);
      break;
  }
}

onHostMessage(handle, (error) => showNotice('error', `Ignored a malformed message from the extension: ${error}`));

// --- export -----------------------------------------------------------------------------------
/** All charts on one canvas, on the theme's background (chart canvases are transparent). */
function composePng(): string {
  // Only the charts on screen (a trajectory run has no accuracy chart).
  const shownCharts = charts.filter((c) => !c.element.hidden);
  const canvases = shownCharts.map((c) => c.canvas);
  const ratio = window.devicePixelRatio || 1;
  const cols = 2;
  const w = Math.max(...canvases.map((c) => c.width));
  const h = Math.max(...canvases.map((c) => c.height));
  const titleHeight = Math.round(24 * ratio);
  const rows = Math.ceil(canvases.length / cols);
  const out = document.createElement('canvas');
  out.width = w * cols;
  out.height = rows * (h + titleHeight);
  const ctx = out.getContext('2d')!;
  ctx.fillStyle = theme.background;
  ctx.fillRect(0, 0, out.width, out.height);
  ctx.fillStyle = theme.foreground;
  ctx.font = `600 ${Math.round(13 * ratio)}px ${theme.fontFamily}`;
  ctx.textBaseline = 'middle';
  canvases.forEach((c, i) => {
    const x = (i % cols) * w;
    const y = Math.floor(i / cols) * (h + titleHeight);
    ctx.fillText(shownCharts[i].spec.title, x + 8 * ratio, y + titleHeight / 2);
    ctx.drawImage(c, x, y + titleHeight);
  });
  return out.toDataURL('image/png');
}

function exportName(ext: string): string {
  const first = runs.find((r) => r.id === selected[0]);
  const base = selected.length === 1 && first ? first.id : 'training-curves';
  return `${base.replace(/[^\w.@ -]/g, '_')}.${ext}`;
}

pngButton.addEventListener('click', () => {
  if (selected.length === 0) return showNotice('info', 'Pick a run to export its curves.');
  post('curves/exportPng', { dataUrl: composePng(), suggestedName: exportName('png') });
});
csvButton.addEventListener('click', () => {
  if (selected.length === 0) return showNotice('info', 'Pick a run to export its metrics.');
  post('curves/exportCsv', { runIds: selected });
});

onThemeChange(() => {
  theme = readTheme();
  for (const c of charts) c.applyTheme(theme);
  redraw();
});

redraw();
post('panel/ready', {});
