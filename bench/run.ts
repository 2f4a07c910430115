/**
 * `npm run bench`: forward solves of the benchmark MLP on the engine's native float64 path, its
 * TensorFlow.js path (wasm, cpu) and torchdiffeq (found at ../shared/peers/torchdiffeq or
 * TORCHDIFFEQ_PATH), interleaved in one run (timings on shared machines drift by tens of percent
 * between runs), with every answer checked against an independent float64 reference.
 *
 * `--suite train` (or `all`, the default) adds training: one iteration (forward, MSE loss,
 * backward) at 256×64 with backprop, adjoint and adjoint + seminorm, its loss and gradients
 * checked, and torchdiffeq's ode_demo spiral fit over several seeds.
 *
 * `--suite models` (also in `all`) times the forms a model takes (a user's tensorField, a
 * tf.sequential on tfjs and compiled, mlpField) per size: forward, backprop and adjoint, beside
 * torchdiffeq on the same weights, with the loss and gradients checked against torchdiffeq's.
 *
 * `--suite gpu` (not in `all`) times the pendulum at a GPU's size (4096×512): compiled on every
 * core, on TensorFlow.js wasm, and on the webgpu backend with its solves on the device.
 *
 *   npm run bench [-- --json] [-- --quick] [-- --suite forward|train|models|gpu|all] [-- --sizes 16x32,256x64] [-- --paths native,torchdiffeq]
 *                 [-- --seeds 5] [-- --adjoint-seeds 3]
 */
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { fineReference, maxAbs, maxAbsDiff, distance, errorLimit, rk4Fixed, type Reference } from './accuracy';
import { caseLabel, casesFor, type BenchCase } from './cases';
import { mlpNativeJs } from './mlpNative';
import { nativePath, peerPath, tfjsPath, type PeerPath, type SolveResult, type SolverPath } from './paths';
import { generateProblem, loadPeerProblem, peerDataDir, referenceKey, type MlpProblem } from './problems';
import { Peer } from './peerProcess';
import { checks, formatReport } from './report';
import { runSpiralFits, type SpiralReport } from './spiralFit';
import { runTrainIterations, type TrainIterReport } from './trainIter';
import { loadTrainProblem } from './trainProblem';
import { runModels } from './modelsSuite';
import { formatModelsReport, modelsChecks } from './modelsReport';
import { formatGpuReport, gpuChecks, runGpu } from './gpuSuite';
import { formatTrainReport, trainChecks } from './trainReport';
import type { CaseResult, PathResult, RunInfo } from './results';
import { median } from './table';

const ALL_SIZES = ['16x32', '256x64', '1024x256'];
const ALL_PATHS = ['native', 'native-js', 'native-f32', 'wasm', 'cpu', 'torchdiffeq'];
const SUITES = ['forward', 'train', 'models', 'gpu', 'all'];
/** The gpu suite's default size: where a GPU begins to pay. */
const GPU_SIZES = ['4096x512'];
/** ode_demo's length of run in the benchmark. */
const SPIRAL_ITERATIONS = 300;
const SEED = 20261122;
/** Extra solves per path with f timed (not part of the timing medians). */
const PROFILE_ROUNDS = 3;

interface Options {
  json: boolean;
  suite: 'forward' | 'train' | 'models' | 'gpu' | 'all';
  /** Spiral fit: seeds for the engine and torchdiffeq's odeint, and how many of them its odeint_adjoint runs. */
  seeds: number;
  adjointSeeds: number;
  sizes: string[];
  paths: Set<string>;
  /** Seconds of timed solves per case (all paths together), and the bounds on rounds. */
  budget: number;
  minRounds: number;
  maxRounds: number;
}

/** --budget: seconds of timed rounds per case (the models suite: twice that per size). */
function budgetOf(value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const s = Number(value);
  if (!(s > 0)) throw new Error(`--budget: "${value}" is not a number of seconds > 0.`);
  return s;
}

function parseOptions(): Options {
  const { values } = parseArgs({
    options: {
      json: { type: 'boolean', default: false },
      quick: { type: 'boolean', default: false },
      budget: { type: 'string' },
      suite: { type: 'string', default: 'all' },
      seeds: { type: 'string' },
      'adjoint-seeds': { type: 'string' },
      sizes: { type: 'string' },
      paths: { type: 'string', default: ALL_PATHS.join(',') },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(
      'npm run bench -- [--json] [--quick] [--suite forward|train|models|gpu|all] [--sizes 16x32,256x64,1024x256]\n' +
        '                 [--paths native,native-js,native-f32,wasm,cpu,torchdiffeq] [--seeds 5] [--adjoint-seeds 3] [--budget 8]\n' +
        '--budget: seconds of timed rounds per case (default 8; 1 with --quick; the models suite spends twice that per size).\n' +
        '--suite: forward solves, training (one iteration at 256x64, the ode_demo spiral fit), models (each form of a\n' +
        '         model: forward, backprop, adjoint, per size), or all of them (default); gpu (not in all: the pendulum\n' +
        '         compiled, on wasm and on the webgpu backend, default size 4096x512; needs the webgpu package and an adapter).\n' +
        '--seeds: spiral-fit seeds for the engine and torchdiffeq; --adjoint-seeds: how many of them torchdiffeq\'s adjoint runs.\n' +
        'torchdiffeq runs from ../shared/peers/torchdiffeq beside the repository, or from the folder TORCHDIFFEQ_PATH names (see docs/benchmarks.md).\n',
    );
    process.exit(0);
  }
  const list = (s: string) => s.split(',').map((x) => x.trim()).filter(Boolean);
  const sizes = list(values.sizes ?? (values.suite === 'gpu' ? GPU_SIZES : ALL_SIZES).join(','));
  for (const s of sizes) {
    if (!/^\d+x\d+$/.test(s)) throw new Error(`--sizes: "${s}" is not batch x hidden like 256x64.`);
  }
  const paths = new Set(list(values.paths));
  for (const p of paths) {
    if (!ALL_PATHS.includes(p)) throw new Error(`--paths: unknown path "${p}"; choose from ${ALL_PATHS.join(', ')}.`);
  }
  if (!paths.has('native')) throw new Error('--paths must include native: every comparison is made against it.');
  if (!SUITES.includes(values.suite)) throw new Error(`--suite: unknown suite "${values.suite}"; choose from ${SUITES.join(', ')}.`);
  const count = (flag: string, v: string | undefined, fallback: number) => {
    if (v === undefined) return fallback;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new Error(`--${flag}: "${v}" is not a whole number of seeds.`);
    return n;
  };
  const seeds = count('seeds', values.seeds, values.quick ? 1 : 5);
  return {
    json: values.json,
    suite: values.suite as Options['suite'],
    seeds,
    adjointSeeds: Math.min(seeds, count('adjoint-seeds', values['adjoint-seeds'], values.quick ? 0 : 3)),
    sizes,
    paths,
    budget: budgetOf(values.budget, values.quick ? 1 : 8),
    minRounds: values.quick ? 3 : 5,
    maxRounds: values.quick ? 5 : 31,
  };
}

const progress = (line: string) => process.stderr.write(`${line}\n`);

function makeProblems(sizes: string[], notes: string[]): MlpProblem[] {
  return sizes.map((size) => {
    const [batch, hidden] = size.split('x').map(Number);
    if (size === '256x64') {
      const { problem, note } = loadPeerProblem(peerDataDir());
      notes.push(`256x64: ${note}`);
      if (problem && problem.batch === batch && problem.hidden === hidden) return problem;
    }
    // The seed depends on the size only, so a subset of sizes gets the same weights as a full run.
    return generateProblem(batch, hidden, SEED + 1000 * batch + hidden);
  });
}

/**
 * One case: a first solve per path for the answers (and warm-up), interleaved timed rounds,
 * then a few solves with f timed to split each evaluation's cost between f and the solver.
 */
async function runCase(c: BenchCase, paths: SolverPath[], opts: Options): Promise<{ result: CaseResult; answers: Map<string, SolveResult> }> {
  const result: CaseResult = {
    label: caseLabel(c),
    size: c.problem.name,
    method: c.method,
    rtol: c.rtol,
    atol: c.atol,
    stepSize: c.stepSize,
    T: c.T,
    rounds: 0,
    paths: {},
    measure: c.method === 'rk4' ? 'max-abs' : 'rms-tol',
    exactError: NaN,
  };
  const answers = new Map<string, SolveResult>();
  let live: SolverPath[] = [];
  for (const p of paths) {
    const entry: PathResult = { id: p.id, label: p.label, seconds: [] };
    result.paths[p.id] = entry;
    try {
      const first = await p.solve(c, { wantY: true });
      answers.set(p.id, first);
      Object.assign(entry, { nfe: first.nfe, steps: first.steps, accepted: first.accepted, leakedTensors: first.leakedTensors });
      live.push(p);
    } catch (err) {
      entry.error = (err as Error).message.split('\n')[0];
    }
  }
  // Rounds until the budget is spent (at least minRounds): a slow first solve does not cut them short.
  const t0 = performance.now();
  let rounds = 0;
  for (let r = 0; live.length > 0 && r < opts.maxRounds && (r < opts.minRounds || performance.now() - t0 < opts.budget * 1000); r++) {
    rounds = r + 1;
    // Rotate who goes first, so no path always runs right after the same neighbour.
    const order = live.map((_, i) => live[(i + r) % live.length]);
    for (const p of order) {
      const entry = result.paths[p.id];
      try {
        const res = await p.solve(c);
        entry.seconds.push(res.seconds);
        if (res.nfe !== entry.nfe) entry.error = `NFE changed between identical solves (${entry.nfe}, then ${res.nfe})`;
        if (res.leakedTensors) entry.leakedTensors = res.leakedTensors;
      } catch (err) {
        entry.error = (err as Error).message.split('\n')[0];
        live = live.filter((x) => x !== p);
      }
    }
  }
  result.rounds = rounds;
  for (const entry of Object.values(result.paths)) {
    if (entry.seconds.length === 0) continue;
    entry.median = median(entry.seconds);
    entry.min = Math.min(...entry.seconds);
  }

  // Where the time goes: a few more solves with f timed, split per evaluation into f and the rest.
  const split = new Map<string, { f: number[]; rest: number[] }>(live.map((p) => [p.id, { f: [], rest: [] }]));
  for (let r = 0; r < Math.min(rounds, PROFILE_ROUNDS); r++) {
    for (const p of live) {
      try {
        const res = await p.solve(c, { profile: true });
        if (res.fSeconds === undefined) continue;
        split.get(p.id)!.f.push(res.fSeconds / res.nfe);
        split.get(p.id)!.rest.push((res.seconds - res.fSeconds) / res.nfe);
      } catch {
        // A failure here was already reported by the timed rounds.
      }
    }
  }
  for (const [id, s] of split) {
    if (s.f.length === 0) continue;
    result.paths[id].fPerEval = median(s.f);
    result.paths[id].restPerEval = median(s.rest);
  }
  return { result, answers };
}

/** Errors against y* for every path, and the native answer against the peer's. */
function checkAnswers(c: BenchCase, result: CaseResult, answers: Map<string, SolveResult>, paths: SolverPath[], ref: Reference): void {
  const f = mlpNativeJs(c.problem);
  const yScale = maxAbs(ref.y);
  let textbookError = 0;
  if (c.method === 'rk4') {
    const steps = Math.round(c.T / c.stepSize!);
    for (const rule of ['classic', '3/8'] as const) {
      textbookError = Math.max(textbookError, maxAbsDiff(rk4Fixed(f, c.problem.y0, c.T, steps, rule), ref.y));
    }
  }
  result.exactError = ref.error;
  const tol = { rtol: c.rtol, atol: c.atol, yStar: ref.y };
  const limitOf = (p: SolverPath, a: SolveResult) =>
    errorLimit(result.measure, { steps: a.accepted, float32: p.float32, rtol: c.rtol, textbookError, yScale });
  for (const p of paths) {
    const a = answers.get(p.id);
    const entry = result.paths[p.id];
    if (!a?.y || !entry) continue;
    entry.errVsExact = distance(result.measure, a.y, ref.y, tol);
    entry.maxAbsErrVsExact = maxAbsDiff(a.y, ref.y);
    entry.limit = limitOf(p, a);
  }
  const native = answers.get('native');
  const peer = answers.get('torchdiffeq');
  const peerP = paths.find((p) => p.id === 'torchdiffeq');
  if (!native?.y || !peer || !peerP) return;
  const recorded = c.problem.reference.get(referenceKey(c.method, c.T, c.rtol, c.atol, c.stepSize));
  const peerY = recorded ?? peer.y;
  if (!peerY) return;
  if (recorded && peer.y) result.liveVsRecorded = maxAbsDiff(recorded, peer.y);
  const nativeP = paths.find((p) => p.id === 'native')!;
  result.vsPeer = {
    source: recorded ? 'recorded' : 'live',
    maxAbs: maxAbsDiff(native.y, peerY),
    distance: distance(result.measure, native.y, peerY, tol),
    limit: limitOf(nativeP, native) + limitOf(peerP, peer),
  };
}

/** The forward-solve suite: its report as text, and as data for --json. */
async function forwardSuite(opts: Options): Promise<{ text: string; json: object }> {
  const notes: string[] = [];
  const problems = makeProblems(opts.sizes, notes);

  const paths: SolverPath[] = [nativePath('native')];
  for (const kind of ['native-js', 'native-f32'] as const) if (opts.paths.has(kind)) paths.push(nativePath(kind));
  for (const backend of ['wasm', 'cpu'] as const) {
    if (!opts.paths.has(backend)) continue;
    const made = await tfjsPath(backend);
    if ('path' in made) paths.push(made.path);
    else notes.push(made.skipped);
  }
  let peer: PeerPath | null = null;
  if (opts.paths.has('torchdiffeq')) {
    const made = await peerPath();
    if ('path' in made) {
      peer = made.path;
      paths.push(peer);
    } else notes.push(made.skipped);
  }
  for (const n of notes) progress(n);

  const loadAtStart = loadavg()[0];
  const info: RunInfo = {
    date: new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC',
    machine: `${cpus().length} cores (${cpus()[0]?.model.trim() ?? 'unknown CPU'}), no GPU used`,
    load: '',
    node: process.version,
    peer: peer
      ? `torchdiffeq ${peer.peer.info.torchdiffeq} on PyTorch ${peer.peer.info.torch}, ${peer.peer.info.threads} threads, no_grad (${peer.peer.path})`
      : 'torchdiffeq not run',
    notes,
  };

  const results: CaseResult[] = [];
  const refs = new Map<string, Reference>();
  const started = performance.now();
  try {
    for (const problem of problems) {
      for (const p of paths) await p.prepare(problem);
      for (const c of casesFor(problem)) {
        const { result, answers } = await runCase(c, paths, opts);
        if (peer && answers.has('torchdiffeq') && c.method === 'dopri5') result.peerNfeFloat64 = await peer.nfeFloat64(c);
        const key = `${problem.name}|${c.T}`;
        if (!refs.has(key)) refs.set(key, fineReference(mlpNativeJs(problem), problem.y0, c.T));
        checkAnswers(c, result, answers, paths, refs.get(key)!);
        results.push(result);
        progress(`${result.label}: ${result.rounds} rounds, ${((performance.now() - started) / 1000).toFixed(0)} s so far`);
      }
    }
  } finally {
    for (const p of paths) await p.close();
  }
  // Other processes on the machine skew timings (torch's OpenMP threads suffer most): say how busy it was.
  const loadAtEnd = loadavg()[0];
  info.load = `load average ${loadAtStart.toFixed(1)} at start, ${loadAtEnd.toFixed(1)} at end, ${((performance.now() - started) / 1000).toFixed(0)} s`;
  // The load at the start is others' work; at the end it includes this run's (about 2: torchdiffeq's threads).
  const others = Math.max(loadAtStart, loadAtEnd - 2);
  if (others > cpus().length / 2) {
    info.busy =
      `other processes kept the machine busy (load average up to ${Math.max(loadAtStart, loadAtEnd).toFixed(1)} on ${cpus().length} cores): ` +
      'timings, torchdiffeq\'s above all (its threads wait on each other), are unreliable; rerun on a quiet machine.';
  }

  return { text: formatReport(results, info), json: { info, cases: results, checks: checks(results) } };
}

/** torchdiffeq when it is wanted and can run, its line (or why not) added to `notes`. */
async function startPeer(opts: Options, notes: string[]): Promise<Peer | null> {
  if (!opts.paths.has('torchdiffeq')) return null;
  const started = await Peer.start();
  if ('skipped' in started) {
    notes.push(started.skipped);
    return null;
  }
  const { peer } = started;
  notes.push(`torchdiffeq ${peer.info.torchdiffeq} on PyTorch ${peer.info.torch}, ${peer.info.threads} threads, float32 (${peer.path})`);
  return peer;
}

/**
 * The machine's line closing a suite's notes (date, cores, load, duration), after a warning when
 * others kept it busy: the load at the start is others' work, at the end it includes this run's
 * (about 2).
 */
function machineNotes(notes: string[], loadAtStart: number, t0: number, advice: string): void {
  const loadAtEnd = loadavg()[0];
  if (Math.max(loadAtStart, loadAtEnd - 2) > cpus().length / 2) {
    notes.push(
      `warning: other processes kept the machine busy (load average up to ${Math.max(loadAtStart, loadAtEnd).toFixed(1)} on ${cpus().length} cores): ` +
        `timings, torchdiffeq's above all (its threads wait on each other), are unreliable; ${advice}.`,
    );
  }
  notes.push(
    `${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC · ${cpus().length} cores (${cpus()[0]?.model.trim() ?? 'unknown CPU'}) · ` +
      `load average ${loadAtStart.toFixed(1)} at start, ${loadAtEnd.toFixed(1)} at end, ${((performance.now() - t0) / 1000).toFixed(0)} s · Node ${process.version}`,
  );
}

/** The training suite: one iteration at 256×64 (three gradient methods, two end times) and the spiral fit. */
async function trainSuite(opts: Options): Promise<{ text: string; json: object }> {
  const notes: string[] = [];
  const { problem, note } = loadTrainProblem(peerDataDir(), SEED + 256_000 + 64);
  notes.push(note);
  const peer = await startPeer(opts, notes);
  for (const n of notes) progress(n);
  const loadAtStart = loadavg()[0];
  const t0 = performance.now();
  let iter: TrainIterReport;
  try {
    iter = await runTrainIterations(problem, peer, {
      budget: opts.budget / 2,
      minRounds: opts.minRounds,
      maxRounds: opts.maxRounds,
      progress,
    });
  } finally {
    await peer?.close();
  }
  const spiral: SpiralReport = await runSpiralFits({
    seeds: Array.from({ length: opts.seeds }, (_, i) => i),
    adjointSeeds: opts.adjointSeeds,
    iterations: SPIRAL_ITERATIONS,
    peerPath: peer?.path ?? null,
    progress,
  });
  machineNotes(notes, loadAtStart, t0, 'compare best/best too, or rerun on a quiet machine');
  return {
    text: formatTrainReport(iter, spiral, notes),
    json: { notes, iteration: iter, spiral, checks: trainChecks(iter, spiral) },
  };
}

/** The models suite: each form of a model per size, beside torchdiffeq on the same weights. */
async function modelsSuite(opts: Options): Promise<{ text: string; json: object }> {
  const notes: string[] = [];
  const peer = await startPeer(opts, notes);
  for (const n of notes) progress(n);
  const loadAtStart = loadavg()[0];
  const t0 = performance.now();
  let run: Awaited<ReturnType<typeof runModels>>;
  try {
    // A size's rounds run every model three times (forward, backprop, adjoint): twice the forward suite's budget.
    run = await runModels({ sizes: opts.sizes, budget: 2 * opts.budget, minRounds: opts.minRounds, maxRounds: opts.maxRounds, seed: SEED, peer, progress });
  } finally {
    await peer?.close();
  }
  notes.push(...run.notes, `tfjs backend ${run.backend} for the tensorField and tf.sequential`);
  machineNotes(notes, loadAtStart, t0, 'rerun on a quiet machine');
  return { text: formatModelsReport(run.sizes, notes), json: { notes, backend: run.backend, sizes: run.sizes, checks: modelsChecks(run.sizes) } };
}

/** The gpu suite: the pendulum compiled on every core, on wasm, and on the webgpu backend. */
async function gpuSuite(opts: Options): Promise<{ text: string; json: object }> {
  const notes: string[] = [];
  const loadAtStart = loadavg()[0];
  const t0 = performance.now();
  const run = await runGpu({ sizes: opts.sizes, budget: 2 * opts.budget, minRounds: opts.minRounds, seed: SEED, progress });
  notes.push(...run.notes);
  machineNotes(notes, loadAtStart, t0, 'rerun on a quiet machine');
  return { text: formatGpuReport(run.sizes, run.adapter, notes), json: { notes, adapter: run.adapter, sizes: run.sizes, checks: gpuChecks(run.sizes) } };
}

async function main(): Promise<void> {
  const opts = parseOptions();
  const wants = (suite: Options['suite']) => opts.suite === suite || opts.suite === 'all';
  const forward = wants('forward') ? await forwardSuite(opts) : null;
  const train = wants('train') ? await trainSuite(opts) : null;
  const models = wants('models') ? await modelsSuite(opts) : null;
  const gpu = opts.suite === 'gpu' ? await gpuSuite(opts) : null;
  if (opts.json) {
    // The forward suite's fields stay at the top level, as before; the others go under their names.
    const json = { ...(forward?.json ?? {}), ...(train ? { train: train.json } : {}), ...(models ? { models: models.json } : {}), ...(gpu ? { gpu: gpu.json } : {}) };
    process.stdout.write(JSON.stringify(json, null, 2) + '\n');
  } else {
    process.stdout.write([forward?.text, train?.text, models?.text, gpu?.text].filter(Boolean).join('\n\n') + '\n');
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
