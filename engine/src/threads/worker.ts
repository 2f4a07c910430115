/**
 * A thread that evaluates its share of a batch (see protocol.ts): it waits on its control words,
 * evaluates f or the VJP of its samples with the field its recipe rebuilds, writes the results
 * into shared memory and says it is done. It keeps the last few fields it was given.
 */
import { isMainThread, receiveMessageOnPort, workerData, type MessagePort } from 'node:worker_threads';
import { markBatchThread } from './pool';
import { CTRL, dataLayout, OP, type SetupMessage, type SliceField } from './protocol';
import { sliceField } from './recipe';

interface Known {
  setup: SetupMessage;
  slice: SliceField;
  data: Float64Array;
  layout: ReturnType<typeof dataLayout>;
}

const KEEP = 8;

export function serveThread(ctrlBuffer: SharedArrayBuffer, port: MessagePort): void {
  markBatchThread();
  const ctrl = new Int32Array(ctrlBuffer);
  const fields = new Map<number, Known>();
  let seq = 0;
  for (;;) {
    Atomics.wait(ctrl, CTRL.seq, seq);
    seq = Atomics.load(ctrl, CTRL.seq);
    try {
      run(ctrl, port, fields);
      ctrl[CTRL.error] = 0;
    } catch (err) {
      ctrl[CTRL.error] = 1;
      port.postMessage({ error: (err as Error)?.message ?? String(err) });
    }
    Atomics.store(ctrl, CTRL.done, seq);
    Atomics.notify(ctrl, CTRL.done);
  }
}

function run(ctrl: Int32Array, port: MessagePort, fields: Map<number, Known>): void {
  if (ctrl[CTRL.op] === OP.setup) {
    const setup = receiveMessageOnPort(port)!.message as SetupMessage;
    fields.delete(setup.field);
    if (fields.size >= KEEP) fields.delete(fields.keys().next().value!);
    const data = new Float64Array(setup.data);
    fields.set(setup.field, { setup, slice: sliceField(setup.recipe, setup.thetaSize), data, layout: dataLayout(setup.n, setup.thetaSize, setup.threads) });
    return;
  }
  const known = fields.get(ctrl[CTRL.field]);
  if (!known) throw new Error(`thread: no field ${ctrl[CTRL.field]}`);
  const { data, layout: L, setup } = known;
  const [from, to] = [ctrl[CTRL.lo] * setup.dim, ctrl[CTRL.hi] * setup.dim];
  const t = data[L.t];
  const theta = data.subarray(L.theta, L.theta + setup.thetaSize);
  const y = data.subarray(L.y + from, L.y + to);
  const { slice } = known;
  const op = ctrl[CTRL.op];
  const id = ctrl[CTRL.record];
  if (op === OP.free) return slice.record.free(id);
  if (op === OP.f || op === OP.record) {
    data.set(op === OP.f ? slice.f(t, y, theta) : slice.record.record(id, t, y, theta).f, L.f + from);
    return;
  }
  const a = data.subarray(L.a + from, L.a + to);
  // a record this share does not hold (not kept, or another θ): the VJP recomputes
  const g = (op === OP.vjpRecord ? slice.record.vjp(id, t, y, a, theta) : null) ?? slice.vjp(t, y, a, theta);
  data.set(g.y, L.gy + from);
  data.set(g.params, L.gp + setup.index * setup.thetaSize);
}

const job = workerData as { role?: string; ctrl?: SharedArrayBuffer; port?: MessagePort } | null;
if (!isMainThread && job?.role === 'neural-ode-thread') serveThread(job.ctrl!, job.port!);
