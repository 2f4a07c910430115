/** The run's results as fixed-width tables, with the targets checked. */
import type { CaseResult, RunInfo } from './results';
import { formatTable, ms, ratio, sci, type Column } from './table';

/** Sizes where the native path must be at least 2× faster than torchdiffeq. */
const SPEED_TARGET_SIZES = new Set(['16x32', '256x64']);
const SPEED_TARGET = 2;
const NFE_TARGET = 0.1;

export interface TargetCheck {
  readonly what: string;
  readonly ok: boolean;
}

/** torchdiffeq's median time over a native path's (default: float64). */
export function speedup(c: CaseResult, id = 'native'): number | undefined {
  const native = c.paths[id]?.median;
  const peer = c.paths.torchdiffeq?.median;
  return native !== undefined && peer !== undefined ? peer / native : undefined;
}

/** The same ratio from the fastest solve of each: less disturbed by other load on the machine. */
export function bestSpeedup(c: CaseResult, id = 'native'): number | undefined {
  const native = c.paths[id]?.min;
  const peer = c.paths.torchdiffeq?.min;
  return native !== undefined && peer !== undefined ? peer / native : undefined;
}

/**
 * Controller quality compares like with like: the float64 native solve against torchdiffeq in
 * float64 (float32 rounding in torchdiffeq's error estimate moves its step counts by itself).
 * Without the float64 count, against torchdiffeq's float32 solve.
 */
export function nfeRatio(c: CaseResult): number | undefined {
  const native = c.paths.native?.nfe;
  const peer = c.peerNfeFloat64 ?? c.paths.torchdiffeq?.nfe;
  return native !== undefined && peer !== undefined ? native / peer : undefined;
}

/** The float32 solves' NFE ratio (information: rounding, not the controller, sets it). */
function nfeRatioF32(c: CaseResult): number | undefined {
  const native = c.paths['native-f32']?.nfe;
  const peer = c.paths.torchdiffeq?.nfe;
  return native !== undefined && peer !== undefined ? native / peer : undefined;
}

/** The native paths the speed target is checked on, with how to name them. */
const SPEED_PATHS = [
  ['native', 'native f64'],
  ['native-f32', 'native f32 (the peer\'s precision)'],
] as const;

/** Every target and answer check of the run, failed ones included. */
export function checks(cases: readonly CaseResult[]): TargetCheck[] {
  const out: TargetCheck[] = [];
  for (const c of cases) {
    for (const [id, name] of SPEED_PATHS) {
      const s = speedup(c, id);
      if (s !== undefined && SPEED_TARGET_SIZES.has(c.size)) {
        out.push({ what: `${c.label}: ${name} ${s.toFixed(2)}x torchdiffeq's speed (target ≥ ${SPEED_TARGET}x)`, ok: s >= SPEED_TARGET });
      }
    }
    const r = nfeRatio(c);
    if (r !== undefined && c.method === 'dopri5') {
      const peer = c.peerNfeFloat64 !== undefined ? `torchdiffeq f64 ${c.peerNfeFloat64}` : `torchdiffeq f32 ${c.paths.torchdiffeq.nfe}`;
      out.push({
        what: `${c.label}: NFE native f64 ${c.paths.native.nfe} vs ${peer} (${signedPercent(r)}, target ±${NFE_TARGET * 100}%)`,
        ok: Math.abs(r - 1) <= NFE_TARGET,
      });
    }
    for (const p of Object.values(c.paths)) {
      if (p.error) out.push({ what: `${c.label}: ${p.label} failed: ${p.error}`, ok: false });
      if (p.errVsExact !== undefined && p.limit !== undefined) {
        out.push({ what: `${c.label}: ${p.label} error ${fmtDistance(c, p.errVsExact)} ≤ ${fmtDistance(c, p.limit)}`, ok: p.errVsExact <= p.limit });
      }
      if (p.leakedTensors) out.push({ what: `${c.label}: ${p.label} left ${p.leakedTensors} tensors per solve`, ok: false });
    }
    if (c.vsPeer) {
      const v = c.vsPeer;
      out.push({
        what: `${c.label}: native vs torchdiffeq (${v.source}) ${fmtDistance(c, v.distance)} ≤ ${fmtDistance(c, v.limit)} (max |Δ| ${sci(v.maxAbs)})`,
        ok: v.distance <= v.limit,
      });
    }
  }
  return out;
}

/** Within ±10 % passes; outside, say which way (fewer NFE than the peer is a miss of a different kind). */
function nfeVerdict(r: number): string {
  if (Math.abs(r - 1) <= NFE_TARGET) return 'ok (±10%)';
  return r < 1 ? 'MISS (fewer)' : 'MISS (more)';
}

const signedPercent = (r: number) => `${r >= 1 ? '+' : ''}${((r - 1) * 100).toFixed(0)}%`;

function fmtDistance(c: CaseResult, d: number): string {
  return c.measure === 'rms-tol' ? `${d.toPrecision(2)} tol` : sci(d);
}

export function formatReport(cases: readonly CaseResult[], info: RunInfo): string {
  const pathIds = ['native', 'native-js', 'native-f32', 'wasm', 'cpu', 'torchdiffeq'].filter((id) => cases.some((c) => c.paths[id]));
  const label = (id: string) => cases.find((c) => c.paths[id])!.paths[id].label;
  const hasPeer = pathIds.includes('torchdiffeq');
  const left: Column = { header: 'case', align: 'left' };

  const timeCols: Column[] = [left, { header: 'runs' }, ...pathIds.map((id) => ({ header: `${label(id)} ms` }))];
  const speedIds = SPEED_PATHS.filter(([id]) => pathIds.includes(id));
  if (hasPeer) {
    for (const [id] of speedIds) timeCols.push({ header: `${label(id)} speedup` }, { header: 'target' }, { header: 'best/best' });
  }
  const timeRows = cases.map((c) => {
    const row = [c.label, String(c.rounds), ...pathIds.map((id) => (c.paths[id]?.error ? 'error' : ms(c.paths[id]?.median)))];
    if (hasPeer) {
      for (const [id] of speedIds) {
        const s = speedup(c, id);
        row.push(
          ratio(s),
          SPEED_TARGET_SIZES.has(c.size) && s !== undefined ? (s >= SPEED_TARGET ? 'ok (≥2x)' : 'MISS (<2x)') : '',
          ratio(bestSpeedup(c, id)),
        );
      }
    }
    return row;
  });

  const nfeCols: Column[] = [left, ...pathIds.map((id) => ({ header: label(id) }))];
  if (hasPeer) {
    nfeCols.push({ header: 'torchdiffeq f64' }, { header: 'f64/tdq f64' }, { header: 'target' }, { header: 'f32/tdq f32' });
  }
  const nfeRows = cases.map((c) => {
    const row = [c.label, ...pathIds.map((id) => (c.paths[id]?.nfe === undefined ? '-' : String(c.paths[id].nfe)))];
    if (hasPeer) {
      const r = nfeRatio(c);
      const r32 = nfeRatioF32(c);
      row.push(
        c.peerNfeFloat64 === undefined ? '-' : String(c.peerNfeFloat64),
        r === undefined ? '-' : signedPercent(r),
        c.method === 'dopri5' && r !== undefined ? nfeVerdict(r) : '',
        r32 === undefined ? '-' : signedPercent(r32),
      );
    }
    return row;
  });

  const us = (x: number | undefined) => (x === undefined ? '-' : (x * 1e6).toFixed(x * 1e6 >= 100 ? 0 : 1));
  const splitCols: Column[] = [left, ...pathIds.flatMap((id) => [{ header: `${label(id)}: f` }, { header: 'solver' }])];
  const splitRows = cases.map((c) => [c.label, ...pathIds.flatMap((id) => [us(c.paths[id]?.fPerEval), us(c.paths[id]?.restPerEval)])]);

  const ansCols: Column[] = [left, { header: 'measure', align: 'left' }];
  if (hasPeer) ansCols.push({ header: 'native vs tdq' }, { header: 'limit' }, { header: 'max |Δ|' });
  ansCols.push(...pathIds.map((id) => ({ header: `err ${label(id)}` })), { header: 'err limit f64/f32' });
  const ansRows = cases.map((c) => {
    const d = (x: number | undefined) => (x === undefined ? '-' : fmtDistance(c, x));
    const row = [c.label, c.measure === 'rms-tol' ? 'rms tol' : 'max abs'];
    if (hasPeer) {
      const v = c.vsPeer;
      row.push(v ? `${d(v.distance)}${v.source === 'recorded' ? ' (rec)' : ''}` : '-', d(v?.limit), sci(v?.maxAbs));
    }
    row.push(...pathIds.map((id) => d(c.paths[id]?.errVsExact)));
    const f64 = c.paths.native?.limit;
    const f32 = pathIds.map((id) => c.paths[id]).find((p) => p && p.label.endsWith('f32') && p.limit !== undefined)?.limit;
    row.push(`${d(f64)} / ${d(f32)}`);
    return row;
  });

  const failed = checks(cases).filter((x) => !x.ok);
  const replays = cases.filter((c) => c.liveVsRecorded !== undefined).map((c) => c.liveVsRecorded!);
  const replayLine =
    replays.length > 0
      ? [`The live torchdiffeq run reproduces its recorded answers to max |Δ| = ${sci(Math.max(...replays))} (${replays.length} cases).`]
      : [];
  return [
    `Neural ODE Studio benchmark: forward solves of f(t, y) = tanh(y W1ᵀ + b1) W2ᵀ + b2 (state 2), t ∈ [0, T]`,
    `${info.date} · ${info.machine} · ${info.load} · Node ${info.node}`,
    info.peer,
    ...info.notes.map((n) => `note: ${n}`),
    ...(info.busy ? [`warning: ${info.busy}`] : []),
    '',
    'Wall time per solve, median of the interleaved runs (ms); speedup = torchdiffeq / native (best/best: fastest runs)',
    formatTable(timeCols, timeRows),
    '',
    'Per evaluation of f (µs, medians of separate solves with f timed): time inside f, and the rest (the solver)',
    formatTable(splitCols, splitRows),
    '',
    'Evaluations of f (NFE); torchdiffeq f64 = the same solve in float64 (untimed). The target compares',
    'like precisions (f64 with f64): float32 rounding in an error estimate moves step counts by itself.',
    formatTable(nfeCols, nfeRows),
    '',
    'Answers y(T) against y* (float64 RK4, h = 1/128, Richardson-extrapolated). dopri5: weighted RMS in',
    'tolerance units (the solvers\' own norm); rk4: max abs. "(rec)": the peer answer recorded in reference_outputs.json.',
    formatTable(ansCols, ansRows),
    ...replayLine,
    '',
    failed.length === 0 ? 'All targets and answer checks pass.' : `Not met (${failed.length}):\n${failed.map((x) => `  - ${x.what}`).join('\n')}`,
  ].join('\n');
}
