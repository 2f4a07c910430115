/**
 * The user's own TensorFlow.js models in an experiment: a tensorField(...) or a tf.LayersModel
 * becomes a native field (tensorNativeField) on the data's dimension, after one trial
 * evaluation of f and its VJP on the data's first sample, so that a function that returns the
 * wrong thing, a variable it never uses or a NaN at the start is reported when the experiment
 * is built (at the user's line), not in the middle of a run.
 */
import { ensureBackend, tf } from '../backend/index';
import { deviceTensorField } from '../device/deviceField';
import { isDeviceField } from '../device/types';
import { modelsOnDevice } from '../device/placement';
import type { TensorField } from '../fields/field';
import { isLayersModel, layersModelField } from '../fields/layersField';
import { compileLayersModel } from '../fields/compileLayers';
import type { NativeField } from '../fields/field';
import { tensorNativeField, type TensorNativeField } from '../fields/tensorNative';
import type { PointData, TrajectoryData } from '../data/types';
import { frameInFile, type SourceLocation } from './callSite';
import { ExperimentError, type Experiment } from './define';

export const isTensorField = (x: unknown): x is TensorField => typeof x === 'object' && x !== null && (x as TensorField).kind === 'tfjs';

/** An error from the user's model, at the line of the user's file it came from (else the defineExperiment call). */
function atUserLine(exp: Experiment, err: unknown, what: string): ExperimentError {
  const e = err as Error & { location?: SourceLocation };
  const where = e?.location ?? (exp.location ? (frameInFile(e?.stack, exp.location.file) ?? exp.location) : undefined);
  return new ExperimentError(`${what}: ${e?.message ?? String(err)}`, where);
}

/** The first sample of the data, padded with zeros to `dim` (the trial evaluation's state). */
function firstSample(data: TrajectoryData | PointData, dim: number): Float64Array {
  const y = new Float64Array(dim);
  y.set(('y0' in data ? data.y0 : data.x).subarray(0, Math.min(dim, data.dim)));
  return y;
}

const released = new FinalizationRegistry<readonly import('@tensorflow/tfjs').Variable[]>((vars) => vars.forEach((v) => v.isDisposed || v.dispose()));
const releaseWhenCollected = (owner: object, vars: readonly import('@tensorflow/tfjs').Variable[]): void => released.register(owner, [...vars]);

/** How a model of the user's was built: compiled to the native kernels, or on tfjs and why. */
export const MODEL_NOTE = Symbol('model note');
export const modelNote = (model: object): string | undefined => (model as { [MODEL_NOTE]?: string })[MODEL_NOTE];

/**
 * The user's tfjs model as a native field on the data's dimension, checked by one trial
 * evaluation. A tf.LayersModel that is a plain MLP is compiled to an mlpField (compileLayers.ts).
 */
export async function tensorModelField(exp: Experiment, model: TensorField | import('@tensorflow/tfjs').LayersModel, data: TrajectoryData | PointData): Promise<NativeField> {
  if (isLayersModel(model)) {
    const compiled = compileLayersModel(model);
    if (compiled.field) {
      checkDim(exp, compiled.field.dim, data, true);
      return Object.assign(compiled.field, { [MODEL_NOTE]: `the tf.LayersModel is ${compiled.note}` });
    }
    const native = await tfjsModelField(exp, model, data);
    return Object.assign(native, { [MODEL_NOTE]: `the tf.LayersModel is not an mlpField (${compiled.why}); ${traceNote(native)}` });
  }
  const native = await tfjsModelField(exp, model, data);
  return Object.assign(native, { [MODEL_NOTE]: `the tensorField ${traceNote(native)}` });
}

/** Whether the trial evaluation compiled the field (fields/trace), in words. */
function traceNote(native: TensorNativeField): string {
  if (isDeviceField(native)) return `runs on the GPU (backend '${native.device.backend}'), with the solver's state and algebra, in float32`;
  const c = native.compiled;
  return c?.ops !== undefined
    ? `is compiled: its ${c.ops} TensorFlow.js operations replay on the engine's own float64 kernels`
    : `runs on TensorFlow.js, not compiled: ${c?.why ?? 'it was not evaluated'}`;
}

function checkDim(exp: Experiment, dim: number, data: TrajectoryData | PointData, layers: boolean): void {
  if (dim < data.dim) {
    throw new ExperimentError(
      `the model works on ${dim} components per sample but the data '${data.name}' have ${data.dim}: ` +
        `make the model's input and output ${data.dim} wide${layers ? ` (inputShape: [${data.dim}] or [${data.dim + 1}] with t, and ${data.dim} units last)` : ''}.`,
      exp.location,
    );
  }
}

async function tfjsModelField(exp: Experiment, model: TensorField | import('@tensorflow/tfjs').LayersModel, data: TrajectoryData | PointData): Promise<TensorNativeField> {
  let field: TensorField;
  try {
    field = isLayersModel(model) ? layersModelField(model) : model;
  } catch (err) {
    throw atUserLine(exp, err, 'the model cannot be a vector field');
  }
  const dim = field.dim ?? data.dim;
  checkDim(exp, dim, data, isLayersModel(model));
  await ensureBackend();
  let native: TensorNativeField;
  try {
    // on a GPU backend the field and its solves stay on the device (placement.ts)
    native = modelsOnDevice() ? await deviceTensorField(field, dim) : tensorNativeField(field, dim);
  } catch (err) {
    throw new ExperimentError(`${(err as Error).message} (setting neuralOde.engine.backend, or NEURAL_ODE_BACKEND)`, exp.location);
  }
  // A model function makes fresh variables for every build (each panel refresh): free them once
  // the field that owns them is gone. A model given as an object is the file's own, and kept.
  if (typeof exp.model === 'function') releaseWhenCollected(native, field.params);
  const y = firstSample(data, dim);
  const t0 = 't' in data ? data.t[0] : 0;
  let f: Float64Array;
  try {
    f = await trialEvaluation(native, t0, y);
  } catch (err) {
    throw atUserLine(exp, err, `the model failed on the first sample of the data at t = ${t0}`);
  }
  const bad = f.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) {
    throw new ExperimentError(
      `the model returned dy/dt[${bad}] = ${f[bad]} at t = ${t0} for the data's first sample [${Array.from(y, (v) => Number(v.toPrecision(4))).join(', ')}]: ` +
        'check the initial weights and every division, log or sqrt in the field function.',
      exp.location,
    );
  }
  return native;
}

/** f at the first sample, and its VJP evaluated once, where the field runs: the first errors surface here. */
async function trialEvaluation(native: TensorNativeField, t0: number, y: Float64Array): Promise<Float64Array> {
  if (!isDeviceField(native)) {
    const f = native.f(t0, y);
    native.vjp(t0, y, new Float64Array(y.length).fill(1));
    return f;
  }
  const x = tf.tensor(Float32Array.from(y), native.device.shapeOf(y.length), 'float32');
  const out = tf.tidy(() => {
    const g = native.tensor.vjp(t0, x, tf.onesLike(x));
    return [native.tensor.f(t0, x), g.y, ...g.params];
  });
  try {
    await Promise.all(out.map((o) => o.data()));
    return Float64Array.from(await out[0].data());
  } finally {
    tf.dispose([x, ...out]);
  }
}
