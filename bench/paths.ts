/**
 * The solver paths a case runs on: the engine's native float64 path, its TensorFlow.js path
 * on each backend (float32), and the torchdiffeq peer. Each solves one case at a time and
 * times only the solve, so the scheduler can interleave them.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as tfTypes from '@tensorflow/tfjs';
import { mlpField, odeint, selectBackend, tf } from 'neural-ode-studio';
import { stepsFromNfe, type BenchCase } from './cases';
import { mlpNativeF32, mlpNativeJs } from './mlpNative';
import { mlpTfjs, type TfjsMlp } from './mlpTfjs';
import { Peer } from './peerProcess';
import { problemToJson, type MlpProblem } from './problems';

export interface SolveResult {
  seconds: number;
  nfe: number;
  /** Step attempts, accepted and rejected. */
  steps: number;
  /** Accepted steps (torchdiffeq does not report them: there, all attempts). */
  accepted: number;
  /** y(T), flattened batch-major, when asked for. */
  y: Float64Array | null;
  /** tfjs only: tensors left behind by the solve (should be 0). */
  leakedTensors?: number;
  /** Profiled solves only: seconds spent inside f. */
  fSeconds?: number;
}

/** What a solve is asked for besides its time. */
export interface SolveRequest {
  /** Return y(T). */
  wantY?: boolean;
  /** Time every call of f too (a separate solve: the timer calls cost a little). */
  profile?: boolean;
}

/** Wraps f with a stopwatch when profiling. */
function stopwatch<A extends unknown[], R>(f: (...args: A) => R, on: boolean): { f: (...args: A) => R; seconds: () => number } {
  if (!on) return { f, seconds: () => 0 };
  let ms = 0;
  return {
    f: (...args: A) => {
      const start = performance.now();
      const out = f(...args);
      ms += performance.now() - start;
      return out;
    },
    seconds: () => ms / 1000,
  };
}

export interface SolverPath {
  readonly id: string;
  /** Column header, e.g. "native f64". */
  readonly label: string;
  readonly float32: boolean;
  prepare(problem: MlpProblem): Promise<void>;
  solve(c: BenchCase, req?: SolveRequest): Promise<SolveResult>;
  close(): Promise<void>;
}

const solverArgs = (c: BenchCase) =>
  c.method === 'rk4'
    ? { method: c.method, options: { stepSize: c.stepSize } }
    : { method: c.method, rtol: c.rtol, atol: c.atol };

export type NativeKind = 'native' | 'native-js' | 'native-f32';

/** The problem's MLP as the product runs it: an mlpField (the SIMD kernel, large batches shared among threads). */
function mlpFieldOf(problem: MlpProblem): (t: number, y: Float64Array) => Float64Array {
  const { W1, b1, W2, b2 } = problem;
  const field = mlpField({ sizes: [2, problem.hidden, 2], activation: 'tanh', init: Float64Array.from([...W1, ...b1, ...W2, ...b2]) });
  return (t, y) => field.f(t, y);
}

/**
 * The engine's typed-array path: 'native' (float64 states, mlpField: the SIMD kernel, on every
 * core for large batches), 'native-js' (float64, the MLP in plain JavaScript), 'native-f32'
 * (Float32Array states, the float32 kernel on one thread).
 */
export function nativePath(kind: NativeKind = 'native'): SolverPath {
  type F = (t: number, y: Float64Array | Float32Array) => Float64Array | Float32Array;
  const fields = new Map<string, { f: F; y0: Float64Array | Float32Array }>();
  const make = (problem: MlpProblem) =>
    kind === 'native-f32'
      ? { f: mlpNativeF32(problem) as F, y0: Float32Array.from(problem.y0) }
      : { f: (kind === 'native' ? mlpFieldOf(problem) : mlpNativeJs(problem)) as F, y0: problem.y0 };
  return {
    id: kind,
    label: { native: 'native f64', 'native-js': 'native js f64', 'native-f32': 'native f32' }[kind],
    float32: kind === 'native-f32',
    async prepare(problem) {
      fields.set(problem.name, make(problem));
    },
    async solve(c, req = {}) {
      const field = fields.get(c.problem.name)!;
      const f = stopwatch(field.f, req.profile === true);
      const start = performance.now();
      const sol = await odeint(f.f, field.y0, [0, c.T], solverArgs(c));
      const seconds = (performance.now() - start) / 1000;
      const { nfe, nAccepted, nRejected } = sol.stats;
      return {
        seconds,
        nfe,
        steps: nAccepted + nRejected,
        accepted: nAccepted,
        y: req.wantY ? Float64Array.from(sol.ys[1]) : null,
        fSeconds: req.profile ? f.seconds() : undefined,
      };
    },
    async close() {},
  };
}

/** The engine's TensorFlow.js path (float32) on one backend, or why it cannot run. */
export async function tfjsPath(backend: 'wasm' | 'cpu'): Promise<{ path: SolverPath } | { skipped: string }> {
  const activate = async () => {
    const sel = await selectBackend(backend);
    if (sel.name !== backend) throw new Error(`the ${backend} backend is not available (the engine chose ${sel.name})`);
  };
  try {
    await activate();
    // A tiny solve first: a backend that cannot solve tensor states is skipped with the reason.
    const probe = tf.zeros([1, 2]);
    const sol = await odeint((_t, y) => tf.neg(y), probe, [0, 0.1], { method: 'rk4', options: { stepSize: 0.05 } });
    sol.ys.dispose();
    probe.dispose();
  } catch (err) {
    return { skipped: `tfjs ${backend} path skipped: ${(err as Error).message.split('\n')[0]}` };
  }
  const models = new Map<string, { mlp: TfjsMlp; y0: tfTypes.Tensor }>();
  const path: SolverPath = {
    id: backend,
    label: `tfjs ${backend} f32`,
    float32: true,
    async prepare(problem) {
      await activate();
      // Tensors made on this backend stay here: no copies between backends inside a timing.
      models.set(problem.name, {
        mlp: mlpTfjs(tf, problem),
        y0: tf.tensor2d(Float32Array.from(problem.y0), [problem.batch, 2]),
      });
    },
    async solve(c, req = {}) {
      await activate();
      const m = models.get(c.problem.name)!;
      const f = stopwatch(m.mlp.f, req.profile === true);
      const before = tf.memory().numTensors;
      const start = performance.now();
      const sol = await odeint(f.f, m.y0, [0, c.T], solverArgs(c));
      const seconds = (performance.now() - start) / 1000;
      let y: Float64Array | null = null;
      if (req.wantY) {
        const all = await sol.ys.data();
        y = Float64Array.from(all.subarray(all.length - c.problem.y0.length));
      }
      sol.ys.dispose();
      const { nfe, nAccepted, nRejected } = sol.stats;
      return {
        seconds,
        nfe,
        steps: nAccepted + nRejected,
        accepted: nAccepted,
        y,
        leakedTensors: tf.memory().numTensors - before,
        fSeconds: req.profile ? f.seconds() : undefined,
      };
    },
    async close() {
      for (const m of models.values()) {
        m.mlp.dispose();
        m.y0.dispose();
      }
      models.clear();
    },
  };
  return { path };
}

export interface PeerPath extends SolverPath {
  readonly peer: Peer;
  /** NFE of the same solve with torchdiffeq in float64 (untimed): a controller-only comparison. */
  nfeFloat64(c: BenchCase): Promise<number>;
}

/** torchdiffeq (float32, 2 threads) in a child process, or why it cannot run. */
export async function peerPath(): Promise<{ path: PeerPath } | { skipped: string }> {
  const started = await Peer.start();
  if ('skipped' in started) return started;
  const { peer } = started;
  const dir = mkdtempSync(join(tmpdir(), 'neural-ode-bench-'));
  const request = (c: BenchCase) => ({
    name: c.problem.name,
    method: c.method,
    rtol: c.rtol,
    atol: c.atol,
    stepSize: c.stepSize,
    T: c.T,
  });
  const path: PeerPath = {
    id: 'torchdiffeq',
    label: 'torchdiffeq f32',
    float32: true,
    peer,
    async prepare(problem) {
      const file = join(dir, `${problem.name}.json`);
      writeFileSync(file, problemToJson(problem));
      await peer.load(problem.name, file);
    },
    async solve(c, req = {}) {
      const r = await peer.solve({ ...request(c), returnY: req.wantY === true, profile: req.profile === true });
      const steps = stepsFromNfe(c.method, r.nfe);
      return { seconds: r.seconds, nfe: r.nfe, steps, accepted: steps, y: r.y ? Float64Array.from(r.y) : null, fSeconds: r.fSeconds };
    },
    async nfeFloat64(c) {
      return (await peer.solve({ ...request(c), dtype: 'float64' })).nfe;
    },
    async close() {
      await peer.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return { path };
}
