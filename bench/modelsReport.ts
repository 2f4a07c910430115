/** The models suite's tables, one per size, and its checks. */
import type { TargetCheck } from './report';
import { ANSWER_TOLERANCE, SPREAD_FACTOR, type ModelRow, type SizeResult, type Timed } from './modelsSuite';
import { formatTable, ms, sci, type Column } from './table';
import { threadCount } from '../engine/src/threads/pool';

const OPS = ['forward', 'backprop', 'adjoint'] as const;

const COLUMNS: Column[] = [
  { header: 'model', align: 'left' },
  { header: 'forward ms' },
  { header: 'backprop ms' },
  { header: 'adjoint ms' },
  { header: 'NFE fwd/adj' },
  { header: 'torchdiffeq fwd/bp/adj ms' },
  { header: 'td NFE' },
  { header: 'ratio td/engine fwd/bp/adj' },
  { header: 'answers', align: 'left' },
];

/** Two significant digits: 0.53, 4.1, 15. */
const short = (x: number): string => (x >= 10 ? x.toFixed(0) : x.toPrecision(2));

const nfe = (t: Timed | undefined) => (t?.nfe ? `${t.nfe.forward}/${t.nfe.adjoint}` : '-');

function answers(row: ModelRow, peer: Timed | undefined): string {
  if (row.error) return `error: ${row.error}`;
  if (!peer) return '-';
  if (peer.error) return `torchdiffeq error: ${peer.error}`;
  if (!row.answers) return '-';
  const { worst, where, limit } = row.answers;
  return worst <= limit ? `ok ${sci(worst)} ≤ ${sci(limit)}` : `FAIL ${sci(worst)} > ${sci(limit)} (${where})`;
}

function row(r: ModelRow, peer: Timed | undefined): string[] {
  const m = r.median;
  const p = peer?.median;
  const ratios = m && p ? OPS.map((op) => short(p[op] / m[op])).join('/') : '-';
  return [
    r.label,
    ms(m?.forward),
    ms(m?.backprop),
    ms(m?.adjoint),
    nfe(r),
    p ? OPS.map((op) => ms(p[op])).join('/') : '-',
    nfe(peer),
    ratios,
    answers(r, peer),
  ];
}

export function formatModelsReport(sizes: readonly SizeResult[], notes: readonly string[]): string {
  const parts = [
    '## Models: forward solve and one training iteration (dopri5 rtol 1e-5 atol 1e-6, t in [0, 1], MSE at t = 1)',
    'Medians in ms; NFE fwd/adj: forward evaluations / the adjoint\'s backward vjp evaluations; ratio > 1: the engine is faster.',
    `The engine uses ${threadCount()} thread${threadCount() > 1 ? 's' : ''} for large batches (NEURAL_ODE_THREADS); rows marked "1 thread" run the same model on one.`,
    `answers: loss and every gradient (backprop and adjoint) against torchdiffeq's, max |a - b| / max |b| per tensor; the limit is ${sci(ANSWER_TOLERANCE)} (float32)`,
    `or ${SPREAD_FACTOR}x torchdiffeq's own backprop-vs-adjoint difference where larger (dL/dy0 is per sample and carries the solver's error).`,
  ];
  for (const s of sizes) {
    parts.push('', `### ${s.size} (batch x hidden), ${s.rounds} rounds`, formatTable(COLUMNS, s.rows.map((r) => row(r, s.peer[r.peer]))));
  }
  if (notes.length) parts.push('', ...notes.map((n) => `- ${n}`));
  return parts.join('\n');
}

export function modelsChecks(sizes: readonly SizeResult[]): TargetCheck[] {
  const out: TargetCheck[] = [];
  for (const s of sizes) {
    for (const r of s.rows) {
      if (r.error) out.push({ what: `${s.size} ${r.label} failed: ${r.error}`, ok: false });
      if (r.answers) {
        const { worst, where, limit } = r.answers;
        out.push({ what: `${s.size} ${r.label}: vs torchdiffeq ${sci(worst)} (${where}) ≤ ${sci(limit)}`, ok: worst <= limit });
      }
    }
    for (const p of Object.values(s.peer)) if (p?.error) out.push({ what: `${s.size} ${p.label} failed: ${p.error}`, ok: false });
  }
  return out;
}
