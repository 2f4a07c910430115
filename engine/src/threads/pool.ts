/**
 * The threads a large batch is shared among: the engine's own thread evaluates the first share
 * and (threads − 1) worker threads the others, all synchronously (a solver calls f and waits).
 * One pool per engine thread, started at the first batch large enough to pay for it; its
 * workers do not keep the process alive.
 *
 * How many: NEURAL_ODE_THREADS, else every core (os.availableParallelism). 1 turns them off.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import * as path from 'node:path';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { CTRL, dataLayout, OP, type FieldRecipe, type SetupMessage, type SliceField } from './protocol';

const cores = availableParallelism();

/** Threads the engine may use: NEURAL_ODE_THREADS when set to a whole number ≥ 1, else every core. */
export function threadCount(): number {
  const env = Number(process.env.NEURAL_ODE_THREADS);
  return Number.isInteger(env) && env >= 1 ? env : cores;
}

/** The threads' script: the bundle beside this one, or the TypeScript source through tsx. */
const workerScript = (): string =>
  __filename.endsWith('.ts') ? path.join(__dirname, 'workerFromSource.mjs') : path.join(__dirname, 'engineThreads.js');

interface Thread {
  worker: Worker;
  ctrl: Int32Array;
  port: MessagePort;
}

class Pool {
  readonly threads: Thread[];

  constructor(n: number, script: string) {
    this.threads = Array.from({ length: n }, () => {
      const ctrl = new Int32Array(new SharedArrayBuffer(CTRL.words * 4));
      const { port1, port2 } = new MessageChannel();
      const worker = new Worker(script, { workerData: { role: 'neural-ode-thread', ctrl: ctrl.buffer, port: port2 }, transferList: [port2] });
      worker.unref();
      port1.unref();
      return { worker, ctrl, port: port1 };
    });
  }

  /** Starts `op` on thread i (its control words set by `words`); wait() collects it. */
  start(i: number, op: number, words: Partial<Record<'field' | 'lo' | 'hi', number>> = {}): void {
    const { ctrl } = this.threads[i];
    ctrl[CTRL.op] = op;
    for (const [k, v] of Object.entries(words)) ctrl[CTRL[k as 'field']] = v;
    Atomics.add(ctrl, CTRL.seq, 1);
    Atomics.notify(ctrl, CTRL.seq);
  }

  /** Waits for thread i's call; throws what it threw, or after a minute without an answer (a thread gone). */
  wait(i: number): void {
    const { ctrl, port } = this.threads[i];
    const seq = Atomics.load(ctrl, CTRL.seq);
    const done = Atomics.load(ctrl, CTRL.done);
    if (done !== seq && Atomics.wait(ctrl, CTRL.done, done, 60_000) === 'timed-out') {
      pool = null; // no more calls to threads that may be gone
      throw new Error('a batch thread did not answer within a minute; the engine goes on with one thread (NEURAL_ODE_THREADS=1 avoids them).');
    }
    if (ctrl[CTRL.error]) throw new Error(`a batch thread failed: ${(receiveMessageOnPort(port)?.message as { error?: string })?.error ?? 'no message'}`);
  }
}

let pool: Pool | null | undefined;
let fields = 0;
/** Tape records the threads keep have ids of their own, above any an ActivationTape gives locally. */
let records = 2 ** 30;
let shared = 0;
/** How many calls shared their batch among threads so far, and how many of them kept tape records (this thread's pool). */
export const sharedBatches = (): number => shared;
let recorded = 0;
export const recordedBatches = (): number => recorded;
/** True in a batch thread itself: its share is evaluated there, not shared again. */
let inThread = false;
export const markBatchThread = (): void => {
  inThread = true;
};

function sharedPool(): Pool | null {
  if (pool === undefined) {
    const n = threadCount() - 1;
    const script = workerScript();
    pool = n >= 1 && existsSync(script) ? new Pool(n, script) : null;
  }
  return pool;
}

/** Work (samples × θ's size, about multiply–adds per evaluation) that pays for one more thread's wake-up. */
const SHARE_WORK = 2 ** 17;

/**
 * How many threads share a batch: as many as its work keeps busy (a share of at least
 * SHARE_WORK, and of two samples), at most `threads`; 1 is none. Sixteen cores do not split a
 * middling batch sixteen ways.
 */
export function sharesFor(batch: number, thetaSize: number, threads: number): number {
  return Math.max(1, Math.min(threads, Math.floor((batch * thetaSize) / SHARE_WORK), Math.floor(batch / 2)));
}

/**
 * A field's batches shared among the pool's threads when they are large enough. f and vjp give
 * null for a batch the caller should evaluate itself (small, or no threads).
 */
export class BatchThreads {
  private readonly id = ++fields;
  private data: Float64Array | null = null;
  private layout = dataLayout(0, 0, 0);
  /** The batch the threads were last set up for, whether they could be, and the pool's threads that help (the others idle). */
  private batch = -1;
  private set = false;
  private shares: [number, number][] = [];
  private helpers = 0;
  /** The tape records the threads keep, and about how many bytes each holds in all. */
  private readonly kept = new Map<number, number>();
  private keptBytes = 0;

  /**
   * `recipe` rebuilds the field in a thread for slices of the given batch sizes, given the call's
   * t and y (null: it cannot);
   * `own` evaluates this thread's share with the field itself, never shared again.
   */
  constructor(
    private readonly dim: number,
    private readonly thetaSize: number,
    private readonly recipe: (sliceBatches: number[], t: number, y: Float64Array) => FieldRecipe | null,
    private readonly own: SliceField,
  ) {}

  /** Whether a batch of this many samples is shared among threads (else the caller evaluates it). */
  takes(batch: number): boolean {
    // the cheap tests first: a small batch costs nothing here (reading process.env does)
    if (inThread || batch * this.thetaSize < 2 * SHARE_WORK) return false;
    return sharesFor(batch, this.thetaSize, threadCount()) >= 2 && sharedPool() !== null && (batch !== this.batch || this.set);
  }

  private ready(t: number, y: Float64Array): Pool | null {
    const batch = y.length / this.dim;
    if (!this.takes(batch)) return null;
    const p = sharedPool()!;
    if (batch === this.batch) return p;
    const n = sharesFor(batch, this.thetaSize, p.threads.length + 1);
    this.helpers = n - 1;
    this.shares = Array.from({ length: n }, (_, k) => [Math.floor((k * batch) / n), Math.floor(((k + 1) * batch) / n)]);
    const recipe = this.recipe([...new Set(this.shares.map(([lo, hi]) => hi - lo))], t, y);
    this.batch = batch;
    this.set = recipe !== null;
    if (!recipe) return null;
    this.layout = dataLayout(batch * this.dim, this.thetaSize, n);
    const data = new SharedArrayBuffer(this.layout.length * 8);
    this.data = new Float64Array(data);
    p.threads.slice(0, this.helpers).forEach((th, i) => {
      const setup: SetupMessage = { field: this.id, recipe, dim: this.dim, thetaSize: this.thetaSize, n: batch * this.dim, threads: n, index: i + 1, data };
      th.port.postMessage(setup);
      p.start(i, OP.setup);
    });
    this.waitAll(p);
    return p;
  }

  /** The helping threads, by index. */
  private each(fn: (i: number) => void): void {
    for (let i = 0; i < this.helpers; i++) fn(i);
  }

  private waitAll(p: Pool): void {
    this.each((i) => p.wait(i));
  }

  private call(op: number, t: number, y: Float64Array, a: Float64Array | null, theta: Float64Array, record = -1): Pool | null {
    const p = this.ready(t, y);
    if (!p) return null;
    this.each((i) => (p.threads[i].ctrl[CTRL.record] = record));
    const [d, L] = [this.data!, this.layout];
    d[L.t] = t;
    d.set(theta, L.theta);
    d.set(y, L.y);
    if (a) d.set(a, L.a);
    this.each((i) => p.start(i, op, { field: this.id, lo: this.shares[i + 1][0], hi: this.shares[i + 1][1] }));
    shared++;
    return p;
  }

  f(t: number, y: Float64Array, theta: Float64Array): Float64Array | null {
    const p = this.call(OP.f, t, y, null, theta);
    if (!p) return null;
    const [d, L] = [this.data!, this.layout];
    const hi = this.shares[0][1] * this.dim;
    const mine = this.own.f(t, y.subarray(0, hi), theta);
    this.waitAll(p);
    const out = d.slice(L.f, L.f + y.length);
    out.set(mine);
    return out;
  }

  /**
   * Backprop's tape for a shared batch: f, with each share keeping its record in its own thread;
   * null when the batch is not shared, or the records already hold `maxBytes` (about: this
   * thread's share times the shares).
   */
  record(t: number, y: Float64Array, theta: Float64Array, maxBytes: number): { f: Float64Array; record: number } | null {
    if (!this.takes(y.length / this.dim) || this.keptBytes > maxBytes) return null;
    const id = ++records;
    const p = this.call(OP.record, t, y, null, theta, id);
    if (!p) return null;
    const hi = this.shares[0][1] * this.dim;
    const mine = this.own.record.record(id, t, y.subarray(0, hi), theta);
    this.waitAll(p);
    recorded++;
    this.kept.set(id, mine.bytes * (this.helpers + 1));
    this.keptBytes += mine.bytes * (this.helpers + 1);
    const out = this.data!.slice(this.layout.f, this.layout.f + y.length);
    out.set(mine.f);
    return { f: out, record: id };
  }

  /** Frees a record the threads keep; -1 frees them all. */
  free(record: number): void {
    const p = pool;
    if (!p || (record >= 0 && !this.kept.has(record))) return;
    this.own.record.free(record);
    this.each((i) => {
      p.threads[i].ctrl[CTRL.record] = record;
      p.start(i, OP.free, { field: this.id });
    });
    this.waitAll(p);
    if (record < 0) {
      this.kept.clear();
      this.keptBytes = 0;
    } else {
      this.keptBytes -= this.kept.get(record)!;
      this.kept.delete(record);
    }
  }

  vjp(t: number, y: Float64Array, a: Float64Array, theta: Float64Array, record = -1): { y: Float64Array; params: Float64Array } | null {
    const p = this.call(record < 0 ? OP.vjp : OP.vjpRecord, t, y, a, theta, record);
    if (!p) return null;
    const [d, L] = [this.data!, this.layout];
    const hi = this.shares[0][1] * this.dim;
    const [ys, as] = [y.subarray(0, hi), a.subarray(0, hi)];
    const mine = (record >= 0 ? this.own.record.vjp(record, t, ys, as, theta) : null) ?? this.own.vjp(t, ys, as, theta);
    this.waitAll(p);
    const gy = d.slice(L.gy, L.gy + y.length);
    gy.set(mine.y);
    const params = mine.params;
    for (let k = 1; k <= this.helpers; k++) {
      const row = L.gp + k * this.thetaSize;
      for (let j = 0; j < this.thetaSize; j++) params[j] += d[row + j];
    }
    return { y: gy, params };
  }
}
