/**
 * The Vector field panel (browser side): the model's field as arrows on a canvas, the data and
 * the predicted trajectory over it, and particles advected by the field. The host sends a
 * preview whenever the experiment or the shown run's checkpoint changes. What the page drew is
 * exposed on <body> as data-* attributes (arrows, particles, measured fps, ink, field checksum)
 * so tests can assert on it.
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
import { countInk, drawParticles, drawStatic } from './draw';
import { FieldGrid, fieldChecksum } from './fieldGrid';
import { Particles } from './particles';
import { Viewport } from './viewport';
import { noticeBar, swatch } from '../shared/notice';

const COUNTS = [1000, 2000, 5000, 10000];

let theme: Theme = readTheme();
const saved = validateVectorFieldViewState(getState());
const state: VectorFieldViewState = saved.ok ? saved.value : { source: null, particles: true, particleCount: 5000 };
const saveState = () => setState(state);

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
const particlesBox = document.createElement('vscode-checkbox') as VscodeCheckbox;
particlesBox.label = 'Particles';
particlesBox.checked = state.particles;
particlesBox.dataset.role = 'particles';
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
toolbar.append(heading, status, legend, particlesBox, countSelect, refresh);

const notice = noticeBar();
const stage = document.createElement('div');
stage.className = 'stage';
const canvas = document.createElement('canvas');
canvas.setAttribute('aria-label', 'Vector field of the model');
stage.append(canvas);
app.append(toolbar, notice.element, stage);
document.body.append(app);
const ctx = canvas.getContext('2d')!;
const still = document.createElement('canvas');
const stillCtx = still.getContext('2d', { willReadFrequently: true })!;

// --- state ------------------------------------------------------------------------------------
let preview: FieldPreview | undefined;
let grid: FieldGrid | undefined;
let viewport: Viewport | undefined;
let particles: Particles | undefined;
let ratio = window.devicePixelRatio || 1;

function setBodyData(key: string, value: string | number): void {
  document.body.dataset[key] = String(value);
}

/** Redraws the still layer (arrows, data, trajectory) for the current preview, size and theme. */
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
  viewport = new Viewport(preview.bounds, w, h, 44 * ratio);
  const counts = drawStatic(stillCtx, viewport, preview, grid, theme, ratio);
  ctx.drawImage(still, 0, 0);
  setBodyData('arrows', counts.arrows);
  setBodyData('ink', countInk(stillCtx, w, h, theme.background));
  legend.replaceChildren(
    swatch(theme.palette[2], 'data', false),
    ...(preview.predicted ? [swatch(theme.palette[1], 'predicted', true)] : []),
  );
}

// --- animation --------------------------------------------------------------------------------
let frameRequest: number | undefined;
let frames = 0;
let windowStart = performance.now();

function frame(now: number): void {
  frameRequest = undefined;
  if (!viewport || !particles || !state.particles) return;
  particles.step(1 / viewport.scale);
  ctx.drawImage(still, 0, 0);
  drawParticles(ctx, viewport, particles, withAlpha(theme.foreground, 0.55), ratio);
  frames++;
  if (now - windowStart >= 1000) {
    setBodyData('fps', ((frames * 1000) / (now - windowStart)).toFixed(1));
    frames = 0;
    windowStart = now;
  }
  frameRequest = requestAnimationFrame(frame);
}

function updateAnimation(): void {
  const count = state.particles && grid ? state.particleCount : 0;
  if (grid) {
    if (!particles) particles = new Particles(grid, count);
    else {
      particles.setGrid(grid);
      particles.resize(count);
    }
  }
  setBodyData('particles', count);
  if (count > 0 && frameRequest === undefined) {
    frames = 0;
    windowStart = performance.now();
    frameRequest = requestAnimationFrame(frame);
  } else if (count === 0) {
    if (frameRequest !== undefined) cancelAnimationFrame(frameRequest);
    frameRequest = undefined;
    setBodyData('fps', 0);
    ctx.drawImage(still, 0, 0);
  }
}

// --- messages ---------------------------------------------------------------------------------
function describe(p: FieldPreview): string {
  const weights = p.iteration === null ? 'untrained' : `${p.source.runId ?? 'run'} · iteration ${p.iteration}`;
  return `${p.experiment} · ${weights}${p.slice ? ` · ${p.slice}` : ''}`;
}

function handle(message: HostMessage): void {
  switch (message.type) {
    case 'vectorField/preview': {
      preview = message.payload;
      grid = new FieldGrid(preview);
      state.source = preview.source;
      saveState();
      status.textContent = describe(preview);
      setBodyData('checksum', fieldChecksum(preview.u, preview.v));
      setBodyData('iteration', preview.iteration ?? 'untrained');
      notice.show('warning', preview.predictedError);
      redrawStill();
      updateAnimation();
      setBodyData('previews', Number(document.body.dataset.previews ?? 0) + 1);
      break;
    }
    case 'vectorField/status':
      notice.status(message.payload);
      break;
    case 'panel/notice':
      notice.show(message.payload.level, message.payload.text);
      break;
    default:
      break;
  }
}

onHostMessage(handle, (error) => notice.show('error', `Ignored a malformed message from the extension: ${error}`));

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
refresh.addEventListener('click', () => post('vectorField/refresh', {}));

new ResizeObserver(() => {
  ratio = window.devicePixelRatio || 1;
  redrawStill();
}).observe(stage);

onThemeChange(() => {
  theme = readTheme();
  redrawStill();
});

redrawStill();
updateAnimation();
post('panel/ready', {});
