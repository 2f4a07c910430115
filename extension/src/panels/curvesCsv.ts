/**
 * Metrics of one or more runs as CSV (RFC 4180): one row per iteration, a `run` column first,
 * then every field any record has, the usual ones first; nested objects (step-size statistics)
 * become dotted columns. Non-finite numbers are written as NaN/Infinity, as Python and R read them.
 */
import type { MetricsRecord } from '../../../engine/src/train';

const FIRST = ['iteration', 'loss', 'evalLoss', 'accuracy', 'evalAccuracy', 'nfeForward', 'nfeBackward', 'iterationSeconds', 'wallSeconds', 'lr', 'gradNorm', 'kinetic', 'jacobian'];

function flatten(record: Record<string, unknown>, prefix = '', out: Record<string, unknown> = {}): Record<string, unknown> {
  for (const [k, v] of Object.entries(record)) {
    const name = prefix + k;
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) flatten(v as Record<string, unknown>, `${name}.`, out);
    else out[name] = v;
  }
  return out;
}

function cell(v: unknown): string {
  if (v === undefined || v === null) return '';
  const s = typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function metricsCsv(runs: readonly { runId: string; records: readonly MetricsRecord[] }[]): string {
  const rows = runs.flatMap((r) => r.records.map((rec) => ({ run: r.runId, ...flatten(rec) })));
  const seen = new Set<string>();
  for (const row of rows) for (const k of Object.keys(row)) if (k !== 'run') seen.add(k);
  const rest = [...seen].filter((k) => !FIRST.includes(k)).sort();
  const columns = ['run', ...FIRST.filter((k) => seen.has(k)), ...rest];
  const lines = [columns.join(',')];
  for (const row of rows) lines.push(columns.map((c) => cell((row as Record<string, unknown>)[c])).join(','));
  return lines.join('\r\n') + '\r\n';
}
