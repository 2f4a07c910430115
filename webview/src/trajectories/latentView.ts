/**
 * A latent ODE in the Trajectories panel: one x–y card per shown series, with the noise-free
 * spiral (faint), the observations (markers), the reconstruction over the observed span
 * (solid) and the extrapolation past it (dashed, another colour). <body> says what is shown
 * (data-task="latent", data-series, data-checksum) and each card its point counts.
 */
import type { TrajectoryLatent, XYSeries } from '../protocol';
import { swatch } from '../shared/notice';
import type { Theme } from '../shared/theme';
import { TrajectoryChart, type XY } from './trajectoryChart';

const points = (s: XYSeries): XY[] => s.x.map((x, i) => ({ x, y: s.y[i] }));

/** A cheap fingerprint of the predictions, so a test can tell that new weights changed them. */
function checksum(l: TrajectoryLatent): string {
  let h = 0;
  for (const s of l.series) for (const v of [...s.reconstruction.x, ...s.extrapolation.y]) h = (h * 31 + Math.round(v * 1e6)) % 2_147_483_647;
  return String(h);
}

export function latentLegend(theme: Theme): HTMLElement[] {
  const p = theme.palette;
  return [swatch(p[2], 'observed', false), swatch(p[1], 'reconstruction', true), swatch(p[3 % p.length], 'extrapolation (dashed)', true), swatch(theme.foreground, 'noise-free', true)];
}

export function describeLatent(l: TrajectoryLatent): string {
  const f = (v: number | null): string => (v === null ? '—' : v.toFixed(3));
  return `RMSE interpolation ${f(l.rmse.interpolation)} · extrapolation ${f(l.rmse.extrapolation)} · ${l.series.length} series`;
}

/** The cards, kept across previews with the same number of series. */
export function showLatent(grid: HTMLElement, theme: () => Theme): { show(l: TrajectoryLatent | null): void; applyTheme(t: Theme): void } {
  const charts: TrajectoryChart[] = [];
  return {
    show(l) {
      const count = l?.series.length ?? 0;
      while (charts.length > count) charts.pop()?.destroy();
      while (charts.length < count) {
        const k = charts.length;
        const chart = new TrajectoryChart({ id: `series-${k}`, title: `Series ${l!.series[k].index}`, xTitle: 'y₀', yTitle: 'y₁', xy: true }, theme());
        // Two rows of the grid each: an x–y plot needs height as much as width.
        chart.element.style.gridRow = 'span 2';
        grid.append(chart.element);
        charts.push(chart);
      }
      if (!l) return;
      l.series.forEach((s, k) =>
        charts[k].setLatent({ observed: points(s.observed), reconstruction: points(s.reconstruction), extrapolation: points(s.extrapolation), truth: points(s.truth) }),
      );
      const b = document.body.dataset;
      b.components = '0';
      b.task = 'latent';
      b.series = String(count);
      b.flows = '0';
      b.checksum = checksum(l);
      b.previews = String(Number(b.previews ?? 0) + 1);
    },
    applyTheme(t) {
      for (const c of charts) c.applyTheme(t);
    },
  };
}
