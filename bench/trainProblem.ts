/**
 * The training-iteration problem: the 256×64 benchmark MLP with a target batch, and the loss and
 * gradients torchdiffeq recorded for it (`reference_outputs.json` → `train_iter`). Without the
 * peer's files, seeded weights and target drawn the same way stand in (nothing recorded then).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { normalSampler } from './prng';
import { generateProblem, loadPeerProblem, problemToJson, STATE_DIM, type MlpProblem } from './problems';

/** The gradients an iteration returns, in the order the tables show them. */
export const GRAD_NAMES = ['y0', 'W1', 'b1', 'W2', 'b2'] as const;
export type GradName = (typeof GRAD_NAMES)[number];
export type Grads = Partial<Record<GradName, Float64Array>>;

/** How the backward pass is computed; the names match the recorded keys. */
export const TRAIN_GRADIENTS = ['backprop', 'adjoint', 'adjoint_seminorm'] as const;
export type TrainGradient = (typeof TRAIN_GRADIENTS)[number];

export interface RecordedIteration {
  loss: number;
  /** W1, b1, W2, b2 (torchdiffeq did not record dL/dy0). */
  grads: Grads;
}

export interface TrainProblem {
  readonly mlp: MlpProblem;
  /** [batch·2], batch-major like y0. */
  readonly target: Float64Array;
  /** By `trainKey`. */
  readonly recorded: ReadonlyMap<string, RecordedIteration>;
  readonly source: string;
}

/** The key of a training case in reference_outputs.json, e.g. adjoint_seminorm_dopri5_rtol1e-05_atol1e-06_T10. */
export function trainKey(gradient: TrainGradient, rtol: number, atol: number, T: number): string {
  const py = (x: number) => x.toExponential().replace(/e([+-])(\d)$/, 'e$10$2');
  return `${gradient}_dopri5_rtol${py(rtol)}_atol${py(atol)}_T${T}`;
}

const flat = (x: number[][] | number[]): Float64Array => Float64Array.from((x as (number | number[])[]).flat());

export function loadTrainProblem(dir: string, seed: number): { problem: TrainProblem; note: string } {
  const { problem: mlp } = loadPeerProblem(dir);
  const inputs = join(dir, 'bench_inputs.json');
  if (mlp && existsSync(inputs)) {
    const data = JSON.parse(readFileSync(inputs, 'utf8')) as { target?: number[][] };
    if (data.target) {
      const recorded = new Map<string, RecordedIteration>();
      const outputs = join(dir, 'reference_outputs.json');
      if (existsSync(outputs)) {
        const out = JSON.parse(readFileSync(outputs, 'utf8')) as {
          train_iter?: Record<string, { loss: number; grads: Record<string, number[][] | number[]> }>;
        };
        for (const [key, v] of Object.entries(out.train_iter ?? {})) {
          const grads: Grads = {};
          for (const [name, g] of Object.entries(v.grads)) grads[name as GradName] = flat(g);
          recorded.set(key, { loss: v.loss, grads });
        }
      }
      const note =
        recorded.size > 0
          ? `training iteration: loss and gradients checked against ${outputs}`
          : `training iteration: no recorded gradients in ${dir}; compared with the live peer only`;
      return { problem: { mlp, target: flat(data.target), recorded, source: inputs }, note };
    }
  }
  // Seeded stand-in: weights like the forward benchmark's, target ~ N(0, 1) like the peer's.
  const seeded = generateProblem(256, 64, seed);
  const normal = normalSampler(seed + 1);
  const target = Float64Array.from({ length: seeded.y0.length }, () => normal(1));
  return {
    problem: { mlp: seeded, target, recorded: new Map(), source: seeded.source },
    note: `training iteration: no ${inputs} with a target; seeded weights, nothing recorded to compare with`,
  };
}

/** The parameter vector in PyTorch's nn.Sequential state_dict order (0.weight, 0.bias, 2.weight, 2.bias). */
export function paramVector(p: MlpProblem): Float64Array {
  const out = new Float64Array(p.W1.length + p.b1.length + p.W2.length + p.b2.length);
  out.set(p.W1, 0);
  out.set(p.b1, p.W1.length);
  out.set(p.W2, p.W1.length + p.b1.length);
  out.set(p.b2, p.W1.length + p.b1.length + p.W2.length);
  return out;
}

/** Splits a gradient of that vector (and dL/dy0) into named tensors. */
export function splitGrads(p: MlpProblem, gradParams: Float64Array, gradY0: Float64Array): Grads {
  const a = p.W1.length;
  const b = a + p.b1.length;
  const c = b + p.W2.length;
  return {
    y0: gradY0,
    W1: gradParams.slice(0, a),
    b1: gradParams.slice(a, b),
    W2: gradParams.slice(b, c),
    b2: gradParams.slice(c, c + p.b2.length),
  };
}

/** The problem as the peer reads it: bench_inputs.json's layout, target included. */
export function trainProblemToJson(p: TrainProblem): string {
  const base = JSON.parse(problemToJson(p.mlp)) as Record<string, unknown>;
  const rows = Array.from({ length: p.target.length / STATE_DIM }, (_, i) => Array.from(p.target.subarray(i * STATE_DIM, (i + 1) * STATE_DIM)));
  return JSON.stringify({ ...base, target: rows });
}

/** ‖a − b‖ / ‖b‖ (0 when both are zero). */
export function relError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < b.length; i++) {
    num += (a[i] - b[i]) ** 2;
    den += b[i] ** 2;
  }
  return den === 0 ? (num === 0 ? 0 : Infinity) : Math.sqrt(num / den);
}
