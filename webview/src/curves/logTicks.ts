/**
 * Which ticks of a logarithmic axis get a label. chart.js puts a tick at every 1…9 × 10^k; with
 * all of them labelled, a loss falling over several decades is a smear of numbers. Only 1, 2 and
 * 5 × 10^k are labelled, thinned to 1 × 10^k and then to every n-th decade as the axis gets
 * shorter, so that labels stay `minGapPx` apart whatever the chart's height.
 */

/** The labelled values of a log axis from `min` to `max` drawn `lengthPx` long. */
export function logTickLabels(min: number, max: number, lengthPx: number, minGapPx = 16): number[] {
  if (!(min > 0) || !(max > min) || !(lengthPx > 0)) return [];
  const pxPerDecade = lengthPx / Math.log10(max / min);
  const lo = Math.floor(Math.log10(min)) - 1;
  const hi = Math.ceil(Math.log10(max)) + 1;
  const inRange = (v: number) => v >= min * (1 - 1e-9) && v <= max * (1 + 1e-9);
  const decades = (mantissas: number[], every = 1): number[] => {
    const out: number[] = [];
    for (let e = lo; e <= hi; e++) {
      if (e % every !== 0) continue;
      for (const m of mantissas) {
        const v = Number((m * 10 ** e).toPrecision(12));
        if (inRange(v)) out.push(v);
      }
    }
    return out;
  };
  // 1→2 and 5→10 are the closest labels of 1-2-5: log10(2) of a decade apart.
  if (pxPerDecade * Math.log10(2) >= minGapPx) {
    const labels = decades([1, 2, 5]);
    if (labels.length >= 2) return labels;
    return narrowLabels(min, max, pxPerDecade, minGapPx, decades([1, 2, 3, 4, 5, 6, 7, 8, 9]));
  }
  if (pxPerDecade >= minGapPx) return decades([1]);
  return decades([1], Math.ceil(minGapPx / pxPerDecade));
}

/**
 * An axis spanning less than a 1-2-5 step: every round tick that keeps its distance, and the
 * axis ends when even those are fewer than two (a nearly flat curve still gets numbers).
 */
function narrowLabels(min: number, max: number, pxPerDecade: number, minGapPx: number, round: number[]): number[] {
  const out: number[] = [];
  for (const v of round) {
    if (out.length === 0 || Math.log10(v / out[out.length - 1]) * pxPerDecade >= minGapPx) out.push(v);
  }
  return out.length >= 2 ? out : [min, max];
}

/** A predicate over chart.js's tick values (which carry rounding noise) for a list of labels. */
export function logTickFilter(labels: readonly number[]): (v: number) => boolean {
  const keys = new Set(labels.map((v) => v.toPrecision(9)));
  return (v) => keys.has(v.toPrecision(9));
}
