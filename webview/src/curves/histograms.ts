/**
 * The Histograms section below the charts, shown when a shown run recorded histograms
 * (train.histograms): per parameter group, a heatmap of its weights and one of its gradients over
 * the sampled iterations. A select picks the run when several shown runs have histograms, and
 * the group when the model has more groups than fit. Data attributes say what is drawn:
 * `section.histograms[data-run]`, `[data-groups]` (JSON), each `.histogram-group[data-group]` with
 * `data-samples` and `data-size`, and each heatmap's `figure[data-kind]` with its samples and range.
 */
import type { HistogramSample } from '../protocol';
import type { Theme } from '../shared/theme';
import { HistogramHeatmap } from './histogramHeatmap';
import { groupColumns, groupNames } from './histogramModel';

/** A shown run and the samples received for it. */
export interface HistogramRun {
  id: string;
  label: string;
  samples: readonly HistogramSample[];
}

/** Up to this many groups are all drawn; beyond, a select shows one at a time. */
const ALL_GROUPS_UP_TO = 6;

class GroupCard {
  readonly element: HTMLElement;
  private readonly heading: HTMLElement;
  private readonly readout: HTMLElement;
  readonly weights: HistogramHeatmap;
  readonly gradients: HistogramHeatmap;

  constructor(readonly name: string) {
    this.element = document.createElement('div');
    this.element.className = 'histogram-group chart-card';
    this.element.dataset.group = name;
    this.heading = document.createElement('h3');
    this.readout = document.createElement('p');
    this.readout.className = 'histogram-readout';
    const show = (text: string) => {
      this.readout.textContent = text || '\u00a0';
    };
    show('');
    this.weights = new HistogramHeatmap('Weights', 'value', 'weights', show);
    this.gradients = new HistogramHeatmap('Gradients', 'gradient', 'gradients', show);
    const pair = document.createElement('div');
    pair.className = 'histogram-pair';
    pair.append(this.weights.element, this.gradients.element);
    this.element.append(this.heading, pair, this.readout);
  }

  set(samples: readonly HistogramSample[], theme: Theme): void {
    const weights = groupColumns(samples, this.name, 'weights');
    const size = samples.findLast((s) => s.groups.some((g) => g.name === this.name))?.groups.find((g) => g.name === this.name)?.size ?? 0;
    this.heading.textContent = `${this.name}`;
    const count = document.createElement('span');
    count.className = 'histogram-size';
    count.textContent = `${size.toLocaleString('en-US')} value${size === 1 ? '' : 's'} · ${weights.length} sample${weights.length === 1 ? '' : 's'}`;
    this.heading.append(count);
    this.element.dataset.samples = String(weights.length);
    this.element.dataset.size = String(size);
    this.weights.set(weights, theme, theme.palette[0] ?? theme.foreground);
    this.gradients.set(groupColumns(samples, this.name, 'gradients'), theme, theme.palette[1] ?? theme.foreground);
  }

  draw(): void {
    this.weights.draw();
    this.gradients.draw();
  }
}

export class HistogramsSection {
  readonly element: HTMLElement;
  private readonly runSelect: HTMLSelectElement;
  private readonly groupSelect: HTMLSelectElement;
  private readonly groupsBox: HTMLElement;
  private readonly cards = new Map<string, GroupCard>();
  private runId: string | undefined;
  private group: string | undefined;
  private runs: readonly HistogramRun[] = [];
  private theme: Theme | undefined;
  /** What was drawn last: redraw only when the samples, the choice or the theme change. */
  private drawn: { samples: readonly HistogramSample[]; key: string } | null = null;

  constructor() {
    this.element = document.createElement('section');
    this.element.className = 'histograms';
    this.element.setAttribute('aria-label', 'Histograms of weights and gradients');
    this.element.hidden = true;
    const header = document.createElement('header');
    const title = document.createElement('h2');
    title.textContent = 'Histograms';
    this.runSelect = this.select('Run', 'histogram-run', (v) => (this.runId = v));
    this.groupSelect = this.select('Group', 'histogram-group', (v) => (this.group = v));
    const legend = document.createElement('span');
    legend.className = 'histogram-legend';
    legend.textContent = 'A column per sample; the shade of a cell: how many values fall in its bin, up to the column\u2019s fullest.';
    header.append(title, this.runSelect.parentElement!, this.groupSelect.parentElement!, legend);
    this.groupsBox = document.createElement('div');
    this.groupsBox.className = 'histogram-groups';
    this.element.append(header, this.groupsBox);
    let width = 0;
    new ResizeObserver(() => {
      if (this.groupsBox.clientWidth === width) return;
      width = this.groupsBox.clientWidth;
      for (const c of this.cards.values()) c.draw();
    }).observe(this.groupsBox);
  }

  private select(label: string, role: string, onChange: (value: string) => void): HTMLSelectElement {
    const wrap = document.createElement('label');
    wrap.textContent = label;
    wrap.hidden = true;
    const select = document.createElement('select');
    select.dataset.role = role;
    select.addEventListener('change', () => {
      onChange(select.value);
      this.render(true);
    });
    wrap.append(select);
    return select;
  }

  /** The shown runs (in the panel's order) and the theme. */
  update(runs: readonly HistogramRun[], theme: Theme): void {
    this.runs = runs;
    const themeChanged = theme !== this.theme;
    this.theme = theme;
    this.render(themeChanged);
  }

  private render(force: boolean): void {
    const theme = this.theme;
    const withSamples = this.runs.filter((r) => r.samples.length > 0);
    this.element.hidden = withSamples.length === 0 || !theme;
    if (this.element.hidden || !theme) {
      delete this.element.dataset.run;
      this.drawn = null;
      return;
    }
    const run = withSamples.find((r) => r.id === this.runId) ?? withSamples[0];
    this.runId = run.id;
    fillSelect(this.runSelect, withSamples.map((r) => [r.id, r.label]), run.id);
    this.runSelect.parentElement!.hidden = withSamples.length < 2;

    const names = groupNames(run.samples);
    const many = names.length > ALL_GROUPS_UP_TO;
    if (!this.group || !names.includes(this.group)) this.group = names[0];
    fillSelect(this.groupSelect, names.map((n) => [n, n]), this.group);
    this.groupSelect.parentElement!.hidden = !many;
    const shown = many && this.group ? [this.group] : names;

    const key = JSON.stringify([run.id, shown]);
    if (!force && this.drawn?.samples === run.samples && this.drawn.key === key) return;
    this.drawn = { samples: run.samples, key };
    this.element.dataset.run = run.id;
    this.element.dataset.groups = JSON.stringify(names);
    this.element.dataset.samples = String(run.samples.length);
    for (const [name, card] of this.cards) {
      if (shown.includes(name)) continue;
      card.element.remove();
      this.cards.delete(name);
    }
    const ordered = shown.map((name) => {
      let card = this.cards.get(name);
      if (!card) {
        card = new GroupCard(name);
        this.cards.set(name, card);
      }
      return card;
    });
    this.groupsBox.replaceChildren(...ordered.map((c) => c.element));
    for (const card of ordered) card.set(run.samples, theme);
  }
}

/** Sets a select's options (only when they changed, so an open list is not disturbed) and its value. */
function fillSelect(select: HTMLSelectElement, options: [string, string][], value: string | undefined): void {
  const now = [...select.options].map((o) => [o.value, o.textContent ?? '']);
  if (JSON.stringify(now) !== JSON.stringify(options)) {
    select.replaceChildren(
      ...options.map(([v, text]) => {
        const o = document.createElement('option');
        o.value = v;
        o.textContent = text;
        return o;
      }),
    );
  }
  if (value !== undefined) select.value = value;
}
