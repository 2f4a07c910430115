import { modelNote } from './tensorModel';
import { changedMessage, modelRecord, pickDefinition, resumeChanges } from './runDefinition';
import { dataFingerprint } from '../data/fingerprint';
import { Rng, type RngState } from '../data/rng';
import { SolverError } from '../solvers/errors';
import { clipGradNorm } from '../train/clip';
import { createOptimizer, optimizerFromState, type Optimizer, type OptimizerState } from '../train/optimizers';
import { appendRunLog } from '../train/runLog';
import { NfeWatch, type NfeGrowth } from '../train/nfeWatch';
import { writeJsonAtomic } from '../train/durableFiles';
import { diagnoseSlowdown, suggestionList, type SlowdownCause, type SlowdownReport } from './slowdownDoctor';
import * as path from 'node:path';
import { SLOWDOWN_FILE, createRun, existingRunDir, fallbackNotice, loadBestCheckpoint, loadLatestCheckpoint, openRun, readMetrics, readRunConfig, updateRunConfig, type Run } from '../train/runStore';
import { lrSchedule } from '../train/schedules';
import { histogramSample, histogramSettings, paramGroups } from '../train/histograms';
import { HistogramLog, rewindHistograms } from '../train/histogramLog';
import type { GradientMethod } from '../gradients/types';
import { ExperimentError, validateSolverDefaults, type Experiment, type ExperimentModel, type GradientSpec, type SolverSpec } from './define';
import { buildAnyTrainable } from './modelSource';
import { iterationError } from './iterationError';
import type { TrainTask } from './task';
import { kindTask } from './modelKinds';
import { layoutChange, namedLayout } from './paramNames';

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
  onStart?: (run: TrainStart) => void;
  /** Solver fields and gradient method for what the experiment leaves unset (an editor's settings). */
  defaults?: { solver?: SolverSpec; gradient?: GradientMethod };
  /** Take the resumed run from a lock whose process cannot be checked (another machine, an old lock). */
  takeOver?: boolean;
  /** A new run's own name, tags and note, recorded in its config.json. */
  label?: RunLabel;
  /** Resume even though what defines the run changed (recorded in its config.json). */
  allowChanges?: boolean;
}

/** What a person calls a run, beside its experiment's name and its id. */
export interface RunLabel {
  name?: string;
  tags?: string[];
  note?: string;
}

/** A run about to train its first iteration (new, or resumed from `startIteration`). */
export interface TrainStart {
  runId: string;
  runDir: string;
  startIteration: number;
  iterations: number;
  /** What a person should know before it trains: a checkpoint that did not verify and the one used instead. */
  warnings: string[];
  /** How the user's model was built (a tf.LayersModel compiled to the native kernels, or why not). */
  model?: string;
}

export interface TrainProgress {
  runId: string;
  iteration: number;
  iterations: number;
  loss: number;
  /** Loss on the whole data (trajectory, or every point of a classifier), at evaluation iterations. */
  evalLoss?: number;
  /** A classifier's accuracy on this iteration's batch. */
  accuracy?: number;
  /** A classifier's accuracy on every point, at evaluation iterations. */
  evalAccuracy?: number;
  /** What is trained: the evaluation loss is named after it (EVAL_LOSS_NAME). */
  task: TrainTask['kind'];
  nfeForward: number;
  nfeBackward: number;
  iterationSeconds: number;
  lr: number;
  /** Once, at the iteration the run is found slowing down: why, and what to change (slowdownDoctor.ts). */
  slowdown?: SlowdownReport;
}

export interface TrainOutcome {
  runId: string;
  runDir: string;
  status: 'finished' | 'cancelled' | 'failed';
  /** The last iteration completed. */
  iteration: number;
  loss: number | null;
  evalLoss: number | null;
  /** A classifier's last accuracy on every point (absent for trajectories). */
  evalAccuracy?: number | null;
  task: TrainTask['kind'];
  message?: string;
  /** The evaluation with the lowest loss, whose weights are the run's best checkpoint (null before the first). */
  best?: BestCheckpoint | null;
  /** TrainStart's warnings, when there were any (they are in the run's run.log too). */
  warnings?: string[];
  /** The slowdown found during this run, if any (also in the run folder's slowdown.json). */
  slowdown?: SlowdownReport;
}

export interface BestCheckpoint {
  iteration: number;
  evalLoss: number;
}

/** The best checkpoint a resumed run already kept, if any (a fresh run has none). */
/** A resumed run's last known losses, from its metrics up to the checkpoint it continues from. */
function lastKnown(run: Run): { loss: number | null; evalLoss: number | null; evalAccuracy: number | null } {
  const records = readMetrics(run).records;
  const last = <K extends string>(key: K): number | null => {
    for (let k = records.length - 1; k >= 0; k--) if (typeof records[k][key] === 'number') return records[k][key] as number;
    return null;
  };
  return { loss: last('loss'), evalLoss: last('evalLoss'), evalAccuracy: last('evalAccuracy') };
}

function keptBest(run: Run): BestCheckpoint | null {
  try {
    const { checkpoint } = loadBestCheckpoint(run.dir);
    return typeof checkpoint.evalLoss === 'number' ? { iteration: checkpoint.iteration, evalLoss: checkpoint.evalLoss } : null;
  } catch {
    return null; // none yet, or unreadable: the next evaluation writes a new one
  }
}


/** What config.json records: everything that defines the run, as plain data. */
export function runConfig(exp: Experiment, task: TrainTask, field: ExperimentModel, data: unknown, iterations: number, label: RunLabel = {}): Record<string, unknown> {
  return {
    name: exp.name,
    // The run's own name, beside the experiment's.
    ...(label.name ? { runName: label.name } : {}),
    ...(label.tags?.length ? { tags: label.tags } : {}),
    ...(label.note ? { note: label.note } : {}),
    file: exp.location?.file,
    task: task.kind,
    data: { ...task.summary, fingerprint: dataFingerprint(data) },
    model: modelRecord(field, task.extra.length),
    solver: exp.solver ?? {},
    gradient: exp.gradient ?? 'backprop',
    train: { ...exp.train, iterations },
  };
}

/** The experiment's gradient setting in its long form. */
export const gradientSpec = (exp: Experiment): GradientSpec => (typeof exp.gradient === 'object' ? exp.gradient : { method: exp.gradient ?? 'backprop' });

/**
 * Trains an experiment: a trajectory as torchdiffeq's ode_demo does (each iteration draws a
 * mini-batch of sub-trajectories and solves them with the model), or a classifier of labelled
 * points (a mini-batch flowed from t = 0 to 1, a linear readout, ANODE's loss); either way an
 * optimiser step on the loss's gradient (backprop, adjoint or checkpoint), taken on the field's
 * parameters and the readout's together. Every iteration appends a metrics line; a
 * checkpoint is written every `checkpointEvery` iterations and at the end, atomically, so a
 * crash or Ctrl-C loses nothing already checkpointed. A NaN loss or a solver failure stops
 * the run, says at which iteration, and leaves the last good checkpoint in place.
 */
export async function trainExperiment(experiment: Experiment, opts: TrainOptions): Promise<TrainOutcome> {
  // The experiment's own solver fields and gradient win; defaults fill only what it leaves unset.
  const d = opts.defaults;
  if (d?.solver) validateSolverDefaults(d.solver);
  const exp: Experiment = d
    ? { ...experiment, solver: d.solver || experiment.solver ? { ...d.solver, ...experiment.solver } : undefined, gradient: experiment.gradient ?? d.gradient }
    : experiment;
  const t = exp.train;
  const { data, model: field } = await buildAnyTrainable(exp);
  const iterations = opts.iterations ?? t.iterations;
  const evalEvery = t.evalEvery ?? 20;
  const checkpointEvery = t.checkpointEvery ?? 20;
  const grad = gradientSpec(exp);
  // The model's kind checks it against the data and gives the task it trains on.
  const task = kindTask(exp, data, field, grad);
  // The optimiser steps the field's parameters and the task's (the readout) as one vector.
  const nField = field.params.length;
  const all = new Float64Array(nField + task.extra.length);
  const gather = (): void => {
    all.set(field.params);
    all.set(task.extra, nField);
  };
  const scatter = (): void => {
    field.params.set(all.subarray(0, nField));
    task.extra.set(all.subarray(nField));
  };

  let run: Run;
  let optimizer: Optimizer;
  let rng: Rng;
  let start = 0;
  const warnings: string[] = [];
  if (opts.resume) {
    const dir = existingRunDir(opts.runsRoot, opts.resume);
    const loaded = loadLatestCheckpoint(dir);
    const { checkpoint } = loaded;
    const params = checkpoint.params as Float64Array;
    const readout = checkpoint.readout as Float64Array | undefined;
    if (params.length !== nField || (readout?.length ?? 0) !== task.extra.length) {
      throw new ExperimentError(
        `run ${opts.resume} does not fit this experiment's model: its checkpoint holds ${params.length} field and ${readout?.length ?? 0} readout ` +
          `parameters, the model has ${nField} and ${task.extra.length}. The experiment changed after the run: start a new run.`,
        exp.location,
      );
    }
    const changed = layoutChange(checkpoint.layout, namedLayout(field));
    if (changed) {
      throw new ExperimentError(
        `run ${opts.resume} does not fit this experiment's model: ${changed}. The model was changed after the run: start a new run (or undo the change to resume).`,
        exp.location,
      );
    }
    // What defines the run (data, model, solver, optimiser, …) must be what it was, unless the user accepts the change.
    const now = runConfig(exp, task, field, data, iterations);
    const recorded = readRunConfig(opts.runsRoot, opts.resume).config;
    const changes = resumeChanges(recorded, now);
    if (changes.length > 0 && !opts.allowChanges) throw new ExperimentError(changedMessage(opts.resume, 'resume', changes), exp.location);
    run = openRun(opts.runsRoot, opts.resume, { rewindTo: checkpoint.iteration, takeOver: opts.takeOver });
    // config.json describes the run as it goes on: a new total, and the changes accepted (with where they began).
    const total = (recorded as { train?: { iterations?: unknown } } | null)?.train?.iterations;
    if (changes.length > 0 || total !== iterations) {
      updateRunConfig(run.dir, (c) => {
        const accepted = changes.length > 0 ? [{ iteration: checkpoint.iteration, changes }] : [];
        Object.assign(c, changes.length > 0 ? pickDefinition(now) : {}, {
          train: { ...(changes.length > 0 ? (now.train as object) : (c.train as object | undefined)), iterations },
          ...(accepted.length > 0 ? { changes: [...((c.changes as unknown[] | undefined) ?? []), ...accepted] } : {}),
        });
      });
    }
    field.params.set(params);
    if (readout) task.extra.set(readout);
    // A changed optimiser starts afresh; the same one continues from its state.
    const sameOptimizer = !changes.some((c) => c.startsWith('train.optimizer.name'));
    optimizer = sameOptimizer ? optimizerFromState(checkpoint.optimizerState as OptimizerState) : createOptimizer(t.optimizer);
    rng = Rng.fromState(checkpoint.rngState as RngState);
    start = checkpoint.iteration;
    const skipped = fallbackNotice(loaded);
    if (skipped) warnings.push(`${skipped} Run ${run.id} resumes from iteration ${start}; iterations ${start + 1} on are trained again.`);
    for (const w of warnings) appendRunLog(run.dir, 'warning', w);
  } else {
    run = createRun(opts.runsRoot, { experiment: exp.name, config: runConfig(exp, task, field, data, iterations, opts.label) });
    optimizer = createOptimizer(t.optimizer);
    rng = new Rng(t.seed ?? 0);
  }
  const note = modelNote(field);
  opts.onStart?.({ runId: run.id, runDir: run.dir, startIteration: start, iterations, warnings, ...(note ? { model: note } : {}) });
  const schedule = lrSchedule(t.optimizer.lr ?? optimizer.lr, t.schedule);
  // The parameters by name and shape, beside the flat vector: a checkpoint reads without the experiment.
  const names = namedLayout(field);
  // Weights and gradients by group, every `every` iterations and the last, when asked for (train.histograms).
  if (opts.resume) rewindHistograms(run.dir, start);
  const hist = histogramSettings(t.histograms);
  const histograms = hist && { ...hist, log: new HistogramLog(run.dir), groups: paramGroups(names, nField, task.extra.length) };
  // The sampler's state after the last completed iteration: what a resumed run continues from.
  let rngAfterDone = rng.state();
  const checkpointData = (iteration: number) => ({
    iteration,
    params: field.params,
    ...(names ? { layout: names } : {}),
    ...(task.extra.length > 0 ? { readout: task.extra } : {}),
    optimizerState: optimizer.state(),
    rngState: rngAfterDone,
  });
  const checkpoint = (iteration: number): void => {
    histograms?.log.sync();
    run.writeCheckpoint(checkpointData(iteration));
  };
  // The lowest evaluation loss so far; its weights are kept beside the latest (views and export can pick them).
  let best: BestCheckpoint | null = opts.resume ? keptBest(run) : null;
  const keepIfBest = (iteration: number, evalLoss: number | undefined): void => {
    if (evalLoss === undefined || !Number.isFinite(evalLoss) || (best !== null && evalLoss >= best.evalLoss)) return;
    best = { iteration, evalLoss };
    run.writeBestCheckpoint({ ...checkpointData(iteration), evalLoss });
  };
  // What a resumed run ends with if it trains no further: its last known losses.
  const known = opts.resume ? lastKnown(run) : null;
  let lastEvalAccuracy: number | null = known?.evalAccuracy ?? null;
  const classifier = task.kind === 'classification';
  const nfeWatch = new NfeWatch();
  let slowdown: SlowdownReport | undefined;
  /** The slowdown doctor's report, kept with the run (slowdown.json, run.log). */
  const diagnose = async (growth: NfeGrowth, cause: SlowdownCause): Promise<SlowdownReport> => {
    slowdown = await diagnoseSlowdown(exp, growth, task.probe, (field as { activation?: string }).activation, cause);
    writeJsonAtomic(path.join(run.dir, SLOWDOWN_FILE), slowdown);
    appendRunLog(run.dir, 'warning', slowdown.text);
    return slowdown;
  };
  const outcome = (status: TrainOutcome['status'], iteration: number, loss: number | null, evalLoss: number | null, message?: string): TrainOutcome => {
    const acc = classifier ? { evalAccuracy: lastEvalAccuracy } : {};
    const kept = best ? { bestIteration: best.iteration, bestEvalLoss: best.evalLoss } : {};
    histograms?.log.close();
    run.finish({ status, message, iterations: iteration, finalLoss: loss ?? undefined, evalLoss, ...acc, ...kept });
    run.close();
    return {
      runId: run.id,
      runDir: run.dir,
      status,
      iteration,
      loss,
      evalLoss,
      ...acc,
      task: task.kind,
      message,
      best,
      ...(warnings.length > 0 ? { warnings } : {}),
      ...(slowdown ? { slowdown } : {}),
    };
  };

  const started = performance.now();
  let lastLoss: number | null = known?.loss ?? null;
  let lastEval: number | null = known?.evalLoss ?? null;
  let done = start;
  let saved = start;
  // What a failure leaves to resume from: the newest checkpoint, or (before the first) none.
  const firstCheckpoint = checkpointEvery > 0 ? Math.min(checkpointEvery, iterations) : iterations;
  const lastGood = (): string =>
    saved > 0 || opts.resume
      ? `the last good checkpoint is iteration ${saved}`
      : `there is no checkpoint yet (the first is written at iteration ${firstCheckpoint}), so the run cannot be resumed: start it again`;
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
      const res = await task.step(rng, opts.signal);
      const loss = res.loss;
      const grads = new Float64Array(all.length);
      grads.set(res.gradParams);
      grads.set(res.gradExtra, nField);
      const gradNorm = clipGradNorm(grads, t.clipNorm ?? Infinity);
      if (!Number.isFinite(loss) || !Number.isFinite(gradNorm)) {
        const what = Number.isFinite(loss) ? `the gradient's norm is ${gradNorm}` : `the loss is ${loss}`;
        return outcome(
          'failed',
          done,
          lastLoss,
          lastEval,
          `Training diverged at iteration ${it}: ${what}. The parameters were not updated; ${lastGood()}. Try a smaller learning rate (train.optimizer.lr), train.clipNorm, or tighter solver tolerances.`,
        );
      }
      gather();
      optimizer.step(all, grads);
      scatter();
      if (histograms && (it % histograms.every === 0 || it === iterations)) {
        histograms.log.append(histogramSample(it, histograms.groups, all, grads, histograms.bins));
      }
      let evalLoss: number | undefined;
      let evalAccuracy: number | undefined;
      if ((evalEvery > 0 && it % evalEvery === 0) || it === iterations) {
        const ev = await task.evaluate(opts.signal);
        evalLoss = ev.loss;
        lastEval = evalLoss;
        evalAccuracy = ev.accuracy;
        if (evalAccuracy !== undefined) lastEvalAccuracy = evalAccuracy;
      }
      const iterationSeconds = (performance.now() - t0) / 1000;
      run.appendMetrics({
        iteration: it,
        loss,
        evalLoss,
        accuracy: res.accuracy,
        evalAccuracy,
        nfeForward: res.stats.nfeForward,
        nfeBackward: res.stats.nfeBackward,
        wallSeconds: (performance.now() - started) / 1000,
        iterationSeconds,
        lr,
        gradNorm,
        steps: res.stats.nAccepted,
        rejected: res.stats.nRejected,
        ...res.regularizers,
      });
      // the doctor, once a run: NFE grown past the threshold, or the forward solve found stiff
      const nfeNow = res.stats.nfeForward + res.stats.nfeBackward;
      const growth = nfeWatch.push(it, nfeNow);
      const cause = growth ? ({ kind: 'nfe' } as const) : res.stats.stiff ? ({ kind: 'stiff' } as const) : null;
      const found = cause && !slowdown ? await diagnose(growth ?? nfeWatch.sofar(it, nfeNow), cause) : undefined;
      done = it;
      lastLoss = loss;
      rngAfterDone = rng.state();
      keepIfBest(it, evalLoss);
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
        accuracy: res.accuracy,
        evalAccuracy,
        task: task.kind,
        nfeForward: res.stats.nfeForward,
        nfeBackward: res.stats.nfeBackward,
        iterationSeconds,
        lr,
        ...(found ? { slowdown: found } : {}),
      });
    }
    const nothing = opts.resume && start >= iterations;
    return outcome(
      'finished',
      done,
      lastLoss,
      lastEval,
      nothing ? `Run ${run.id} is already at iteration ${start}${start > iterations ? `, past the ${iterations} asked for` : ` of ${iterations}`}: nothing was trained.` : undefined,
    );
  } catch (e) {
    if (e instanceof SolverError && e.kind === 'cancelled') {
      if (saved < done) checkpoint(done);
      return outcome('cancelled', done, lastLoss, lastEval, `Stopped during iteration ${done + 1}; resume continues from iteration ${done}.`);
    }
    if (e instanceof SolverError) {
      // steps that underflow are the end of a slowdown: the doctor says where, and what to change
      const why = e.kind === 'stepUnderflow' && !slowdown ? await diagnose(nfeWatch.sofar(done + 1, NaN), { kind: 'underflow', message: e.message }) : undefined;
      const tryThis = why && why.suggestions.length > 0 ? ` Also try: ${suggestionList(why.suggestions)}.` : '';
      return outcome(
        'failed',
        done,
        lastLoss,
        lastEval,
        `The solver failed in iteration ${done + 1}: ${e.message} ${lastGood().replace(/^t/, 'T')}.${tryThis}`,
      );
    }
    // Most often the user's model threw: say which iteration of which run, and where in their file.
    const failure = iterationError(e, done + 1, run.id, exp.location?.file);
    outcome('failed', done, lastLoss, lastEval, failure.message);
    throw failure;
  }
}
