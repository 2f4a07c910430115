/**
 * torchdiffeq's ode_demo spiral fit, 300 iterations, several seeds: the engine through
 * `examples/spiral.ode.ts` and `trainExperiment`, torchdiffeq through bench/peer/ode_demo_fit.py
 * (its odeint, and its odeint_adjoint), run after one another seed by seed, order rotating.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { trainExperiment } from 'neural-ode-studio';
import { loadExperiment } from '../engine/src/experiments/load';
import { PEER_PYTHON } from './peerProcess';

const HERE = dirname(fileURLToPath(import.meta.url));
export const SPIRAL_EXPERIMENT = resolve(HERE, '..', 'examples', 'spiral.ode.ts');
const FIT_SCRIPT = join(HERE, 'peer', 'ode_demo_fit.py');

export type SpiralWho = 'engine' | 'torchdiffeq' | 'torchdiffeq-adjoint';

export interface SpiralRun {
  readonly who: SpiralWho;
  readonly seed: number;
  /** Data generation, model set-up and the training loop with its evaluations. */
  seconds?: number;
  /** Mean |pred − true| over the whole 1000-point trajectory after the last iteration. */
  finalLoss?: number;
  /** Mean NFE per iteration, forward and backward. */
  nfeForward?: number;
  nfeBackward?: number;
  error?: string;
}

export interface SpiralReport {
  iterations: number;
  runs: SpiralRun[];
}

export interface SpiralOptions {
  seeds: readonly number[];
  /** How many of the seeds torchdiffeq's adjoint runs too (it is the slowest). */
  adjointSeeds: number;
  iterations: number;
  /** TORCHDIFFEQ_PATH when the peer can run. */
  peerPath: string | null;
  progress: (line: string) => void;
}

async function engineRun(seed: number, iterations: number): Promise<SpiralRun> {
  const exp = await loadExperiment(SPIRAL_EXPERIMENT);
  const runsRoot = mkdtempSync(join(tmpdir(), 'neural-ode-spiral-'));
  let nf = 0;
  let nb = 0;
  let n = 0;
  try {
    const start = performance.now();
    const out = await trainExperiment(
      { ...exp, train: { ...exp.train, seed } },
      {
        runsRoot,
        iterations,
        onProgress: (p) => {
          nf += p.nfeForward;
          nb += p.nfeBackward;
          n++;
        },
      },
    );
    const seconds = (performance.now() - start) / 1000;
    if (out.status !== 'finished') return { who: 'engine', seed, error: `${out.status}: ${out.message ?? ''}` };
    return { who: 'engine', seed, seconds, finalLoss: out.evalLoss ?? undefined, nfeForward: nf / n, nfeBackward: nb / n };
  } finally {
    rmSync(runsRoot, { recursive: true, force: true });
  }
}

function peerRun(peerPath: string, seed: number, iterations: number, adjoint: boolean): Promise<SpiralRun> {
  const who: SpiralWho = adjoint ? 'torchdiffeq-adjoint' : 'torchdiffeq';
  const args = [FIT_SCRIPT, peerPath, '--seed', String(seed), '--iterations', String(iterations), ...(adjoint ? ['--adjoint'] : [])];
  return new Promise((done) => {
    const child = spawn(PEER_PYTHON, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-2000)));
    child.on('error', (e) => done({ who, seed, error: `${PEER_PYTHON} failed: ${e.message}` }));
    child.on('close', (code) => {
      const line = out.trim().split('\n').pop() ?? '';
      try {
        const r = JSON.parse(line) as { ok: boolean; error?: string; seconds: number; finalLoss: number; nfeForward: number; nfeBackward: number };
        if (!r.ok) return done({ who, seed, error: r.error });
        done({ who, seed, seconds: r.seconds, finalLoss: r.finalLoss, nfeForward: r.nfeForward, nfeBackward: r.nfeBackward });
      } catch {
        done({ who, seed, error: `ode_demo_fit.py exited with code ${code}: ${err.trim().split('\n').pop() ?? 'no output'}` });
      }
    });
  });
}

export async function runSpiralFits(opts: SpiralOptions): Promise<SpiralReport> {
  const runs: SpiralRun[] = [];
  const started = performance.now();
  for (const [i, seed] of opts.seeds.entries()) {
    const jobs: (() => Promise<SpiralRun>)[] = [() => engineRun(seed, opts.iterations)];
    if (opts.peerPath) {
      const path = opts.peerPath;
      jobs.push(() => peerRun(path, seed, opts.iterations, false));
      if (i < opts.adjointSeeds) jobs.push(() => peerRun(path, seed, opts.iterations, true));
    }
    // Rotate who goes first, so neither side always runs right after the other's heavy run.
    for (let k = 0; k < jobs.length; k++) {
      // Only the engine's run can throw (the peer's report their failures).
      const run: SpiralRun = await jobs[(k + i) % jobs.length]().catch((e: unknown) => ({ who: 'engine', seed, error: (e as Error).message }));
      runs.push(run);
      const what = run.error ? `error: ${run.error}` : `${run.seconds!.toFixed(2)} s, final loss ${run.finalLoss?.toFixed(4)}`;
      opts.progress(`spiral ${run.who} seed ${seed}: ${what} (${((performance.now() - started) / 1000).toFixed(0)} s so far)`);
    }
  }
  return { iterations: opts.iterations, runs };
}
