/**
 * The Vector field panel (browser side): the model's field as arrows and streamlines on a
 * canvas, the data and the predicted trajectory over it, and particles advected by the field;
 * a time slider when the field depends on t; for a classifier, its points coloured by class
 * moving along their flows from t = 0 to 1; for a continuous normalising flow, its density as a
 * heatmap with samples of the base moving to the data, the slider scrubbing t. The host sends a
 * preview whenever the experiment or the shown run's checkpoint changes. What the page drew is
 * exposed on <body> as data-* attributes (arrows, streamlines, particles, flows, measured fps,
 * ink, field checksum, time, density cells and samples) so tests can assert on it.
 */
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import type { VscodeCheckbox } from '@vscode-elements/elements/dist/vscode-checkbox/vscode-checkbox.js';
import type { VscodeSingleSelect } from '@vscode-elements/elements/dist/vscode-single-select/vscode-single-select.js';
import { validateVectorFieldViewState, type FieldPreview, type HostMessage, type VectorFieldViewState } from '../protocol';
import { getState, onHostMessage, post, setState } from '../shared/host';
import { onThemeChange, readTheme, withAlpha, type Theme } from '../shared/theme';
import { densityLegend, drawDensityFrame, drawSamples } from './density';
import { timeAt } from './densityScale';
import { classColor, countInk, drawClassPoints, drawParticles, drawStatic } from './draw';
import { FieldGrid, fieldAt, fieldChecksum } from './fieldGrid';
import { Particles } from './particles';
import { traceStreamlines, type Streamline } from './streamlines';
import { onPlane, planeKeys } from './plane';
import { Viewport } from './viewport';
import { labelFontPx } from './axes';
import { componentNames, planeFrame, type TextMetrics } from './frame';
import { noticeBar, swatch } from '../shared/notice';
import { weightsPicker } from '../shared/weightsPicker';

const COUNTS = [1000, 2000, 5000, 10000];
/** A classifier's points flow from t = 0 to 1 in this many ms, then rest at t = 1. */
const FLOW_MS = 3000;
const REST_MS = 1200;
/** Slider steps between the first and last frame. */
const SLIDER_STEPS = 200;

let theme: Theme = readTheme();
const saved = validateVectorFieldViewState(getState());
const state: VectorFieldViewState = saved.ok ? saved.value : { source: null, particles: true, particleCount: 5000 };
// States saved before these switches existed: on, and the slider at its start.
state.arrows ??= true;
state.streamlines ??= true;
state.flows ??= true;
state.time ??= 0;
const saveState = () => setState(state);

function checkbox(label: string, role: string, checked: boolean, title: string): VscodeCheckbox {
  const box = document.createElement('vscode-checkbox') as VscodeCheckbox;
  box.label = label;
  box.checked = checked;
  box.dataset.role = role;
  box.title = title;
  return box;
}

// --- layout -----------------------------------------------------------------------------------
const app = document.createElement('div');
app.className = 'panel-app';
const toolbar = document.createElement('header');
toolbar.className = 'toolbar';
const heading = document.createElement('h1');
heading.textContent = 'Vector field';
const status = document.createElement('span');
status.className = 'status';
status.setAttribute('role', 'status');
const legend = document.createElement('span');
legend.className = 'legend';
const arrowsBox = checkbox('Arrows', 'arrows', state.arrows, 'The field as arrows on the grid');
const streamlinesBox = checkbox('Streamlines', 'streamlines', state.streamlines, 'Lines along the field, evenly spaced');
const flowsBox = checkbox('Flow', 'flows', state.flows, "The classifier's points moving from t = 0 to t = 1");
flowsBox.hidden = true;
const vectorControls = (): HTMLElement[] => [arrowsBox, streamlinesBox, particlesBox, countSelect];
const particlesBox = checkbox('Particles', 'particles', state.particles, 'Particles carried by the field');
const countSelect = document.createElement('vscode-single-select') as VscodeSingleSelect;
countSelect.dataset.role = 'particle-count';
countSelect.title = 'Number of particles';
for (const c of COUNTS) {
  const o = document.createElement('vscode-option');
  o.setAttribute('value', String(c));
  o.textContent = c.toLocaleString('en-US');
  if (c === state.particleCount) o.setAttribute('selected', '');
  countSelect.append(o);
}
const refresh = document.createElement('vscode-button');
refresh.textContent = 'Refresh';
refresh.secondary = true;
refresh.dataset.role = 'refresh';
// The plane of two components shown for larger states (an augmented model's extra ones too).
const planeSelect = document.createElement('vscode-single-select') as VscodeSingleSelect;
planeSelect.dataset.role = 'plane';
planeSelect.title = 'Which two components to show';
planeSelect.hidden = true;
const weightsMenu = weightsPicker((value) => post('panel/pickWeights', { value }));
toolbar.append(heading, status, legend, weightsMenu.element, planeSelect, arrowsBox, streamlinesBox, flowsBox, particlesBox, countSelect, refresh);

const SUBSCRIPTS = '₀₁₂₃₄₅₆₇₈₉';
const planeLabel = (key: string): string => key.split(',').map((k) => `y${SUBSCRIPTS[Number(k)] ?? k}`).join(' · ');

/** The chosen plane when this preview offers it, else components 0 and 1 (the choice is kept for the next preview that does). */
const shownPlane = (p: FieldPreview): string => (planeKeys(p).includes(state.plane ?? '') ? state.plane! : '0,1');

/** Offers the received preview's planes, with the chosen one selected. */
function updatePlanes(p: FieldPreview): void {
  const keys = planeKeys(p);
  const chosen = shownPlane(p);
  planeSelect.hidden = keys.length === 0;
  const current = [...planeSelect.querySelectorAll('vscode-option')].map((o) => o.getAttribute('value')).join(';');
  if (current !== keys.join(';')) {
    planeSelect.replaceChildren(
      ...keys.map((k) => {
        const o = document.createElement('vscode-option');
        o.setAttribute('value', k);
        o.textContent = planeLabel(k);
        if (k === chosen) o.setAttribute('selected', '');
        return o;
      }),
    );
  }
  if (keys.length > 0) planeSelect.value = chosen;
}

// The time slider: shown only for a field that changes with t. @vscode-elements has no slider
// control, so this is the native range input, styled with the theme's variables (panel.css).
const timeRow = document.createElement('div');
timeRow.className = 'time-row';
timeRow.hidden = true;
const timeLabel = document.createElement('label');
timeLabel.textContent = 'Field at';
const slider = document.createElement('input');
slider.type = 'range';
slider.min = '0';
slider.max = String(SLIDER_STEPS);
slider.step = '1';
slider.value = String(Math.round(state.time * SLIDER_STEPS));
slider.id = 'time-slider';
slider.dataset.role = 'time';
timeLabel.htmlFor = slider.id;
const timeValue = document.createElement('output');
timeValue.htmlFor.add(slider.id);
timeRow.append(timeLabel, slider, timeValue);

const notice = noticeBar();
const stage = document.createElement('div');
stage.className = 'stage';
const canvas = document.createElement('canvas');
canvas.setAttribute('aria-label', 'Vector field of the model');
stage.append(canvas);
app.append(toolbar, timeRow, notice.element, stage);
document.body.append(app);
const ctx = canvas.getContext('2d')!;
const still = document.createElement('canvas');
const stillCtx = still.getContext('2d', { willReadFrequently: true })!;

// --- state ------------------------------------------------------------------------------------
/** The preview as received (plane 0, 1), and as shown (the chosen plane). */
let received: FieldPreview | undefined;
let preview: FieldPreview | undefined;
let grid: FieldGrid | undefined;
let lines: Streamline[] | null = null;
let viewport: Viewport | undefined;
let particles: Particles | undefined;
let ratio = window.devicePixelRatio || 1;
let flowStart = performance.now();
/** A CNF's heatmap per frame, drawn when first needed for this preview, size and theme. */
let heatmaps: (HTMLCanvasElement | undefined)[] = [];
/** Each frame's top of the colour scale, as drawn. */
let heatmapTops: number[] = [];
let densityCells = 0;
const scale = densityLegend();

function setBodyData(key: string, value: string | number): void {
  document.body.dataset[key] = String(value);
}

/** How the axes' labels measure in the theme's font, on this screen. */
function textMetrics(): TextMetrics {
  const fontPx = labelFontPx(theme, ratio);
  stillCtx.font = `${fontPx}px ${theme.fontFamily}`;
  return { ratio, fontPx, measure: (text) => stillCtx.measureText(text).width };
}

/** Redraws the still layer (axes, arrows, data, trajectory) for the current preview, size and theme. */
function redrawStill(): void {
  const w = Math.max(1, Math.round(stage.clientWidth * ratio));
  const h = Math.max(1, Math.round(stage.clientHeight * ratio));
  canvas.width = still.width = w;
  canvas.height = still.height = h;
  canvas.style.width = `${stage.clientWidth}px`;
  canvas.style.height = `${stage.clientHeight}px`;
  if (!preview || !grid) {
    stillCtx.fillStyle = theme.background;
    stillCtx.fillRect(0, 0, w, h);
    ctx.drawImage(still, 0, 0);
    setBodyData('arrows', 0);
    setBodyData('ink', 0);
    return;
  }
  viewport = new Viewport(planeFrame(preview.bounds, componentNames(shownPlane(received!)), w, h, textMetrics()), w, h);
  setBodyData('xTicks', viewport.frame.xTicks.map((t) => t.label).join(' '));
  setBodyData('yTicks', viewport.frame.yTicks.map((t) => t.label).join(' '));
  if (preview.density) {
    redrawDensity(w, h);
    return;
  }
  const counts = drawStatic(stillCtx, viewport, preview, grid, theme, ratio, { arrows: state.arrows!, streamlines: state.streamlines ? lines : null });
  ctx.drawImage(still, 0, 0);
  if (classFlowing()) drawClassPoints(ctx, viewport, preview.classification!, 0, theme, ratio);
  setBodyData('arrows', counts.arrows);
  setBodyData('streamlines', counts.streamlines);
  setBodyData('flows', counts.flows);
  setBodyData('ink', countInk(stillCtx, w, h, theme.background));
  const cls = preview.classification;
  legend.replaceChildren(
    ...(cls
      ? cls.classes.map((c, k) => swatch(classColor(theme, k), `class ${c}`, false))
      : [swatch(theme.palette[2], 'data', false), ...(preview.predicted ? [swatch(theme.palette[1], 'predicted', true)] : [])]),
  );
}

/** A CNF's frame f, drawn once per preview, size and theme. */
function heatmap(f: number): HTMLCanvasElement {
  let c = heatmaps[f];
  if (!c) {
    c = document.createElement('canvas');
    c.width = still.width;
    c.height = still.height;
    const drawnFrame = drawDensityFrame(c.getContext('2d')!, viewport!, preview!, f, theme, ratio);
    densityCells = drawnFrame.cells;
    heatmapTops[f] = drawnFrame.top;
    heatmaps[f] = c;
  }
  return c;
}

/** The heatmap at a fractional frame position: the frame before, the next one faded in over it. */
function drawHeatmapAt(target: CanvasRenderingContext2D, pos: number): void {
  const last = preview!.density!.t.length - 1;
  const i = Math.min(last, Math.max(0, Math.floor(pos)));
  const a = pos - i;
  target.drawImage(heatmap(i), 0, 0);
  if (a > 1e-3 && i < last) {
    target.globalAlpha = a;
    target.drawImage(heatmap(i + 1), 0, 0);
    target.globalAlpha = 1;
  }
  // The legend's top: the frame nearer the shown t.
  scale.setTop(heatmapTops[a > 0.5 && i < last ? i + 1 : i]);
}

/** The slider's position (0 to 1) as a frame position of the CNF's frames. */
const densityPos = (s: number): number => Math.min(1, Math.max(0, s)) * (preview!.density!.t.length - 1);

/** A CNF: the heatmap at the slider's t on the still layer, the samples there over it (when not flowing). */
function redrawDensity(w: number, h: number): void {
  const d = preview!.density!;
  const pos = densityPos(state.time!);
  drawHeatmapAt(stillCtx, pos);
  ctx.drawImage(still, 0, 0);
  const inside = densityFlowing() ? 0 : drawSamples(ctx, viewport!, d, pos, ratio);
  setBodyData('arrows', 0);
  setBodyData('streamlines', 0);
  setBodyData('flows', 0);
  setBodyData('densityCells', densityCells);
  if (!densityFlowing()) setBodyData('samplesDrawn', inside);
  setBodyData('ink', countInk(stillCtx, w, h, theme.background));
  legend.replaceChildren(
    scale.element,
    ...(d.samples ? [swatch('rgb(255, 87, 34)', 'samples', false)] : []),
    swatch('rgba(255, 255, 255, 0.6)', 'data', false),
  );
}

/** The slider's label for a CNF: t, and which end it is. */
function densityTimeLabel(pos: number): string {
  const d = preview!.density!;
  const t = timeAt(d, pos);
  const end = pos <= 1e-9 ? ' (base N(0, I))' : pos >= d.t.length - 1 - 1e-9 ? ' (data)' : '';
  return `t = ${t.toPrecision(3)}${end}`;
}

/** The grid (and its streamlines) at the slider's time. */
function updateGrid(): void {
  if (!preview) return;
  const at = fieldAt(preview, state.time!);
  grid = new FieldGrid({ n: preview.n, bounds: preview.bounds, u: at.u, v: at.v });
  const density = preview.density;
  lines = state.streamlines && !density ? traceStreamlines(grid) : null;
  particles?.setGrid(grid);
  if (density) {
    const pos = densityPos(state.time!);
    timeValue.textContent = densityTimeLabel(pos);
    setBodyData('time', timeAt(density, pos));
    return;
  }
  timeValue.textContent = at.t === null ? '' : `t = ${at.t.toPrecision(3)}`;
  setBodyData('time', at.t ?? 'none');
}

const classFlowing = (): boolean => Boolean(preview?.classification?.flowX && state.flows);
const densityFlowing = (): boolean => Boolean(preview?.density?.samples && state.flows);

// --- animation --------------------------------------------------------------------------------
let frameRequest: number | undefined;
let frames = 0;
let windowStart = performance.now();

function frame(now: number): void {
  frameRequest = undefined;
  const flowing = classFlowing();
  if (densityFlowing() && viewport) {
    // The samples from the base (t = T) to the data (t = 0), the heatmap and the slider following.
    const phase = (now - flowStart) % (FLOW_MS + REST_MS);
    const s = Math.min(1, phase / FLOW_MS);
    const pos = densityPos(s);
    drawHeatmapAt(ctx, pos);
    setBodyData('samplesDrawn', drawSamples(ctx, viewport, preview!.density!, pos, ratio));
    setBodyData('flowTime', s.toFixed(2));
    slider.value = String(Math.round(s * SLIDER_STEPS));
    timeValue.textContent = densityTimeLabel(pos);
    countFrame(now);
    frameRequest = requestAnimationFrame(frame);
    return;
  }
  if (!viewport || !((particles && state.particles) || flowing)) return;
  ctx.drawImage(still, 0, 0);
  if (particles && state.particles && particles.count > 0) {
    particles.step(1 / viewport.scale);
    // Fainter over a classifier's coloured points.
    drawParticles(ctx, viewport, particles, withAlpha(theme.foreground, preview?.classification ? 0.3 : 0.55), ratio);
  }
  if (flowing) {
    const phase = (now - flowStart) % (FLOW_MS + REST_MS);
    const s = Math.min(1, phase / FLOW_MS);
    drawClassPoints(ctx, viewport, preview!.classification!, s, theme, ratio);
    setBodyData('flowTime', s.toFixed(2));
  }
  countFrame(now);
  frameRequest = requestAnimationFrame(frame);
}

/** The measured frame rate, once a second. */
function countFrame(now: number): void {
  frames++;
  if (now - windowStart >= 1000) {
    setBodyData('fps', ((frames * 1000) / (now - windowStart)).toFixed(1));
    frames = 0;
    windowStart = now;
  }
}

function updateAnimation(): void {
  // A CNF's samples are its particles: the field's own are not drawn over its density.
  const count = state.particles && grid && !preview?.density ? state.particleCount : 0;
  if (grid) {
    if (!particles) particles = new Particles(grid, count);
    else {
      particles.setGrid(grid);
      particles.resize(count);
    }
  }
  setBodyData('particles', count);
  const animate = count > 0 || classFlowing() || densityFlowing();
  if (animate && frameRequest === undefined) {
    frames = 0;
    windowStart = performance.now();
    frameRequest = requestAnimationFrame(frame);
  } else if (!animate) {
    if (frameRequest !== undefined) cancelAnimationFrame(frameRequest);
    frameRequest = undefined;
    setBodyData('fps', 0);
    if (preview?.density) redrawStill();
    else ctx.drawImage(still, 0, 0);
  }
}

// --- messages ---------------------------------------------------------------------------------
function describe(p: FieldPreview): string {
  const weights = p.iteration === null ? 'untrained' : `${p.source.runId ?? 'run'} · iteration ${p.iteration}`;
  const c = p.classification;
  const d = p.density;
  const verdict = c
    ? ` · accuracy ${(100 * c.accuracy).toFixed(1)} %, loss ${c.loss.toPrecision(3)}`
    : d
      ? ` · NLL ${d.nll === null ? '–' : `${d.nll.toFixed(3)} nats`} (${d.nllPoints} points) · NFE ${d.nfe}`
      : '';
  return `${p.experiment} · ${weights}${verdict}${p.slice ? ` · ${p.slice}` : ''}`;
}

/** The slider shows only when the field's samples differ over t. */
function timeDependent(p: FieldPreview): boolean {
  const f = p.frames;
  if (!f || f.t.length < 2) return false;
  return f.u.some((u, i) => u.some((x, k) => x !== f.u[0][k] || f.v[i][k] !== f.v[0][k]));
}

function handle(message: HostMessage): void {
  switch (message.type) {
    case 'vectorField/preview': {
      const first = !received || received.source.file !== message.payload.source.file;
      received = message.payload;
      updatePlanes(received);
      preview = onPlane(received, shownPlane(received));
      const density = preview.density;
      const timed = timeDependent(preview) || Boolean(density);
      timeRow.hidden = !timed;
      flowsBox.hidden = !preview.classification && !density?.samples;
      for (const el of vectorControls()) el.hidden = Boolean(density);
      timeLabel.textContent = density ? 'Density at' : 'Field at';
      flowsBox.title = density ? 'Samples of the base N(0, I) flowing from t = T to the data at t = 0' : "The classifier's points moving from t = 0 to t = 1";
      if (!timed) state.time = 0;
      slider.value = String(Math.round(state.time! * SLIDER_STEPS));
      if (first) flowStart = performance.now();
      updateGrid();
      state.source = preview.source;
      saveState();
      status.textContent = describe(preview);
      setBodyData('checksum', fieldChecksum(preview.u, preview.v));
      setBodyData('iteration', preview.iteration ?? 'untrained');
      setBodyData('frames', density ? density.t.length : timed ? preview.frames!.t.length : 0);
      setBodyData('task', preview.classification ? 'classification' : density ? 'density' : 'trajectory');
      setBodyData('samples', density?.samples?.x[0].length ?? 0);
      setBodyData('densityFrames', density?.mesh ? density.mesh.logp.length : 0);
      setBodyData('nll', density?.nll ?? '');
      setBodyData('nfe', density?.nfe ?? '');
      setBodyData('plane', shownPlane(received));
      setBodyData('planes', planeKeys(received).length);
      setBodyData('classes', preview.classification?.classes.length ?? 0);
      setBodyData('accuracy', preview.classification?.accuracy ?? '');
      notice.show('warning', preview.predictedError);
      heatmaps = [];
      heatmapTops = [];
      redrawStill();
      updateAnimation();
      setBodyData('previews', Number(document.body.dataset.previews ?? 0) + 1);
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

arrowsBox.addEventListener('change', () => {
  state.arrows = arrowsBox.checked;
  saveState();
  redrawStill();
});
streamlinesBox.addEventListener('change', () => {
  state.streamlines = streamlinesBox.checked;
  saveState();
  updateGrid();
  redrawStill();
});
flowsBox.addEventListener('change', () => {
  state.flows = flowsBox.checked;
  saveState();
  // A CNF's samples go on from where the slider left them.
  flowStart = performance.now() - (preview?.density ? state.time! * FLOW_MS : 0);
  redrawStill();
  updateAnimation();
});
planeSelect.addEventListener('change', () => {
  if (!received || !planeKeys(received).includes(planeSelect.value)) return;
  state.plane = planeSelect.value;
  saveState();
  preview = onPlane(received, state.plane);
  timeRow.hidden = !timeDependent(preview);
  updateGrid();
  status.textContent = describe(preview);
  setBodyData('plane', state.plane);
  redrawStill();
});
slider.addEventListener('input', () => {
  state.time = Number(slider.value) / SLIDER_STEPS;
  // Scrubbing a CNF's t holds its samples there: the flow stops until switched on again.
  if (preview?.density && state.flows) {
    state.flows = false;
    flowsBox.checked = false;
    updateAnimation();
  }
  saveState();
  updateGrid();
  redrawStill();
});
particlesBox.addEventListener('change', () => {
  state.particles = particlesBox.checked;
  saveState();
  updateAnimation();
});
countSelect.addEventListener('change', () => {
  const value = Number(countSelect.value);
  if (!COUNTS.includes(value)) return;
  state.particleCount = value;
  saveState();
  updateAnimation();
});
refresh.addEventListener('click', () => post('panel/refresh', {}));

new ResizeObserver(() => {
  ratio = window.devicePixelRatio || 1;
  heatmaps = [];
  redrawStill();
}).observe(stage);

onThemeChange(() => {
  theme = readTheme();
  heatmaps = [];
  redrawStill();
});

redrawStill();
updateAnimation();
post('panel/ready', {});
