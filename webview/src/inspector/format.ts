/** How the details list writes numbers (no DOM: the real-VS-Code test checks against it). */

/** Six significant digits; non-finite and missing values spelled out. */
export function formatNumber(v: number | null | undefined): string {
  if (v === null || v === undefined) return '—';
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a >= 1e6 || a < 1e-4 ? v.toExponential(5) : String(Number(v.toPrecision(6)));
}
