/**
 * `--suite gpu`: the pendulum hybrid of examples/pendulum.ode.ts (a user's tensorField) at a
 * GPU's sizes (default 4096×512), one model three ways: compiled on every core (the best CPU
 * path), on TensorFlow.js wasm (not compiled), and on the webgpu backend with its solves
 * (device/). Forward, backprop and adjoint as in the models suite; each answer is checked
 * against the compiled one. Runs one way after the other (the tfjs backend is one per process);
 * needs the `webgpu` package and an adapter (a software one is timed, and said to be one).
 */
import { engineInfo, odeintGrad, selectBackend } from 'neural-ode-studio';
import { deviceTensorField } from '../engine/src/device/deviceField';
import { solveField } from '../engine/src/device/solveField';
import { tensorNativeField } from '../engine/src/fields/tensorNative';
import type { NativeField } from '../engine/src/fields/field';
import { modelProblem, pendulumTensorField, type ModelProblem } from './modelForms';
import { emptyTimes, iterationError, mse, record, type Iteration, type Run, type Timed } from './modelsSuite';
import { median } from './table';

const T = 1;
const SOLVER = { method: 'dopri5', rtol: 1e-5, atol: 1e-6 } as const;
/** Against the compiled float64 path: float32 arithmetic on the other side. */
const TOLERANCE = 1e-3;

export interface GpuRow extends Timed {
  /** Worst relative difference from the compiled row (loss, dL/dy0, each dL/dθ). */
  answers?: { worst: number; where: string };
}

export interface GpuSize {
  readonly size: string;
  readonly rows: GpuRow[];
}

export interface GpuOptions {
  readonly sizes: readonly string[];
  readonly budget: number;
  readonly minRounds: number;
  readonly seed: number;
  readonly progress: (line: string) => void;
}

async function runOnce(field: NativeField, p: ModelProblem, wantGrads: boolean): Promise<Run> {
  const iterate = async (gradient: 'backprop' | 'adjoint'): Promise<Iteration> => {
    const out = { loss: NaN };
    const t0 = performance.now();
    const r = await odeintGrad(field, p.y0, [0, T], mse(p.target, out), { ...SOLVER, gradient });
    const seconds = (performance.now() - t0) / 1000;
    return {
      seconds,
      nfeForward: r.stats.nfeForward,
      nfeBackward: gradient === 'adjoint' ? r.stats.nVjpBackward : 0,
      loss: out.loss,
      ...(wantGrads ? { theta: Float64Array.from(r.gradParams), y0: r.gradY0 } : {}),
    };
  };
  const t0 = performance.now();
  const sol = await solveField(field, p.y0, [0, T], SOLVER);
  const forward = { seconds: (performance.now() - t0) / 1000, nfe: sol.stats.nfe };
  return { forward, backprop: await iterate('backprop'), adjoint: await iterate('adjoint') };
}

/** Warm-up (the answers), then timed runs until the budget is spent. */
async function timeRow(label: string, field: NativeField, p: ModelProblem, opts: GpuOptions, reference: Run | null): Promise<{ row: GpuRow; first: Run | null }> {
  const row: GpuRow = { label, seconds: emptyTimes() };
  let first: Run;
  try {
    first = await runOnce(field, p, true);
  } catch (err) {
    row.error = (err as Error).message.split('\n')[0];
    return { row, first: null };
  }
  row.nfe = { forward: first.forward.nfe, adjoint: first.adjoint.nfeBackward };
  row.loss = first.backprop.loss;
  if (reference) {
    const b = iterationError(first.backprop, reference.backprop, p, 'pendulum', 'backprop');
    const a = iterationError(first.adjoint, reference.adjoint, p, 'pendulum', 'adjoint');
    row.answers = Number.isNaN(b.worst) || b.worst >= a.worst ? b : a;
  }
  const t0 = performance.now();
  for (let r = 0; r < opts.minRounds || performance.now() - t0 < opts.budget * 1000; r++) record(row, await runOnce(field, p, false));
  row.median = { forward: median(row.seconds.forward), backprop: median(row.seconds.backprop), adjoint: median(row.seconds.adjoint) };
  opts.progress(`gpu ${p.size}: ${label}, ${row.seconds.forward.length} runs`);
  return { row, first };
}

export async function runGpu(opts: GpuOptions): Promise<{ sizes: GpuSize[]; adapter: string; notes: string[] }> {
  const info = await engineInfo('webgpu');
  const adapter = info.backends.find((b) => b.name === 'webgpu')!.detail;
  const notes: string[] = [];
  const sizes: GpuSize[] = [];
  for (const size of opts.sizes) {
    const [batch, hidden] = size.split('x').map(Number);
    const p = modelProblem(batch, hidden, opts.seed + 1000 * batch + hidden);
    const rows: GpuRow[] = [];
    await selectBackend('wasm');
    const compiled = pendulumTensorField(p);
    const best = await timeRow('compiled, every core', tensorNativeField(compiled.field, 2), p, opts, null);
    compiled.dispose();
    rows.push(best.row);
    const plain = pendulumTensorField(p, { compile: false });
    rows.push((await timeRow('TensorFlow.js wasm, not compiled', tensorNativeField(plain.field, 2), p, opts, best.first)).row);
    plain.dispose();
    if ((await selectBackend('webgpu')).name === 'webgpu') {
      const gpu = pendulumTensorField(p);
      rows.push((await timeRow('webgpu, on the device', await deviceTensorField(gpu.field, 2), p, opts, best.first)).row);
      gpu.dispose();
    } else notes.push(`${size}: no webgpu backend (${adapter})`);
    sizes.push({ size, rows });
  }
  return { sizes, adapter, notes };
}

const ms = (s: number | undefined): string => (s === undefined ? '–' : (1000 * s).toFixed(s < 0.1 ? 1 : 0));

export function formatGpuReport(sizes: readonly GpuSize[], adapter: string, notes: readonly string[]): string {
  const lines = ['## GPU: the pendulum hybrid, one training iteration (dopri5 1e-5/1e-6, t ∈ [0, 1])', '', `webgpu: ${adapter}`, ''];
  for (const { size, rows } of sizes) {
    const base = rows[0]?.median;
    lines.push(`### ${size}`, '', '| path | forward ms | backprop ms | adjoint ms | NFE fwd / adj bwd | backprop vs compiled | answers vs compiled |', '|---|---|---|---|---|---|---|');
    for (const r of rows) {
      const m = r.median;
      const speed = base && m ? `${(base.backprop / m.backprop).toFixed(2)}×` : '–';
      const answers = r.answers ? `${r.answers.worst.toExponential(1)} (${r.answers.where})${r.answers.worst <= TOLERANCE ? '' : ' FAIL'}` : r.error ? `error: ${r.error}` : 'reference';
      lines.push(`| ${r.label} | ${ms(m?.forward)} | ${ms(m?.backprop)} | ${ms(m?.adjoint)} | ${r.nfe ? `${r.nfe.forward} / ${r.nfe.adjoint}` : '–'} | ${speed} | ${answers} |`);
    }
    lines.push('');
  }
  if (notes.length > 0) lines.push(...notes.map((n) => `- ${n}`));
  return lines.join('\n');
}

/** Failed checks: an answer off by more than float32 tolerance, or a path that errored. */
export function gpuChecks(sizes: readonly GpuSize[]): string[] {
  return sizes.flatMap(({ size, rows }) =>
    rows.flatMap((r) => [
      ...(r.error ? [`${size} ${r.label}: ${r.error}`] : []),
      ...(r.answers && !(r.answers.worst <= TOLERANCE) ? [`${size} ${r.label}: ${r.answers.where} off by ${r.answers.worst}`] : []),
    ]),
  );
}
