/**
 * `neural-ode export-torch`: an experiment as a self-contained PyTorch + torchdiffeq folder
 * (model.py, train.py, its weights and data as safetensors, the run-store package), for
 * training beyond one machine. Trajectory experiments with mlpField-based models only; the rest
 * is refused with the reason.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { dataFingerprint } from '../data/fingerprint';
import type { TrajectoryData } from '../data/types';
import type { Experiment, ExperimentModel } from '../experiments/define';
import { isSeriesData } from '../experiments/latentTask';
import { kindTask } from '../experiments/modelKinds';
import { buildAnyTrainable } from '../experiments/modelSource';
import { layoutChange, namedLayout } from '../experiments/paramNames';
import { isPointData } from '../experiments/pointTask';
import { modelRecord } from '../experiments/runDefinition';
import { gradientSpec } from '../experiments/trainer';
import { encodeSafetensors, type NamedTensor } from '../io/safetensors';
import { exportWeights } from '../io/weights';
import { loadRunCheckpoint } from '../train/runRef';
import { BATCHES_PY } from './batchesPy';
import { exportRefused } from './exportError';
import { modelPlan, type ModelPlan } from './modelPlan';
import { modelPy } from './modelPy';
import { readmeMd } from './readmeMd';
import { TENSORFILE_PY } from './tensorfilePy';
import { trainPy } from './trainPy';
import { torchSettings, type TorchSettings } from './trainSettings';

export interface ExportTorchOptions {
  /** The folder to write (created; files of the same names replaced). */
  out: string;
  /** Start from this run's checkpoint (`ID` or `ID@best`) instead of the experiment's initial weights. */
  run?: string;
  /** The runs folder the run lives in. */
  runsRoot?: string;
}

export interface ExportTorchResult {
  dir: string;
  files: string[];
  /** The run's checkpoint iteration the weights come from (absent: the experiment's initial weights). */
  iteration?: number;
  plan: ModelPlan;
  settings: TorchSettings;
}

/** The task must be a trajectory fit: the others are refused with what they are. */
function checkTask(exp: Experiment, data: unknown, model: ExperimentModel): TrajectoryData {
  if (isSeriesData(data)) throw exportRefused(`the data '${(data as { name: string }).name}' are irregularly sampled series (a latent ODE's task); only trajectory experiments are exported (train like examples/spiral.ode.ts).`);
  if (isPointData(data as TrajectoryData)) {
    throw exportRefused(`the data '${(data as { name: string }).name}' are labelled points (a classification task); only trajectory experiments are exported (train like examples/spiral.ode.ts).`);
  }
  // The engine's own checks of model against data (dimensions, loss), with its messages.
  const task = kindTask(exp, data as TrajectoryData, model, gradientSpec(exp));
  if (task.kind !== 'trajectory') throw exportRefused(`the experiment trains a ${task.kind} task; only trajectory experiments are exported.`);
  return data as TrajectoryData;
}

/** Where the Python package is: beside the sources (engine/src/export) or the bundle (dist/). */
function pythonPackageDir(): string {
  const here = typeof __dirname === 'string' ? __dirname : process.cwd();
  const candidates = [path.resolve(here, '..', '..', '..', 'python', 'neural_ode_studio'), path.resolve(here, '..', 'python', 'neural_ode_studio')];
  const found = candidates.find((d) => fs.existsSync(path.join(d, '__init__.py')));
  if (!found) throw exportRefused(`the Python package neural_ode_studio was not found (looked in ${candidates.join(', ')}); reinstall Neural ODE Studio, or export from a checkout of the project.`);
  return found;
}

function dataTensors(data: TrajectoryData): Uint8Array {
  const n = data.ys.length;
  const ys = new Float64Array(n * data.dim);
  data.ys.forEach((y, i) => ys.set(y, i * data.dim));
  const tensors = new Map<string, NamedTensor>([
    ['t', { dtype: 'F64', shape: [n], data: Float64Array.from(data.t) }],
    ['ys', { dtype: 'F64', shape: [n, data.dim], data: ys }],
    ['y0', { dtype: 'F64', shape: [data.dim], data: Float64Array.from(data.y0) }],
  ]);
  return encodeSafetensors(tensors, { format: 'pt', name: data.name });
}

/** What config.json of a run records (experiments/trainer.ts), for the run train.py writes. */
function runConfig(exp: Experiment, data: TrajectoryData, model: ExperimentModel, iterations: number): Record<string, unknown> {
  return {
    name: exp.name,
    file: exp.location?.file,
    task: 'trajectory',
    data: { name: data.name, dim: data.dim, points: data.t.length, t0: data.t[0], t1: data.t[data.t.length - 1], fingerprint: dataFingerprint(data) },
    model: modelRecord(model),
    solver: exp.solver ?? {},
    gradient: exp.gradient ?? 'backprop',
    train: { ...exp.train, iterations },
  };
}

/** Loads a run's checkpoint into the model, checked as `neural-ode export` checks it. */
function loadRun(model: ExperimentModel, runsRoot: string, run: string): number {
  const { checkpoint } = loadRunCheckpoint(runsRoot, run);
  const params = checkpoint.params as Float64Array;
  if (!(params instanceof Float64Array) || params.length !== model.params.length) {
    throw exportRefused(`run ${run} has ${(params as { length?: number }).length ?? 0} parameters but the experiment's model has ${model.params.length}: was the model changed after the run?`);
  }
  const changed = layoutChange(checkpoint.layout, namedLayout(model));
  if (changed) throw exportRefused(`run ${run} does not fit the experiment's model: ${changed}.`);
  (model.params as Float64Array).set(params);
  return checkpoint.iteration;
}

/** Writes model.py and init.safetensors for a model (the part of the export that needs no task). */
export function writeModelFiles(dir: string, model: ExperimentModel, plan: ModelPlan, experiment: string, metadata: Record<string, string> = {}): string[] {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'model.py'), modelPy(plan, experiment));
  const layout = { params: model.params as Float64Array, layout: plan.layout };
  fs.writeFileSync(path.join(dir, 'init.safetensors'), exportWeights(layout, { dtype: 'F64', metadata: { experiment, ...metadata } }));
  fs.writeFileSync(path.join(dir, 'tensorfile.py'), TENSORFILE_PY);
  return ['model.py', 'init.safetensors', 'tensorfile.py'];
}

export async function exportTorch(exp: Experiment, opts: ExportTorchOptions): Promise<ExportTorchResult> {
  const { data, model } = await buildAnyTrainable(exp);
  const plan = modelPlan(model);
  const trajectory = checkTask(exp, data, model);
  const settings = torchSettings(exp);
  let iteration: number | undefined;
  if (opts.run) {
    if (!opts.runsRoot) throw exportRefused('--run needs the runs folder it lives in.');
    iteration = loadRun(model, opts.runsRoot, opts.run);
  }
  const dir = path.resolve(opts.out);
  const files = writeModelFiles(dir, model, plan, exp.name, opts.run ? { run: opts.run, iteration: String(iteration) } : {});
  const write = (name: string, body: string | Uint8Array): void => {
    fs.writeFileSync(path.join(dir, name), body);
    files.push(name);
  };
  write('data.safetensors', dataTensors(trajectory));
  write('batches.py', BATCHES_PY);
  write('train.py', trainPy(settings, exp.name));
  write('config.json', JSON.stringify(runConfig(exp, trajectory, model, settings.iterations), (_k, v: unknown) => (ArrayBuffer.isView(v) ? Array.from(v as Float64Array) : v), 2) + '\n');
  const source = exp.location?.file ? path.basename(exp.location.file) : exp.name;
  write('README.md', readmeMd(exp.name, plan, settings, opts.run ? `${source}, weights of run ${opts.run} (iteration ${iteration})` : source));
  // The project's own run-store package, copied so that train.py needs nothing beside torch and torchdiffeq.
  const pkg = pythonPackageDir();
  fs.mkdirSync(path.join(dir, 'neural_ode_studio'), { recursive: true });
  for (const f of fs.readdirSync(pkg).filter((n) => n.endsWith('.py'))) {
    fs.copyFileSync(path.join(pkg, f), path.join(dir, 'neural_ode_studio', f));
    files.push(path.join('neural_ode_studio', f));
  }
  return { dir, files, ...(iteration !== undefined ? { iteration } : {}), plan, settings };
}
