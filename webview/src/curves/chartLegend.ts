/**
 * A chart's legend as HTML above its plot: chart.js's own legend is drawn inside the canvas and
 * takes its room from the plot, so with a few runs the plot shrank to a strip. This one wraps
 * and scrolls within a fixed height instead (spans, not list items: the card's hidden list is
 * what tests read).
 */

export interface LegendEntry {
  label: string;
  color: string;
  dashed: boolean;
  /** A lone point is drawn as a dot, not a line. */
  dot: boolean;
}

export function chartLegend(): { element: HTMLElement; render(entries: readonly LegendEntry[]): void } {
  const element = document.createElement('div');
  element.className = 'chart-legend';
  return {
    element,
    render(entries) {
      element.replaceChildren(
        ...entries.map((e) => {
          const item = document.createElement('span');
          item.className = 'legend-item';
          const mark = document.createElement('span');
          mark.className = e.dot ? 'legend-mark dot' : e.dashed ? 'legend-mark dashed' : 'legend-mark';
          mark.style.borderColor = e.color;
          if (e.dot) mark.style.backgroundColor = e.color;
          item.append(mark, e.label);
          item.title = e.label;
          return item;
        }),
      );
      element.hidden = entries.length === 0;
    },
  };
}
