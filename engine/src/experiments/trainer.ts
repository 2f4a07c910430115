import * as path from 'node:path';
import { getBatch } from '../data/batch';
import { Rng, type RngState } from '../data/rng';
import type { TrajectoryData } from '../data/types';
import type { NativeField } from '../fields/field';
import { odeintGrad } from '../gradients/odeintGrad';
import { odeint } from '../odeint';
import { SolverError } from '../solvers/errors';
import { clipGradNorm } from '../train/clip';
import { createOptimizer, optimizerFromState, type Optimizer, type OptimizerState } from '../train/optimizers';
import { createRun, loadLatestCheckpoint, openRun, type Run } from '../train/runStore';
import { lrSchedule } from '../train/schedules';
import type { GradientMethod } from '../gradients/types';
import { ExperimentError, type Experiment, type GradientSpec, type SolverSpec } from './define';
import { trajectoryLoss } from './loss';

export interface TrainOptions {
  /** The runs folder (`<workspace>/.neural-ode/runs`). */
  runsRoot: string;
  /** Train to this iteration instead of the experiment's `train.iterations`. */
  iterations?: number;
  /** Continue this run from its last checkpoint. */
  resume?: string;
  /** Checked between iterations (and between solver steps): the run stops and keeps what it finished. */
  signal?: AbortSignal;
  onProgress?: (p: TrainProgress) => void;
  /** Called once the run folder exists, before the first iteration. */
  onStart?: (run: { runId: string; runDir: string; startIteration: number; iterations: number }) => void;
  /** Solver fields and gradient method for what the experiment leaves unset (an editor's settings). */
  defaults?: { solver?: SolverSpec; gradient?: GradientMethod };
}

export interface TrainProgress {
  runId: string;
  iteration: number;
  iterations: number;
  loss: number;
  /** Loss on the whole trajectory, at evaluation iterations. */
  evalLoss?: number;
  nfeForward: number;
  nfeBackward: number;
  iterationSeconds: number;
  lr: number;
}

export interface TrainOutcome {
  runId: string;
  runDir: string;
  status: 'finished' | 'cancelled' | 'failed';
  /** The last iteration completed. */
  iteration: number;
  loss: number | null;
  evalLoss: number | null;
  message?: string;
}

const resolve = async <T>(x: T | (() => T | Promise<T>)): Promise<T> => (typeof x === 'function' ? (x as () => T | Promise<T>)() : x);

/** What config.json records: everything that defines the run, as plain data. */
function runConfig(exp: Experiment, data: TrajectoryData, field: NativeField, iterations: number): Record<string, unknown> {
  return {
    name: exp.name,
    file: exp.location?.file,
    data: { name: data.name, dim: data.dim, points: data.t.length, t0: data.t[0], t1: data.t[data.t.length - 1] },
    model: { params: field.params.length, dim: field.dim ?? null },
    solver: exp.solver ?? {},
    gradient: exp.gradient ?? 'backprop',
    train: { ...exp.train, iterations },
  };
}

/** Loss of the model's solve from the data's first state over the whole trajectory. */
async function evaluate(exp: Experiment, data: TrajectoryData, field: NativeField, loss: 'l1' | 'mse', signal?: AbortSignal): Promise<number> {
  const s = exp.solver ?? {};
  const sol = await odeint((t, y: Float64Array) => field.f(t, y), Float64Array.from(data.y0), data.t, { ...s, signal });
  return trajectoryLoss(loss, sol.ys, data.ys).value;
}

/**
 * Trains an experiment as torchdiffeq's ode_demo does: each iteration draws a mini-batch of
 * sub-trajectories, solves them with the model, and takes an optimiser step on the loss's
 * gradient (backprop, adjoint or checkpoint). Every iteration appends a metrics line; a
 * checkpoint is written every `checkpointEvery` iterations and at the end, atomically, so a
 * crash or Ctrl-C loses nothing already checkpointed. A NaN loss or a solver failure stops
 * the run, says at which iteration, and leaves the last good checkpoint in place.
 */
export async function trainExperiment(experiment: Experiment, opts: TrainOptions): Promise<TrainOutcome> {
  // The experiment's own solver fields and gradient win; defaults fill only what it leaves unset.
  const d = opts.defaults;
  const exp: Experiment = d
    ? { ...experiment, solver: d.solver || experiment.solver ? { ...d.solver, ...experiment.solver } : undefined, gradient: experiment.gradient ?? d.gradient }
    : experiment;
  const t = exp.train;
  const data = await resolve(exp.data);
  const field = await resolve(exp.model);
  if (field.dim !== undefined && field.dim !== data.dim) {
    throw new ExperimentError(
      `the model works on ${field.dim} components per sample but the data '${data.name}' have ${data.dim}: ` +
        `make the model's first and last size ${data.dim}.`,
      exp.location,
    );
  }
  const iterations = opts.iterations ?? t.iterations;
  const lossKind = t.loss ?? 'l1';
  const evalEvery = t.evalEvery ?? 20;
  const checkpointEvery = t.checkpointEvery ?? 20;
  const grad: GradientSpec = typeof exp.gradient === 'object' ? exp.gradient : { method: exp.gradient ?? 'backprop' };

  let run: Run;
  let optimizer: Optimizer;
  let rng: Rng;
  let start = 0;
  if (opts.resume) {
    const dir = path.join(opts.runsRoot, opts.resume);
    const { checkpoint } = loadLatestCheckpoint(dir);
    run = openRun(opts.runsRoot, opts.resume, { rewindTo: checkpoint.iteration });
    field.params.set(checkpoint.params as Float64Array);
    optimizer = optimizerFromState(checkpoint.optimizerState as OptimizerState);
    rng = Rng.fromState(checkpoint.rngState as RngState);
    start = checkpoint.iteration;
  } else {
    run = createRun(opts.runsRoot, { experiment: exp.name, config: runConfig(exp, data, field, iterations) });
    optimizer = createOptimizer(t.optimizer);
    rng = new Rng(t.seed ?? 0);
  }
  opts.onStart?.({ runId: run.id, runDir: run.dir, startIteration: start, iterations });
  const schedule = lrSchedule(t.optimizer.lr ?? optimizer.lr, t.schedule);
  // The sampler's state after the last completed iteration: what a resumed run continues from.
  let rngAfterDone = rng.state();
  const checkpoint = (iteration: number): void => {
    run.writeCheckpoint({ iteration, params: field.params, optimizerState: optimizer.state(), rngState: rngAfterDone });
  };
  const outcome = (status: TrainOutcome['status'], iteration: number, loss: number | null, evalLoss: number | null, message?: string): TrainOutcome => {
    run.finish({ status, message, iterations: iteration, finalLoss: loss ?? undefined, evalLoss });
    run.close();
    return { runId: run.id, runDir: run.dir, status, iteration, loss, evalLoss, message };
  };

  const started = performance.now();
  let lastLoss: number | null = null;
  let lastEval: number | null = null;
  let done = start;
  let saved = start;
  try {
    for (let it = start + 1; it <= iterations; it++) {
      // Let signals (Ctrl-C) and messages in between iterations.
      await new Promise((r) => setImmediate(r));
      if (opts.signal?.aborted) {
        if (saved < done) checkpoint(done);
        return outcome('cancelled', done, lastLoss, lastEval, `Stopped after iteration ${done} of ${iterations}; resume continues from there.`);
      }
      const t0 = performance.now();
      const lr = schedule(it - 1);
      optimizer.lr = lr;
      const batch = getBatch(data, { batchTime: t.batchTime, batchSize: t.batchSize, rng });
      let loss = NaN;
      const res = await odeintGrad(
        field,
        batch.y0,
        batch.t,
        (ys) => {
          const l = trajectoryLoss(lossKind, ys, batch.ys);
          loss = l.value;
          return Number.isFinite(loss) ? l.grads : ys.map(() => null);
        },
        {
          ...exp.solver,
          gradient: grad.method,
          adjointOptions: grad.adjointOptions,
          checkpoints: grad.checkpoints,
          signal: opts.signal,
        },
      );
      const gradNorm = t.clipNorm !== undefined ? clipGradNorm(res.gradParams, t.clipNorm) : clipGradNorm(res.gradParams, Infinity);
      if (!Number.isFinite(loss) || !Number.isFinite(gradNorm)) {
        const what = Number.isFinite(loss) ? `the gradient's norm is ${gradNorm}` : `the loss is ${loss}`;
        return outcome(
          'failed',
          done,
          lastLoss,
          lastEval,
          `Training diverged at iteration ${it}: ${what}. The parameters were not updated; the last good checkpoint is ` +
            `iteration ${saved}. Try a smaller learning rate (train.optimizer.lr), train.clipNorm, or tighter solver tolerances.`,
        );
      }
      optimizer.step(field.params, res.gradParams);
      let evalLoss: number | undefined;
      if ((evalEvery > 0 && it % evalEvery === 0) || it === iterations) {
        evalLoss = await evaluate(exp, data, field, lossKind, opts.signal);
        lastEval = evalLoss;
      }
      const iterationSeconds = (performance.now() - t0) / 1000;
      run.appendMetrics({
        iteration: it,
        loss,
        evalLoss,
        nfeForward: res.stats.nfeForward,
        nfeBackward: res.stats.nfeBackward,
        wallSeconds: (performance.now() - started) / 1000,
        iterationSeconds,
        lr,
        gradNorm,
        steps: res.stats.nAccepted,
        rejected: res.stats.nRejected,
      });
      done = it;
      lastLoss = loss;
      rngAfterDone = rng.state();
      if (it % checkpointEvery === 0 || it === iterations) {
        checkpoint(it);
        saved = it;
      }
      opts.onProgress?.({
        runId: run.id,
        iteration: it,
        iterations,
        loss,
        evalLoss,
        nfeForward: res.stats.nfeForward,
        nfeBackward: res.stats.nfeBackward,
        iterationSeconds,
        lr,
      });
    }
    return outcome('finished', done, lastLoss, lastEval);
  } catch (e) {
    if (e instanceof SolverError && e.kind === 'cancelled') {
      if (saved < done) checkpoint(done);
      return outcome('cancelled', done, lastLoss, lastEval, `Stopped during iteration ${done + 1}; resume continues from iteration ${done}.`);
    }
    if (e instanceof SolverError) {
      return outcome(
        'failed',
        done,
        lastLoss,
        lastEval,
        `The solver failed in iteration ${done + 1}: ${e.message} The last good checkpoint is iteration ${saved}.`,
      );
    }
    outcome('failed', done, lastLoss, lastEval, `Iteration ${done + 1} failed: ${(e as Error).message}`);
    throw e;
  }
}
