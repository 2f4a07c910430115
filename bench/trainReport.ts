/** The training suite's tables (one iteration at 256×64, the ode_demo spiral fit) and its checks. */
import { stepsFromNfe } from './cases';
import type { TargetCheck } from './report';
import type { SpiralReport, SpiralRun, SpiralWho } from './spiralFit';
import { formatTable, median, ms, ratio, sci, type Column } from './table';
import type { ErrorRow, TrainCaseResult, TrainIterReport, TrainSideId } from './trainIter';
import { GRAD_NAMES } from './trainProblem';

const ITER_TARGET = 2;
const SPIRAL_TARGET = 3;
const QUANTITIES = ['loss', ...GRAD_NAMES] as const;

const iterSpeedup = (c: TrainCaseResult, best = false, id: TrainSideId = 'engine'): number | undefined => {
  const e = best ? c.paths[id]?.min : c.paths[id]?.median;
  const p = best ? c.paths.torchdiffeq?.min : c.paths.torchdiffeq?.median;
  return e !== undefined && p !== undefined ? p / e : undefined;
};

/** Engine vs torchdiffeq, per quantity: the recorded answer where there is one, else the live one. */
function vsPeer(c: TrainCaseResult): ErrorRow {
  return { ...c.vsLive, ...c.vsRecorded };
}

function vsPeer32(c: TrainCaseResult): ErrorRow {
  return { ...c.f32?.vsLive, ...c.f32?.vsRecorded };
}

/**
 * The speed target is checked on the float32 engine where it ran (torchdiffeq trains in
 * float32: the like-for-like comparison), else on the float64 one; answers are checked for both.
 */
export function trainChecks(iter: TrainIterReport | null, spiral: SpiralReport | null): TargetCheck[] {
  const out: TargetCheck[] = [];
  for (const c of iter?.cases ?? []) {
    const ran32 = c.paths['engine-f32']?.median !== undefined;
    const s = iterSpeedup(c, false, ran32 ? 'engine-f32' : 'engine');
    const who = ran32 ? 'engine (float32)' : 'engine';
    if (s !== undefined) out.push({ what: `${c.label}: ${who} ${s.toFixed(2)}x torchdiffeq's speed per iteration (target ≥ ${ITER_TARGET}x)`, ok: s >= ITER_TARGET });
    for (const [id, p] of Object.entries(c.paths)) if (p?.error) out.push({ what: `${c.label}: ${id} failed: ${p.error}`, ok: false });
    const rows: [string, ErrorRow | undefined][] = [
      ['engine vs torchdiffeq', vsPeer(c)],
      ['engine vs exact', c.engineVsExact],
      ['engine f32 vs torchdiffeq', vsPeer32(c)],
      ['engine f32 vs exact', c.f32?.vsExact],
      ['engine f32 vs engine f64', c.f32?.vsF64],
    ];
    for (const [what, row] of rows) {
      for (const q of QUANTITIES) {
        const v = row?.[q];
        if (v !== undefined) out.push({ what: `${c.label}: ${q} ${what} ${sci(v)} ≤ ${sci(c.limit)}`, ok: v <= c.limit });
      }
    }
  }
  if (spiral) {
    const eng = stats(spiral.runs, 'engine');
    const tdq = stats(spiral.runs, 'torchdiffeq');
    for (const r of spiral.runs) if (r.error) out.push({ what: `spiral ${r.who} seed ${r.seed} failed: ${r.error}`, ok: false });
    if (eng && tdq) {
      const s = tdq.seconds / eng.seconds;
      out.push({ what: `spiral fit: engine ${s.toFixed(2)}x torchdiffeq's speed (median total time; target ≥ ${SPIRAL_TARGET}x)`, ok: s >= SPIRAL_TARGET });
      out.push({
        what: `spiral fit: engine's final loss (median ${eng.loss.toFixed(3)} over ${eng.n} seeds) ≤ torchdiffeq's (median ${tdq.loss.toFixed(3)} over ${tdq.n})`,
        ok: eng.loss <= tdq.loss,
      });
    }
  }
  return out;
}

/** Medians (and ranges) over the seeds of one side's successful runs. */
function stats(runs: readonly SpiralRun[], who: SpiralWho) {
  const ok = runs.filter((r) => r.who === who && r.seconds !== undefined && r.finalLoss !== undefined);
  if (ok.length === 0) return null;
  const secs = ok.map((r) => r.seconds!);
  const losses = ok.map((r) => r.finalLoss!);
  return {
    n: ok.length,
    seconds: median(secs),
    secondsMin: Math.min(...secs),
    secondsMax: Math.max(...secs),
    loss: median(losses),
    lossMin: Math.min(...losses),
    lossMax: Math.max(...losses),
    nfeForward: median(ok.map((r) => r.nfeForward ?? NaN)),
    nfeBackward: median(ok.map((r) => r.nfeBackward ?? NaN)),
  };
}

function formatIter(iter: TrainIterReport): string[] {
  const left: Column = { header: 'case', align: 'left' };
  const pair = (a: number | undefined, b: number | undefined) => `${a ?? '-'} / ${b ?? '-'}`;
  const timeCols: Column[] = [
    left,
    { header: 'runs' },
    { header: 'engine f64 ms' },
    { header: 'engine f32 ms' },
    { header: 'torchdiffeq f32 ms' },
    { header: 'f64 speedup' },
    { header: 'best/best' },
    { header: 'f32 speedup' },
    { header: 'target' },
    { header: 'best/best' },
    { header: 'NFE fwd eng/tdq' },
    { header: 'bwd evals eng/tdq' },
    { header: 'bwd steps eng/tdq' },
  ];
  const timeRows = iter.cases.map((c) => {
    const e = c.paths.engine;
    const e32 = c.paths['engine-f32'];
    const p = c.paths.torchdiffeq;
    const s = iterSpeedup(c);
    const s32 = iterSpeedup(c, false, 'engine-f32');
    // the target applies to the float32 engine where it ran (see trainChecks)
    const checked = e32?.median !== undefined ? s32 : s;
    const peerBwd = c.gradient === 'backprop' ? 'autograd' : p?.nfeBackward;
    const peerSteps = c.gradient === 'backprop' || p?.nfeBackward === undefined ? undefined : stepsFromNfe('dopri5', p.nfeBackward);
    return [
      c.label,
      String(c.rounds),
      e?.error ? 'error' : ms(e?.median),
      e32?.error ? 'error' : ms(e32?.median),
      p?.error ? 'error' : ms(p?.median),
      ratio(s),
      ratio(iterSpeedup(c, true)),
      ratio(s32),
      checked === undefined ? '' : checked >= ITER_TARGET ? 'ok (≥2x)' : 'MISS (<2x)',
      ratio(iterSpeedup(c, true, 'engine-f32')),
      pair(e?.nfeForward, p?.nfeForward),
      `${e?.nfeBackward ?? '-'} / ${peerBwd ?? '-'}`,
      c.gradient === 'backprop' ? '-' : pair(e?.backwardSteps, peerSteps),
    ];
  });
  // NFE of the float32 engine, where they differ from the float64 one's (steps chosen on rounding noise)
  const nfeNotes = iter.cases.flatMap((c) => {
    const e = c.paths.engine;
    const e32 = c.paths['engine-f32'];
    if (!e || !e32 || (e.nfeForward === e32.nfeForward && e.nfeBackward === e32.nfeBackward)) return [];
    return [`${c.label}: engine f32 NFE fwd ${e32.nfeForward ?? '-'}, bwd evals ${e32.nfeBackward ?? '-'} (f64: ${e.nfeForward ?? '-'}, ${e.nfeBackward ?? '-'})`];
  });
  const errCols: Column[] = [left, ...QUANTITIES.map((q) => ({ header: q === 'loss' ? 'loss' : `dL/d${q}` })), { header: 'limit' }];
  const cells = (row: ErrorRow | undefined) => QUANTITIES.map((q) => sci(row?.[q]));
  const has32 = iter.cases.some((c) => c.f32);
  const peerRows = iter.cases.flatMap((c) => [
    [c.label, ...cells(vsPeer(c)), sci(c.limit)],
    ...(c.f32 ? [[`${c.label} f32`, ...cells(vsPeer32(c)), sci(c.limit)]] : []),
  ]);
  const exactRows = iter.cases.flatMap((c) => [
    [c.label, ...QUANTITIES.map((q) => `${sci(c.engineVsExact?.[q])} / ${sci(c.peerVsExact?.[q])}`), sci(c.limit)],
    ...(c.f32 ? [[`${c.label} f32`, ...QUANTITIES.map((q) => `${sci(c.f32?.vsExact?.[q])} / ${sci(c.peerVsExact?.[q])}`), sci(c.limit)]] : []),
  ]);
  const f32Rows = iter.cases.filter((c) => c.f32?.vsF64).map((c) => [c.label, ...cells(c.f32?.vsF64), sci(c.limit)]);
  const replays = iter.cases.map((c) => c.liveVsRecorded).filter((x): x is number => x !== undefined);
  const kv = (r: Record<string, number>) => Object.entries(r).map(([k, v]) => `${k} ${sci(v)}`).join(', ');
  return [
    'One training iteration: forward solve, MSE loss against the target, backward (dL/dy0 and dL/dθ), batch 256, hidden 64,',
    'dopri5 rtol 1e-5 atol 1e-6, torchdiffeq\'s own weights and inputs. ms per iteration, medians of interleaved runs;',
    'bwd evals: engine = vjp evaluations (backprop) or augmented evaluations, one f and one vjp each (adjoint);',
    'torchdiffeq = calls of f inside backward() (the adjoint\'s augmented evaluations; backprop replays its autograd graph).',
    'engine f32: mlpField with precision \'float32\' (float32 arithmetic in the kernels, float64 states and solver).',
    formatTable(timeCols, timeRows),
    ...nfeNotes,
    '',
    'Loss and gradients, engine (float64; "f32" rows: the float32 engine) vs torchdiffeq (float32): relative error ‖Δ‖/‖ref‖;',
    'loss and dL/dW, dL/db against the recorded answers, dL/dy0 against the live run (not recorded).',
    formatTable(errCols, peerRows),
    '',
    'Against the exact gradient (float64, dopri5 rtol 1e-10 atol 1e-12, discrete adjoint): engine / torchdiffeq',
    formatTable(errCols, exactRows),
    ...(has32 ? ['', 'The float32 engine against the float64 engine (same method, same tolerances):', formatTable(errCols, f32Rows)] : []),
    `Exact gradient's own check (continuous adjoint at the same tolerance vs discrete): ${kv(iter.exactSelfCheck)}.`,
    `torchdiffeq's own three methods disagree by up to: ${kv(iter.peerSpread)}; limit rule: ${iter.limitRule}.`,
    ...(replays.length > 0 ? [`The live torchdiffeq iteration reproduces its recorded loss and gradients to ${sci(Math.max(...replays))} (relative).`] : []),
  ];
}

function formatSpiral(spiral: SpiralReport): string[] {
  const names: Record<SpiralWho, string> = {
    engine: 'engine (spiral.ode.ts, backprop)',
    torchdiffeq: 'torchdiffeq odeint',
    'torchdiffeq-adjoint': 'torchdiffeq odeint_adjoint',
  };
  const eng = stats(spiral.runs, 'engine');
  const cols: Column[] = [
    { header: 'who', align: 'left' },
    { header: 'seeds' },
    { header: 'total s (median)' },
    { header: 'min–max s' },
    { header: 'ms/iteration' },
    { header: 'final loss (median)' },
    { header: 'min–max' },
    { header: 'NFE fwd/bwd per it' },
    { header: 'engine speedup' },
  ];
  const rows = (['engine', 'torchdiffeq', 'torchdiffeq-adjoint'] as const).flatMap((who) => {
    const s = stats(spiral.runs, who);
    if (!s) return [];
    return [[
      names[who],
      String(s.n),
      s.seconds.toFixed(2),
      `${s.secondsMin.toFixed(2)}–${s.secondsMax.toFixed(2)}`,
      ((s.seconds / spiral.iterations) * 1000).toFixed(1),
      s.loss.toFixed(3),
      `${s.lossMin.toFixed(3)}–${s.lossMax.toFixed(3)}`,
      `${s.nfeForward.toFixed(1)} / ${s.nfeBackward.toFixed(1)}`,
      eng && who !== 'engine' ? ratio(s.seconds / eng.seconds) : '',
    ]];
  });
  const seeds = [...new Set(spiral.runs.map((r) => r.seed))];
  const whos = (['engine', 'torchdiffeq', 'torchdiffeq-adjoint'] as const).filter((w) => spiral.runs.some((r) => r.who === w));
  const seedCols: Column[] = [{ header: 'seed' }, ...whos.flatMap((w) => [{ header: `${w} s` }, { header: 'final loss' }])];
  const seedRows = seeds.map((seed) => [
    String(seed),
    ...whos.flatMap((w) => {
      const r = spiral.runs.find((x) => x.who === w && x.seed === seed);
      if (!r) return ['', ''];
      if (r.error) return ['error', ''];
      return [r.seconds!.toFixed(2), r.finalLoss!.toFixed(3)];
    }),
  ]);
  return [
    `torchdiffeq's ode_demo spiral fit, ${spiral.iterations} iterations (batch 20, batchTime 10, MLP 2-50-2 on y³, dopri5 rtol 1e-7`,
    'atol 1e-9, RMSprop lr 1e-3, L1 loss); final loss = mean |pred − true| over the whole 1000-point trajectory. Total time:',
    'data generation, model set-up and the loop with its evaluation every 20 iterations (the engine also writes its run folder).',
    formatTable(cols, rows),
    '',
    'Per seed (the two sides draw their batches and initial weights from different generators: a seed is not the same run on both)',
    formatTable(seedCols, seedRows),
  ];
}

export function formatTrainReport(iter: TrainIterReport | null, spiral: SpiralReport | null, notes: readonly string[]): string {
  const failed = trainChecks(iter, spiral).filter((x) => !x.ok);
  return [
    'Neural ODE Studio benchmark: training, side by side with torchdiffeq',
    ...notes.map((n) => `note: ${n}`),
    '',
    ...(iter ? [...formatIter(iter), ''] : []),
    ...(spiral ? [...formatSpiral(spiral), ''] : []),
    failed.length === 0 ? 'All training targets and answer checks pass.' : `Not met (${failed.length}):\n${failed.map((x) => `  - ${x.what}`).join('\n')}`,
  ].join('\n');
}
