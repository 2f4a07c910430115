import { parseArgs } from 'node:util';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { DEFAULT_LOAD_TIMEOUT_SECONDS } from '../experiments/loadMessages';
import { JobStoppedError } from '../experiments/workerJob';
import { SolverError } from '../solvers/errors';
import { exportInWorker, isCommandJob, serveCommandJob, solveInWorker } from './commandWorker';
import type { SolveOutput } from './solveCommand';
import { modeq } from './modeqCommand';
import { exportTorchCommand } from './exportTorchCommand';
import { trainCommand } from './trainCommand';
import type { RunLabel } from '../experiments/trainer';
import { EVAL_LOSS_NAME } from '../experiments/task';

const USAGE = `usage: neural-ode <command> [options]

commands:
  solve <module>   solve the problem a module default-exports as { f, y0, t }
      --method M       solver name (default: the module's, else dopri5)
      --rtol R         relative tolerance
      --atol A         absolute tolerance
      --step-size H    grid spacing for fixed-grid methods
      --load-timeout S give up loading the file after S seconds (default 60; 0: no limit)
      --json           print the states and statistics as JSON
  train <experiment>  train an experiment file (default export: defineExperiment({...}))
      --iterations N   train to iteration N (default: the experiment's)
      --out DIR        runs folder (default: ./.neural-ode/runs)
      --resume ID      continue run ID from its last checkpoint
      --take-over      with --resume: take the run from a lock whose process this machine
                       cannot check (another machine's; an old lock), once it no longer runs
      --allow-changes  resume although the experiment changed (recorded in the run)
      --name NAME      the new run's own name (config.json)
      --tag TAG        a tag for the new run (repeatable)
      --note TEXT      a note on the new run
      --load-timeout S give up loading the file after S seconds (default 60; 0: no limit)
      --json           progress and result as JSON lines
  export <experiment> --run ID   a run's weights as safetensors (PyTorch nn.Sequential names)
      --out FILE       where to write (default: model.safetensors in the run's folder)
      --runs DIR       runs folder (default: ./.neural-ode/runs)
      --f64            float64 values (default float32, PyTorch's default)
      --allow-changes  export although the model differs from the run's record (the weights must fit)
      --load-timeout S give up loading the file after S seconds (default 60; 0: no limit)
  export-torch <experiment>   the experiment as a PyTorch + torchdiffeq folder: model.py,
                   train.py (DistributedDataParallel with torchrun), weights and data (docs/pytorch.md)
      --out DIR        the folder to write (default: ./<experiment name>-torch)
      --run ID         start from run ID's checkpoint (ID@best: its best) instead of the initial weights
      --runs DIR       runs folder (default: ./.neural-ode/runs)
  modeq --scheme S   the modified equation of a scheme (euler, midpoint, heun, rk4, ab2, lm, …)
      --k K            lm's coefficient (default: symbolic in k)
      --order N        derive up to O(Δt^N) (default 2)
      --latex | --json LaTeX-like markup, or every coefficient as JSON
  help             show this text

exit status:
  0    done (train: the run finished)
  1    an error, or a training run that failed (diverged, or the solver failed)
  2    no command given
  130  train stopped by Ctrl-C: the run is kept and --resume continues it
       (the first Ctrl-C stops after the current iteration; a second one quits at once);
       any command stopped by Ctrl-C while it loads its file (at once, nothing kept)

A file is loaded in a worker thread: one whose top level never returns (a while (true))
is stopped after --load-timeout seconds, or by Ctrl-C.
`;

function num(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const x = Number(v);
  if (!Number.isFinite(x)) throw new SolverError('input', `--${name} ${v}: expected a number.`);
  return x;
}

/** --load-timeout in ms: the default when not given; 0 is no limit. */
function loadTimeoutMs(v: string | undefined): number {
  if (v === undefined) return DEFAULT_LOAD_TIMEOUT_SECONDS * 1000;
  const x = Number(v);
  if (v.trim() === '' || !Number.isFinite(x) || x < 0) throw new SolverError('input', `--load-timeout ${v}: expected a number of seconds ≥ 0 (0: no limit).`);
  return x * 1000;
}

/**
 * Runs a command in its worker with Ctrl-C stopping it at once (its worker terminated): a
 * JobStoppedError, exit 130. A second Ctrl-C quits whatever happens.
 */
async function interruptible<T>(run: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const stop = new AbortController();
  const onSigint = (): void => {
    if (stop.signal.aborted) process.exit(130);
    stop.abort();
  };
  process.on('SIGINT', onSigint);
  try {
    return await run(stop.signal);
  } finally {
    process.off('SIGINT', onSigint);
  }
}

function printTable(out: SolveOutput): void {
  const lines = out.t.map((t, i) => `${t.toPrecision(6).padStart(14)}  ${out.ys[i].map((v) => v.toPrecision(8).padStart(16)).join('')}`);
  const s = out.stats as { nfe: number; nAccepted: number; nRejected: number };
  process.stdout.write(
    `${'t'.padStart(14)}  y\n${lines.join('\n')}\n\n${out.method}: ${s.nfe} evaluations of f, ` +
      `${s.nAccepted} accepted and ${s.nRejected} rejected steps\n`,
  );
}

/** --name, --tag and --note, trimmed; undefined when none is given. */
function runLabel(v: { name?: string; tag?: string[]; note?: string }): RunLabel | undefined {
  const text = (s: string | undefined): string | undefined => (s?.trim() ? s.trim() : undefined);
  const tags = [...new Set((v.tag ?? []).map((t) => t.trim()).filter((t) => t !== ''))];
  const label: RunLabel = { name: text(v.name), tags: tags.length > 0 ? tags : undefined, note: text(v.note) };
  return label.name || label.tags || label.note ? label : undefined;
}

async function train(rest: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      iterations: { type: 'string' },
      out: { type: 'string' },
      resume: { type: 'string' },
      'take-over': { type: 'boolean', default: false },
      'allow-changes': { type: 'boolean', default: false },
      name: { type: 'string' },
      tag: { type: 'string', multiple: true },
      note: { type: 'string' },
      'load-timeout': { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  if (positionals.length !== 1) throw new SolverError('input', 'train takes exactly one experiment file: neural-ode train spiral.ode.ts');
  const loadTimeout = loadTimeoutMs(values['load-timeout']);
  const label = runLabel(values);
  if (label && values.resume) throw new SolverError('input', '--name, --tag and --note label a new run; a resumed run keeps its own.');
  if (values['take-over'] && !values.resume) throw new SolverError('input', '--take-over goes with --resume ID: it takes over the run ID whose lock this machine cannot check.');
  const iterations = num('iterations', values.iterations);
  if (iterations !== undefined && !(Number.isInteger(iterations) && iterations >= 1)) {
    throw new SolverError('input', `--iterations ${values.iterations}: expected a whole number ≥ 1.`);
  }
  if (values['allow-changes'] && !values.resume) throw new SolverError('input', '--allow-changes goes with --resume: a new run has nothing to change.');
  const out = await trainCommand({
    experiment: positionals[0], iterations, out: values.out, resume: values.resume, takeOver: values['take-over'] === true, allowChanges: values['allow-changes'] === true, label, loadTimeoutMs: loadTimeout, json: values.json === true,
  });
  if (values.json) process.stdout.write(JSON.stringify({ result: out }) + '\n');
  else {
    const what = EVAL_LOSS_NAME[out.task];
    const acc = typeof out.evalAccuracy === 'number' ? `, accuracy ${(100 * out.evalAccuracy).toFixed(1)}%` : '';
    const loss = out.evalLoss !== null ? `, ${what} ${out.evalLoss.toPrecision(4)}${acc}` : '';
    process.stderr.write(`${out.status}: ${out.iteration} iterations${loss}; run ${out.runId} in ${out.runDir}\n`);
    if (out.message) process.stderr.write(`${out.message}\n`);
  }
  // Stopped by Ctrl-C: 130, the shell's code for an interrupted command, so `train … && export …` does not go on.
  return out.status === 'failed' ? 1 : out.status === 'cancelled' ? 130 : 0;
}

async function exportWeightsOf(rest: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      run: { type: 'string' }, out: { type: 'string' }, runs: { type: 'string' }, f64: { type: 'boolean', default: false }, 'allow-changes': { type: 'boolean', default: false },
      'load-timeout': { type: 'string' },
    },
  });
  if (positionals.length !== 1 || !values.run) {
    throw new SolverError('input', 'export takes the experiment file and a run id: neural-ode export spiral.ode.ts --run <id>');
  }
  const loadTimeout = loadTimeoutMs(values['load-timeout']);
  const args = {
    experiment: positionals[0], run: values.run, out: values.out, runsRoot: values.runs, dtype: values.f64 ? ('F64' as const) : ('F32' as const), allowChanges: values['allow-changes'] === true,
  };
  const r = await interruptible((signal) => exportInWorker(args, { loadTimeoutMs: loadTimeout, signal }));
  for (const w of r.warnings ?? []) process.stderr.write(`neural-ode: warning: ${w}\n`);
  process.stderr.write(`wrote ${r.file} (${r.bytes} bytes, iteration ${r.iteration})\n`);
  return 0;
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === 'help' || command === '--help' || command === '-h') {
    process.stdout.write(USAGE);
    return command ? 0 : 2;
  }
  let json = false;
  try {
    if (command === 'train') return await train(rest);
    if (command === 'export') return await exportWeightsOf(rest);
    if (command === 'export-torch') return await exportTorchCommand(rest);
    if (command === 'modeq') return modeq(rest);
    if (command !== 'solve') throw new SolverError('input', `unknown command '${command}'. Run 'neural-ode help' for the list.`);
    const { values, positionals } = parseArgs({
      args: rest,
      allowPositionals: true,
      options: {
        method: { type: 'string' },
        rtol: { type: 'string' },
        atol: { type: 'string' },
        'step-size': { type: 'string' },
        'load-timeout': { type: 'string' },
        json: { type: 'boolean', default: false },
      },
    });
    json = values.json === true;
    if (positionals.length !== 1) throw new SolverError('input', 'solve takes exactly one module path: neural-ode solve problem.ts');
    const args = {
      module: positionals[0],
      method: values.method,
      rtol: num('rtol', values.rtol),
      atol: num('atol', values.atol),
      stepSize: num('step-size', values['step-size']),
    };
    const loadTimeout = loadTimeoutMs(values['load-timeout']);
    const out = await interruptible((signal) => solveInWorker(args, { loadTimeoutMs: loadTimeout, signal }));
    if (json) process.stdout.write(JSON.stringify(out) + '\n');
    else printTable(out);
    return 0;
  } catch (e) {
    const err = e as Error & { kind?: string; context?: unknown };
    if (json) {
      process.stdout.write(JSON.stringify({ error: { kind: err.kind ?? 'error', message: err.message, context: err.context } }) + '\n');
    }
    process.stderr.write(`neural-ode: ${err.message}\n`);
    // Stopped by Ctrl-C (while loading, or solve and export at any point): 130, as an interrupted command.
    return e instanceof JobStoppedError && e.kind !== 'loadTimeout' ? 130 : 1;
  }
}

if (!isMainThread && isCommandJob(workerData)) {
  // This bundle started as the worker thread of `neural-ode train`, `solve` or `export`.
  void serveCommandJob(parentPort!, workerData);
} else {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      process.stderr.write(`neural-ode: internal error: ${(e as Error).stack ?? e}\n`);
      process.exitCode = 70;
    },
  );
}
