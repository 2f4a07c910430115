/**
 * The run list: a filter box and one checkbox per run, its colour swatch doubling as the legend.
 * Checking several runs overlays them in every chart. A run is named "experiment · name" (its
 * own name, else the time part of its id), with its status and its tags under the name.
 */
import type { VscodeCheckbox } from '@vscode-elements/elements/dist/vscode-checkbox/vscode-checkbox.js';
import type { CurveRunInfo } from '../protocol';
import { formatValue } from './format';
import { matchesFilter } from './runFilter';
import { runLabel } from './series';

export class RunPicker {
  readonly element: HTMLElement;
  private readonly list: HTMLElement;
  private readonly filterBox: HTMLInputElement;
  private selected: string[] = [];
  /** What the list shows, to rebuild it only when that changes (live runs update it every second). */
  private shown = '';

  constructor(
    private readonly onChange: (selected: string[]) => void,
    private readonly onFilter: (filter: string) => void,
  ) {
    this.element = document.createElement('section');
    this.element.className = 'run-picker';
    this.element.setAttribute('aria-label', 'Runs');
    const title = document.createElement('h2');
    title.textContent = 'Runs';
    this.filterBox = document.createElement('input');
    this.filterBox.type = 'search';
    this.filterBox.className = 'run-filter';
    this.filterBox.placeholder = 'Filter by name or tag';
    this.filterBox.setAttribute('aria-label', 'Filter runs by name or tag');
    this.filterBox.dataset.role = 'run-filter';
    this.filterBox.addEventListener('input', () => this.onFilter(this.filterBox.value));
    this.list = document.createElement('div');
    this.list.className = 'run-list';
    this.element.append(title, this.filterBox, this.list);
  }

  get selection(): readonly string[] {
    return this.selected;
  }

  /** Rebuilds the list; `colorOf` gives each shown run's colour. */
  update(runs: readonly CurveRunInfo[], selected: readonly string[], filter: string, colorOf: (runId: string) => string | undefined): void {
    this.selected = selected.filter((id) => runs.some((r) => r.id === id));
    if (this.filterBox.value !== filter && document.activeElement !== this.filterBox) this.filterBox.value = filter;
    const listed = runs.filter((r) => matchesFilter(r, filter));
    const key = JSON.stringify([runs.length, listed.map((r) => [r.id, runLabel(r), r.status, r.lastIteration, r.lastLoss, r.tags, r.note, colorOf(r.id) ?? '']), this.selected]);
    if (key === this.shown) return;
    this.shown = key;
    if (runs.length === 0 || listed.length === 0) {
      const empty = document.createElement('p');
      empty.className = 'empty';
      empty.textContent =
        runs.length === 0
          ? 'No runs yet in .neural-ode/runs/. Train an experiment (Neural ODE: Train Experiment, or neural-ode train in a terminal) and it appears here.'
          : `No run matches “${filter.trim()}”.`;
      this.list.replaceChildren(empty);
      return;
    }
    const rows = listed.map((run) => {
      const row = document.createElement('div');
      row.className = 'run-row';
      row.dataset.run = run.id;
      row.dataset.status = run.status;
      const swatch = document.createElement('span');
      swatch.className = 'swatch';
      const color = colorOf(run.id);
      if (color) swatch.style.backgroundColor = color;
      const box = document.createElement('vscode-checkbox') as VscodeCheckbox;
      box.checked = this.selected.includes(run.id);
      box.label = runLabel(run);
      box.title = [run.id, run.note].filter((s) => s).join('\n');
      box.addEventListener('change', () => this.toggle(run.id, box.checked));
      const detail = document.createElement('span');
      detail.className = 'run-detail';
      const loss = run.lastLoss === null ? '' : ` · loss ${formatValue(run.lastLoss)}`;
      detail.textContent = `${run.status}${run.lastIteration === null ? '' : ` · it ${run.lastIteration}`}${loss}`;
      for (const tag of run.tags) {
        const chip = document.createElement('span');
        chip.className = 'tag';
        chip.textContent = tag;
        detail.append(chip);
      }
      row.append(swatch, box, detail);
      return row;
    });
    this.list.replaceChildren(...rows);
  }

  /** Shows or hides one run (also called by the runs table). */
  toggle(id: string, on: boolean): void {
    const next = this.selected.filter((s) => s !== id);
    if (on) next.push(id);
    this.selected = next;
    this.onChange(next);
  }
}
