/**
 * The run picker: one checkbox per run, its colour swatch doubling as the legend. Checking
 * several runs overlays them in every chart.
 */
import type { VscodeCheckbox } from '@vscode-elements/elements/dist/vscode-checkbox/vscode-checkbox.js';
import type { CurveRunInfo } from '../protocol';
import { runLabel } from './series';

export class RunPicker {
  readonly element: HTMLElement;
  private readonly list: HTMLElement;
  private selected: string[] = [];

  constructor(private readonly onChange: (selected: string[]) => void) {
    this.element = document.createElement('section');
    this.element.className = 'run-picker';
    this.element.setAttribute('aria-label', 'Runs');
    const title = document.createElement('h2');
    title.textContent = 'Runs';
    this.list = document.createElement('div');
    this.list.className = 'run-list';
    this.element.append(title, this.list);
  }

  get selection(): readonly string[] {
    return this.selected;
  }

  /** Rebuilds the list; `colors` gives each selected run's colour (by position in `selected`). */
  update(runs: readonly CurveRunInfo[], selected: readonly string[], colors: readonly string[]): void {
    this.selected = selected.filter((id) => runs.some((r) => r.id === id));
    if (runs.length === 0) {
      const empty = document.createElement('p');
      empty.className = 'empty';
      empty.textContent = 'No runs yet in .neural-ode/runs/. Train an experiment (Neural ODE: Train Experiment, or neural-ode train in a terminal) and it appears here.';
      this.list.replaceChildren(empty);
      return;
    }
    const rows = runs.map((run) => {
      const row = document.createElement('div');
      row.className = 'run-row';
      row.dataset.run = run.id;
      const swatch = document.createElement('span');
      swatch.className = 'swatch';
      const index = this.selected.indexOf(run.id);
      if (index >= 0) swatch.style.backgroundColor = colors[index % colors.length];
      const box = document.createElement('vscode-checkbox') as VscodeCheckbox;
      box.checked = index >= 0;
      box.label = runLabel(run);
      box.title = run.id;
      box.addEventListener('change', () => this.toggle(run.id, box.checked));
      const detail = document.createElement('span');
      detail.className = 'run-detail';
      const loss = run.lastLoss === null ? '' : ` · loss ${formatNumber(run.lastLoss)}`;
      detail.textContent = `${run.status}${run.lastIteration === null ? '' : ` · it ${run.lastIteration}`}${loss}`;
      row.append(swatch, box, detail);
      return row;
    });
    this.list.replaceChildren(...rows);
  }

  private toggle(id: string, on: boolean): void {
    const next = this.selected.filter((s) => s !== id);
    if (on) next.push(id);
    this.selected = next;
    this.onChange(next);
  }
}

export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e5) ? v.toExponential(3) : v.toPrecision(4);
}
