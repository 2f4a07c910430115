/**
 * Backprop's tape records for one share of a batch, kept where the share is evaluated: the VJP
 * of a stage then needs no second forward pass there. Two kinds: on an ActivationTape (an
 * mlpField's kernel records), or on a compiled field's Replay (keep(), then vjp from it).
 */
import type { ActivationTape } from '../fields/field';
import { KEEP_LIMIT_BYTES, type Replay } from '../fields/trace/replay';
import type { SliceRecords } from './protocol';

/** Records on a tape opened when first needed; `setTheta` gives the field the call's θ first. */
export function tapeRecords(open: () => ActivationTape | null, setTheta: (theta: Float64Array) => void): SliceRecords {
  let tape: ActivationTape | null = null;
  const local = new Map<number, number>();
  return {
    record: (id, t, y, theta) => {
      setTheta(theta);
      tape ??= open();
      if (!tape) throw new Error('this field keeps no tape');
      const before = tape.bytes;
      const r = tape.f(t, y);
      if (r.record >= 0) local.set(id, r.record);
      return { f: Float64Array.from(r.f), bytes: tape.bytes - before };
    },
    vjp: (id, t, y, a, theta) => {
      const rec = local.get(id);
      if (rec === undefined || !tape) return null;
      setTheta(theta);
      return tape.vjp(rec, t, y, a);
    },
    free: (id) => {
      if (id < 0) {
        tape?.close();
        tape = null;
        local.clear();
        return;
      }
      const rec = local.get(id);
      if (rec !== undefined) tape?.free(rec);
      local.delete(id);
    },
  };
}

/** Records of a compiled field: what its forward pass computed, good for the θ it ran with. */
export function replayRecords(
  replayFor: (y: Float64Array) => Replay,
  variables: (theta: Float64Array) => Float64Array[],
  grads: (g: readonly Float64Array[]) => Float64Array,
): SliceRecords {
  const held = new Map<number, { kept: Float64Array[]; theta: Float64Array }>();
  return {
    record: (id, t, y, theta) => {
      const replay = replayFor(y);
      const f = Float64Array.from(replay.forward(t, y, variables(theta)));
      if (replay.keptBytes > KEEP_LIMIT_BYTES) return { f, bytes: 0 };
      held.set(id, { kept: replay.keep(), theta: Float64Array.from(theta) });
      return { f, bytes: replay.keptBytes };
    },
    vjp: (id, t, y, a, theta) => {
      const r = held.get(id);
      if (!r || r.theta.some((v, i) => !Object.is(v, theta[i]))) return null;
      const g = replayFor(y).vjp(t, y, a, variables(theta), r.kept);
      return { y: Float64Array.from(g.y), params: grads(g.params) };
    },
    free: (id) => (id < 0 ? held.clear() : held.delete(id)),
  };
}
