/**
 * Numbers as the curves panel writes them: axis ticks short (3 significant digits), read-outs
 * and the runs table a digit longer, exponents only for the very small and very large, so that
 * every label of an axis has the same form.
 */

/** `digits` significant digits, trailing zeros dropped; an exponent below 1e-3 and from 1e4 (after rounding: 9999 reads 1e4). */
function significant(v: number, digits: number): string {
  if (v === 0 || !Number.isFinite(v)) return String(v);
  const r = Number(v.toPrecision(digits));
  const a = Math.abs(r);
  return a < 1e-3 || a >= 1e4 ? r.toExponential().replace('e+', 'e') : String(r);
}

/** An axis tick: "0.5", "0.01", "1500", "1e-4", "2.5e4". */
export function formatTick(v: number): string {
  return significant(v, 3);
}

/**
 * The labels of a linear axis in one form: all with exponents when any needs one (a learning
 * rate from 1e-4 to 1e-3 reads "1e-4 … 1e-3", not "1e-4 … 9e-4, 0.001").
 */
export function linearTickFormat(values: readonly number[]): (v: number) => string {
  const needsExponent = values.some((v) => {
    const a = Math.abs(Number(v.toPrecision(3)));
    return a !== 0 && Number.isFinite(a) && (a < 1e-3 || a >= 1e4);
  });
  if (!needsExponent) return formatTick;
  return (v) => (v === 0 || !Number.isFinite(v) ? String(v) : Number(v.toPrecision(3)).toExponential().replace('e+', 'e'));
}

/** A value read off a curve or shown in the table: 4 significant digits. */
export function formatValue(v: number | null | undefined): string {
  return v === null || v === undefined ? '–' : significant(v, 4);
}

/** A count (iterations, NFE) with thousands grouped. */
export function formatCount(v: number | null | undefined): string {
  if (v === null || v === undefined) return '–';
  return Math.round(v).toLocaleString('en-US');
}

/** A duration: "12.3 s", "4 min 05 s", "2 h 07 min". */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '–';
  if (seconds < 60) return `${Number(seconds.toPrecision(3))} s`;
  const pad = (n: number) => String(n).padStart(2, '0');
  const s = Math.round(seconds);
  if (s < 3600) return `${Math.floor(s / 60)} min ${pad(s % 60)} s`;
  return `${Math.floor(s / 3600)} h ${pad(Math.floor((s % 3600) / 60))} min`;
}
