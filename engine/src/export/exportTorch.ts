/**
 * `neural-ode export-torch`: an experiment as a self-contained PyTorch + torchdiffeq folder
 * (model.py, train.py, its weights and data as safetensors, the run-store package), for
 * training beyond one machine. Trajectory fits and classifiers of labelled points, with
 * mlpField-based models; the rest is refused with the reason.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { PointData, TrajectoryData } from '../data/types';
import type { Experiment, ExperimentModel } from '../experiments/define';
import { isSeriesData } from '../experiments/latentTask';
import { kindTask } from '../experiments/modelKinds';
import { buildAnyTrainable } from '../experiments/modelSource';
import { layoutChange, namedLayout } from '../experiments/paramNames';
import { checkPointData, FLOW_TIME, isPointData } from '../experiments/pointTask';
import type { LinearReadout } from '../experiments/readout';
import type { TrainTask } from '../experiments/task';
import { gradientSpec, runConfig } from '../experiments/trainer';
import { encodeSafetensors, type NamedTensor } from '../io/safetensors';
import { exportWeights } from '../io/weights';
import { loadRunCheckpoint } from '../train/runRef';
import { BATCHES_PY } from './batchesPy';
import { exportRefused } from './exportError';
import { modelPlan, type ModelPlan } from './modelPlan';
import { modelPy, type ReadoutPlan } from './modelPy';
import { readmeMd } from './readmeMd';
import { TENSORFILE_PY } from './tensorfilePy';
import { trainPy } from './trainPy';
import { torchSettings, type ClassifierSettings, type TorchSettings } from './trainSettings';

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

const TASKS = 'trajectory fits (examples/spiral.ode.ts) and classifiers of labelled points (examples/circlesAugmented.ode.ts)';

/** What train.py trains: the engine's task, and a classifier's readout and settings. */
type CheckedTask =
  | { kind: 'trajectory'; task: TrainTask; data: TrajectoryData }
  | { kind: 'classification'; task: TrainTask; data: PointData; readout: LinearReadout; settings: ClassifierSettings };

/** The task must be a trajectory fit or an ODE block classifying points: the others are refused with what they are. */
function checkTask(exp: Experiment, data: unknown, model: ExperimentModel): CheckedTask {
  if (isSeriesData(data)) throw exportRefused(`the data '${(data as { name: string }).name}' are irregularly sampled series (a latent ODE's task); exported are ${TASKS}.`);
  // The engine's own checks of model against data (dimensions, loss), with its messages.
  const task = kindTask(exp, data as TrajectoryData, model, gradientSpec(exp));
  if (task.kind === 'trajectory') return { kind: 'trajectory', task, data: data as TrajectoryData };
  const readout = (task as { readout?: LinearReadout }).readout;
  if (task.kind !== 'classification' || !readout || !isPointData(data as TrajectoryData)) throw exportRefused(`the experiment trains a ${task.kind} task; exported are ${TASKS}.`);
  const points = checkPointData(exp, data as PointData, model as never);
  return {
    kind: 'classification',
    task,
    data: points.data,
    readout,
    settings: { batchSize: points.batchSize, loss: points.loss, classes: points.encoding.classes, outputs: readout.outputs, flowTime: FLOW_TIME },
  };
}

/** Where the Python package is: beside the sources (engine/src/export) or the bundle (dist/). */
function pythonPackageDir(): string {
  const here = typeof __dirname === 'string' ? __dirname : process.cwd();
  const candidates = [path.resolve(here, '..', '..', '..', 'python', 'neural_ode_studio'), path.resolve(here, '..', 'python', 'neural_ode_studio')];
  const found = candidates.find((d) => fs.existsSync(path.join(d, '__init__.py')));
  if (!found) throw exportRefused(`the Python package neural_ode_studio was not found (looked in ${candidates.join(', ')}); reinstall Neural ODE Studio, or export from a checkout of the project.`);
  return found;
}

function dataTensors(checked: CheckedTask): Uint8Array {
  if (checked.kind === 'classification') {
    const { data, settings } = checked;
    // Labels as the class index (float64, whole numbers): CLASSES in train.py maps them back.
    const target = Float64Array.from(data.labels!, (l) => settings.classes.indexOf(l));
    const tensors = new Map<string, NamedTensor>([
      ['x', { dtype: 'F64', shape: [data.n, data.dim], data: Float64Array.from(data.x) }],
      ['target', { dtype: 'F64', shape: [data.n], data: target }],
    ]);
    return encodeSafetensors(tensors, { format: 'pt', name: data.name });
  }
  const { data } = checked;
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

/** Loads a run's checkpoint into the model (and the task's readout), checked as `neural-ode export` checks it. */
function loadRun(model: ExperimentModel, extra: Float64Array, runsRoot: string, run: string): number {
  const { checkpoint } = loadRunCheckpoint(runsRoot, run);
  const params = checkpoint.params as Float64Array;
  if (!(params instanceof Float64Array) || params.length !== model.params.length) {
    throw exportRefused(`run ${run} has ${(params as { length?: number }).length ?? 0} parameters but the experiment's model has ${model.params.length}: was the model changed after the run?`);
  }
  const changed = layoutChange(checkpoint.layout, namedLayout(model));
  if (changed) throw exportRefused(`run ${run} does not fit the experiment's model: ${changed}.`);
  const readout = checkpoint.readout as Float64Array | undefined;
  if ((readout?.length ?? 0) !== extra.length) {
    throw exportRefused(`run ${run} has ${readout?.length ?? 0} readout parameters but the experiment's classifier has ${extra.length}: was the data's number of classes or the loss changed after the run?`);
  }
  (model.params as Float64Array).set(params);
  if (readout) extra.set(readout);
  return checkpoint.iteration;
}

/** readout.safetensors: the classifier's head as nn.Linear's state_dict (weight [outputs, dim], bias). */
function readoutTensors(readout: LinearReadout): Uint8Array {
  const { outputs, dim, params } = readout;
  const tensors = new Map<string, NamedTensor>([
    ['weight', { dtype: 'F64', shape: [outputs, dim], data: params.slice(0, outputs * dim) }],
    ['bias', { dtype: 'F64', shape: [outputs], data: params.slice(outputs * dim) }],
  ]);
  return encodeSafetensors(tensors, { format: 'pt' });
}

/** Writes model.py and init.safetensors for a model (the part of the export that needs no task). */
export function writeModelFiles(dir: string, model: ExperimentModel, plan: ModelPlan, experiment: string, metadata: Record<string, string> = {}, readout?: ReadoutPlan): string[] {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'model.py'), modelPy(plan, experiment, readout));
  const layout = { params: model.params as Float64Array, layout: plan.layout };
  fs.writeFileSync(path.join(dir, 'init.safetensors'), exportWeights(layout, { dtype: 'F64', metadata: { experiment, ...metadata } }));
  fs.writeFileSync(path.join(dir, 'tensorfile.py'), TENSORFILE_PY);
  return ['model.py', 'init.safetensors', 'tensorfile.py'];
}

export async function exportTorch(exp: Experiment, opts: ExportTorchOptions): Promise<ExportTorchResult> {
  const { data, model } = await buildAnyTrainable(exp);
  const plan = modelPlan(model);
  const checked = checkTask(exp, data, model);
  const classifier = checked.kind === 'classification' ? checked : undefined;
  const settings = torchSettings(exp, classifier?.settings);
  let iteration: number | undefined;
  if (opts.run) {
    if (!opts.runsRoot) throw exportRefused('--run needs the runs folder it lives in.');
    iteration = loadRun(model, checked.task.extra, opts.runsRoot, opts.run);
  }
  const dir = path.resolve(opts.out);
  const metadata: Record<string, string> = opts.run ? { run: opts.run, iteration: String(iteration) } : {};
  const files = writeModelFiles(dir, model, plan, exp.name, metadata, classifier && { outputs: classifier.readout.outputs });
  const write = (name: string, body: string | Uint8Array): void => {
    fs.writeFileSync(path.join(dir, name), body);
    files.push(name);
  };
  if (classifier) write('readout.safetensors', readoutTensors(classifier.readout));
  write('data.safetensors', dataTensors(checked));
  write('batches.py', BATCHES_PY);
  write('train.py', trainPy(settings, exp.name));
  const config = runConfig(exp, checked.task, model, data, settings.iterations);
  write('config.json', JSON.stringify(config, (_k, v: unknown) => (ArrayBuffer.isView(v) ? Array.from(v as Float64Array) : v), 2) + '\n');
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
