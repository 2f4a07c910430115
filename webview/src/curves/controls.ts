/**
 * The view controls under the toolbar, as TensorBoard's scalars settings: the smoothing slider,
 * the x axis (iteration, relative or wall time) and a button that undoes every chart's zoom.
 */
import type { VscodeButton } from '@vscode-elements/elements/dist/vscode-button/vscode-button.js';
import { CURVES_X_AXES, MAX_SMOOTHING } from '../protocol';
import { X_AXIS_TITLES, type XMode } from './xAxis';

export interface CurveControls {
  readonly element: HTMLElement;
  set(state: { smoothing: number; xMode: XMode }): void;
  /** Enables the reset button while some chart is zoomed or panned. */
  setZoomed(zoomed: boolean): void;
}

export function curveControls(handlers: { onSmoothing(w: number): void; onXMode(mode: XMode): void; onResetZoom(): void }): CurveControls {
  const element = document.createElement('div');
  element.className = 'curve-controls';

  const smoothingLabel = document.createElement('label');
  smoothingLabel.className = 'smoothing';
  smoothingLabel.textContent = 'Smoothing';
  const slider = document.createElement('input');
  slider.type = 'range';
  slider.min = '0';
  slider.max = String(MAX_SMOOTHING);
  slider.step = '0.01';
  slider.dataset.role = 'smoothing';
  const value = document.createElement('output');
  slider.addEventListener('input', () => {
    value.textContent = Number(slider.value).toFixed(2);
    handlers.onSmoothing(Number(slider.value));
  });
  smoothingLabel.append(slider, value);

  const xLabel = document.createElement('label');
  xLabel.textContent = 'X axis';
  const select = document.createElement('select');
  select.dataset.role = 'x-axis';
  for (const mode of CURVES_X_AXES) {
    const option = document.createElement('option');
    option.value = mode;
    option.textContent = X_AXIS_TITLES[mode];
    select.append(option);
  }
  select.addEventListener('change', () => handlers.onXMode(select.value as XMode));
  xLabel.append(select);

  const reset = document.createElement('vscode-button') as VscodeButton;
  reset.textContent = 'Reset zoom';
  reset.secondary = true;
  reset.disabled = true;
  reset.dataset.role = 'reset-zoom';
  reset.title = 'Drag a box on a chart to zoom, Ctrl+wheel to zoom at the cursor, Shift+drag to pan; double-click a chart to reset it';
  reset.addEventListener('click', () => handlers.onResetZoom());

  element.append(smoothingLabel, xLabel, reset);
  return {
    element,
    set({ smoothing, xMode }) {
      slider.value = String(smoothing);
      value.textContent = smoothing.toFixed(2);
      select.value = xMode;
    },
    setZoomed(zoomed) {
      reset.disabled = !zoomed;
    },
  };
}
