/**
 * The runs table below the charts: one row per listed run (those the filter lets through) with
 * what it was trained with and how it did, sortable by a click on a header, with a "differences
 * only" switch that hides the columns equal in every row. A row's checkbox shows or hides the
 * run's curves, like the run list's.
 */
import type { VscodeCheckbox } from '@vscode-elements/elements/dist/vscode-checkbox/vscode-checkbox.js';
import type { CurveRunInfo } from '../protocol';
import { nextSort, sortRuns, visibleColumns, type SortOrder } from './runsTableModel';

export interface RunsTableState {
  runs: readonly CurveRunInfo[];
  selected: readonly string[];
  /** Each shown run's colour. */
  colorOf: (runId: string) => string | undefined;
  sort: SortOrder | undefined;
  differencesOnly: boolean;
}

export class RunsTable {
  readonly element: HTMLElement;
  private readonly table: HTMLTableElement;
  private readonly diffToggle: VscodeCheckbox;
  /** What the table shows, to rebuild it only when that changes (live runs update it every second). */
  private shown = '';
  private state: RunsTableState | undefined;

  constructor(
    private readonly onToggle: (runId: string, on: boolean) => void,
    private readonly onSort: (sort: SortOrder | undefined) => void,
    private readonly onDifferencesOnly: (on: boolean) => void,
  ) {
    this.element = document.createElement('section');
    this.element.className = 'runs-table-section';
    this.element.setAttribute('aria-label', 'Runs table');
    const header = document.createElement('header');
    const title = document.createElement('h2');
    title.textContent = 'Compare runs';
    this.diffToggle = document.createElement('vscode-checkbox');
    this.diffToggle.label = 'Differences only';
    this.diffToggle.dataset.role = 'differences-only';
    this.diffToggle.addEventListener('change', () => this.onDifferencesOnly(this.diffToggle.checked));
    header.append(title, this.diffToggle);
    const scroll = document.createElement('div');
    scroll.className = 'runs-table-scroll';
    this.table = document.createElement('table');
    this.table.className = 'runs-table';
    scroll.append(this.table);
    this.element.append(header, scroll);
  }

  update(state: RunsTableState): void {
    this.state = state;
    this.diffToggle.checked = state.differencesOnly;
    const rows = sortRuns(state.runs, state.sort);
    const columns = visibleColumns(state.runs, state.differencesOnly);
    const key = JSON.stringify([
      rows.map((r) => [r.id, columns.map((c) => c.text(r)), state.selected.includes(r.id), state.colorOf(r.id) ?? '', r.tags, r.note]),
      columns.map((c) => c.id),
      state.sort ?? null,
    ]);
    if (key === this.shown) return;
    this.shown = key;
    this.element.hidden = state.runs.length === 0;

    const head = document.createElement('thead');
    const headRow = document.createElement('tr');
    const selectHead = document.createElement('th');
    selectHead.className = 'select';
    selectHead.setAttribute('aria-label', 'Shown');
    headRow.append(selectHead);
    for (const c of columns) {
      const th = document.createElement('th');
      th.dataset.column = c.id;
      th.className = c.numeric ? 'numeric' : '';
      th.title = `${c.description} (click to sort)`;
      const sorted = state.sort?.column === c.id;
      th.setAttribute('aria-sort', sorted ? (state.sort!.descending ? 'descending' : 'ascending') : 'none');
      const button = document.createElement('button');
      button.type = 'button';
      button.textContent = c.title + (sorted ? (state.sort!.descending ? ' ▼' : ' ▲') : '');
      button.addEventListener('click', () => this.onSort(nextSort(this.state?.sort, c.id)));
      th.append(button);
      headRow.append(th);
    }
    head.append(headRow);

    const body = document.createElement('tbody');
    for (const run of rows) {
      const tr = document.createElement('tr');
      tr.dataset.run = run.id;
      const on = state.selected.includes(run.id);
      tr.classList.toggle('selected', on);
      const selectCell = document.createElement('td');
      selectCell.className = 'select';
      const box = document.createElement('vscode-checkbox');
      box.checked = on;
      box.setAttribute('aria-label', `Show ${run.id}`);
      box.addEventListener('change', () => this.onToggle(run.id, box.checked));
      selectCell.append(box);
      tr.append(selectCell);
      for (const c of columns) {
        const td = document.createElement('td');
        td.dataset.column = c.id;
        if (c.numeric) td.className = 'numeric';
        if (c.id === 'run') this.fillRunCell(td, run, c.text(run), state.colorOf(run.id));
        else td.textContent = c.text(run);
        tr.append(td);
      }
      body.append(tr);
    }
    this.table.replaceChildren(head, body);
  }

  /** The run's colour (when shown), label, tags; the id and note in its tooltip. */
  private fillRunCell(td: HTMLElement, run: CurveRunInfo, label: string, color: string | undefined): void {
    const swatch = document.createElement('span');
    swatch.className = 'swatch';
    if (color) swatch.style.backgroundColor = color;
    td.append(swatch, label);
    for (const tag of run.tags) {
      const chip = document.createElement('span');
      chip.className = 'tag';
      chip.textContent = tag;
      td.append(chip);
    }
    td.title = [run.id, run.note].filter((s) => s).join('\n');
  }
}
