/**
 * A field's backprop tape when its batches may be shared among threads: a batch the threads take
 * is recorded by them, each share in its own thread (BatchThreads.record), and anything else by
 * the field's own tape. The reverse sweep then finds every stage's record where it was made.
 */
import type { ActivationTape } from '../fields/field';
import type { BatchThreads } from './pool';

const sameValues = (a: Float64Array, b: Float64Array) => a.length === b.length && a.every((v, i) => Object.is(v, b[i]));

export function sharedTape(
  local: ActivationTape,
  threads: BatchThreads,
  dim: number,
  theta: Float64Array,
  plain: { f(t: number, y: Float64Array): Float64Array; vjp(t: number, y: Float64Array, a: Float64Array): { y: Float64Array; params: Float64Array } },
  maxBytes: number,
): ActivationTape {
  const shared = new Map<number, { t: number; y: Float64Array }>();
  let open = true;
  return {
    f: (t, y) => {
      const r = open ? threads.record(t, y, theta, maxBytes) : null;
      if (r) {
        shared.set(r.record, { t, y: Float64Array.from(y) });
        return r;
      }
      // not shared: the field's own tape, or (shared, no room) no record
      return threads.takes(y.length / dim) ? { f: plain.f(t, y), record: -1 } : local.f(t, y);
    },
    matches: (rec, t, y) => {
      const s = shared.get(rec);
      return s ? s.t === t && sameValues(s.y, y) : local.matches(rec, t, y);
    },
    vjp: (rec, t, y, a, into) => {
      if (!shared.has(rec)) return local.vjp(rec, t, y, a, into);
      const g = threads.vjp(t, y, a, theta, rec) ?? plain.vjp(t, y, a);
      if (!into) return g;
      for (let i = 0; i < into.length; i++) into[i] += g.params[i];
      return { y: g.y, params: into };
    },
    free: (rec) => {
      if (shared.delete(rec)) threads.free(rec);
      else local.free(rec);
    },
    close: () => {
      open = false;
      if (shared.size > 0) threads.free(-1);
      shared.clear();
      local.close();
    },
    get size() {
      return shared.size + local.size;
    },
    get bytes() {
      return local.bytes;
    },
  };
}
