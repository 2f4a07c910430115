/**
 * The reference peer (torchdiffeq on Debian's PyTorch) as a long-lived child process, so its
 * solves can be interleaved with the engine's in one run. It is optional: `startPeer` returns
 * the reason it is unavailable instead of failing the benchmark.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** Debian's python3 (python3-torch is built for it, not for other Pythons on PATH). */
export const PEER_PYTHON = '/usr/bin/python3';
const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), 'peer', 'torchdiffeq_bench.py');
/** Where the peer is looked for when TORCHDIFFEQ_PATH is unset: beside the repository, in shared/peers/. */
export const DEFAULT_PEER = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'shared', 'peers', 'torchdiffeq');

const HOW_TO =
  'apt-get install python3-torch python3-scipy, put a copy of torchdiffeq outside the repository ' +
  'and set TORCHDIFFEQ_PATH to the folder that contains its torchdiffeq/ package';

export interface PeerSolveRequest {
  name: string;
  method: string;
  rtol?: number;
  atol?: number;
  stepSize?: number;
  T: number;
  returnY?: boolean;
  /** 'float32' (default, the benchmark) or 'float64' (to compare step-size control alone). */
  dtype?: 'float32' | 'float64';
  /** Also time the calls of f (fSeconds in the result). */
  profile?: boolean;
}

export interface PeerSolveResult {
  seconds: number;
  nfe: number;
  y?: number[];
  fSeconds?: number;
}

export interface PeerTrainRequest {
  name: string;
  gradient: 'backprop' | 'adjoint' | 'adjoint_seminorm';
  rtol: number;
  atol: number;
  T: number;
  returnGrads?: boolean;
}

export interface PeerTrainResult {
  seconds: number;
  nfeForward: number;
  /** Calls of f during backward(): augmented-dynamics evaluations for the adjoint, 0 for backprop. */
  nfeBackward: number;
  loss: number;
  /** y0, W1, b1, W2, b2, flattened row-major. */
  grads?: Record<string, number[]>;
}

/** One model of `--suite models`, built by the peer from these weights (tfjs layout) in float32. */
export interface PeerModelRequest {
  model: 'pendulum' | 'mlp';
  params: readonly { name: string; shape: number[]; values: number[] }[];
  /** [batch·2], batch-major. */
  y0: number[];
  target: number[];
  rtol: number;
  atol: number;
  T: number;
  returnGrads?: boolean;
}

export interface PeerModelIteration {
  seconds: number;
  nfeForward: number;
  nfeBackward: number;
  loss: number;
  /** dL/dθ flattened in the order and layout of the request's params, and dL/dy0. */
  grads?: { theta: number[]; y0: number[] };
}

/** A forward solve (no_grad) and one iteration with backprop and with the adjoint, each timed. */
export interface PeerModelResult {
  forward: { seconds: number; nfe: number };
  backprop: PeerModelIteration;
  adjoint: PeerModelIteration;
}

export interface PeerInfo {
  torch: string;
  torchdiffeq: string;
  threads: number;
}

interface Reply {
  ok: boolean;
  error?: string;
  [key: string]: unknown;
}

export class Peer {
  private readonly pending: ((r: Reply) => void)[] = [];
  private exited: string | null = null;

  private constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    readonly info: PeerInfo,
    readonly path: string,
  ) {}

  /** Starts the peer, or says in one line why it cannot run and how to enable it. */
  static async start(): Promise<{ peer: Peer } | { skipped: string }> {
    const path = process.env.TORCHDIFFEQ_PATH ?? (existsSync(join(DEFAULT_PEER, 'torchdiffeq', '__init__.py')) ? DEFAULT_PEER : undefined);
    if (!path) return { skipped: `torchdiffeq peer skipped: TORCHDIFFEQ_PATH is not set and there is none at ${DEFAULT_PEER} (to compare: ${HOW_TO}).` };
    const dir = resolve(path);
    if (!existsSync(join(dir, 'torchdiffeq', '__init__.py'))) {
      return { skipped: `torchdiffeq peer skipped: no torchdiffeq/__init__.py under TORCHDIFFEQ_PATH=${dir} (${HOW_TO}).` };
    }
    const probe = spawnSync(PEER_PYTHON, ['-c', 'import torch'], { encoding: 'utf8', timeout: 60_000 });
    if (probe.status !== 0) {
      const why = probe.error ? probe.error.message : (probe.stderr.trim().split('\n').pop() ?? `exit ${probe.status}`);
      return { skipped: `torchdiffeq peer skipped: ${PEER_PYTHON} -c 'import torch' failed (${why}); ${HOW_TO}.` };
    }
    const child = spawn(PEER_PYTHON, [SCRIPT, dir], { stdio: ['pipe', 'pipe', 'pipe'] });
    const peer = new Peer(child, { torch: '', torchdiffeq: '', threads: 0 }, dir);
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
    child.on('exit', (code) => {
      peer.exited = `the peer process exited (code ${code})${stderr ? `: ${stderr.trim()}` : ''}`;
      for (const resolveReply of peer.pending.splice(0)) resolveReply({ ok: false, error: peer.exited });
    });
    child.on('error', (err) => {
      peer.exited = `the peer process failed: ${err.message}`;
      for (const resolveReply of peer.pending.splice(0)) resolveReply({ ok: false, error: peer.exited });
    });
    createInterface({ input: child.stdout }).on('line', (line) => {
      const next = peer.pending.shift();
      if (!next) return;
      try {
        next(JSON.parse(line) as Reply);
      } catch {
        next({ ok: false, error: `unreadable reply from the peer: ${line.slice(0, 200)}` });
      }
    });
    const hello = await new Promise<Reply>((r) => peer.pending.push(r));
    if (!hello.ok) {
      child.kill();
      return { skipped: `torchdiffeq peer skipped: ${hello.error} (${HOW_TO}).` };
    }
    Object.assign(peer.info, { torch: hello.torch, torchdiffeq: hello.torchdiffeq, threads: hello.threads });
    return { peer };
  }

  private request(msg: object): Promise<Reply> {
    if (this.exited) return Promise.reject(new Error(this.exited));
    return new Promise<Reply>((resolveReply, reject) => {
      this.pending.push((r) => (r.ok ? resolveReply(r) : reject(new Error(`torchdiffeq peer: ${r.error}`))));
      this.child.stdin.write(JSON.stringify(msg) + '\n');
    });
  }

  /** Loads a problem (weights and y0 in bench_inputs.json's layout) under a name. */
  async load(name: string, file: string): Promise<void> {
    await this.request({ cmd: 'load', name, path: file });
  }

  /** One timed forward solve; the peer times only its odeint call. */
  async solve(req: PeerSolveRequest): Promise<PeerSolveResult> {
    const r = await this.request({ cmd: 'solve', ...req });
    return { seconds: r.seconds as number, nfe: r.nfe as number, y: r.y as number[] | undefined, fSeconds: r.fSeconds as number | undefined };
  }

  /** One timed training iteration (forward, MSE loss against the problem's target, backward). */
  async train(req: PeerTrainRequest): Promise<PeerTrainResult> {
    const r = await this.request({ cmd: 'train', ...req });
    return {
      seconds: r.seconds as number,
      nfeForward: r.nfeForward as number,
      nfeBackward: r.nfeBackward as number,
      loss: r.loss as number,
      grads: r.grads as Record<string, number[]> | undefined,
    };
  }

  /** The same model's forward solve and training iterations (`--suite models`). */
  async modelIteration(req: PeerModelRequest): Promise<PeerModelResult> {
    const r = await this.request({ cmd: 'model_iteration', ...req });
    return { forward: r.forward as PeerModelResult['forward'], backprop: r.backprop as PeerModelIteration, adjoint: r.adjoint as PeerModelIteration };
  }

  async close(): Promise<void> {
    if (this.exited) return;
    await this.request({ cmd: 'quit' }).catch(() => undefined);
    this.child.stdin.end();
  }
}
