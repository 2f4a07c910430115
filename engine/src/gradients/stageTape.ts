import type { ActivationTape } from '../fields/field';

/**
 * A field's activation tape as the discrete sweep uses it. The solver calls `f` for every stage
 * (rejected attempts, the first-step heuristic and jumps included) without saying which stage it
 * evaluates; the sweep's stage hook then `claim`s the record of the stage it keeps, found by the
 * state's identity and checked by its time and values, so a record is only ever used for the
 * point it was made at. Claims are counted: a stage kept twice (the first stage of a rejected
 * attempt and of its retry) holds its record until both let go. The few unclaimed records made
 * last stay claimable (a step's first stage was evaluated at the end of the previous step);
 * older ones are freed as new ones come.
 */
export interface StageTape<S, P> {
  /** f(t, y), recorded; the result may be a buffer the tape reuses (copy it to keep it). */
  f(t: number, y: S): S;
  /** The record of the last f at exactly (t, y), claimed; -1 when there is none. */
  claim(t: number, y: S): number;
  /** vjp(t, y, a) from a claimed record, its dL/dθ added to `acc` (consumed: use the returned params). */
  vjp(record: number, t: number, y: S, a: S, acc: P): { y: S; params: P };
  /** Lets go of one claim. */
  release(record: number): void;
  /** Frees every record. */
  close(): void;
  /** Bytes the records hold now. */
  readonly bytes: number;
}

interface Entry {
  readonly record: number;
  /** The state f was called with: the lookup key (the tape checks its values and t). */
  readonly key: Float64Array;
  claims: number;
}

/** Unclaimed records kept claimable (one step's stages and a few more). */
const RECENT = 8;

export function nativeStageTape(tape: ActivationTape): StageTape<Float64Array, Float64Array> {
  const entries = new Map<number, Entry>();
  const latest = new Map<Float64Array, Entry>();
  const recent: Entry[] = [];
  const drop = (e: Entry): void => {
    entries.delete(e.record);
    if (latest.get(e.key) === e) latest.delete(e.key);
    const at = recent.indexOf(e);
    if (at >= 0) recent.splice(at, 1);
    tape.free(e.record);
  };
  return {
    f(t, y) {
      const r = tape.f(t, y);
      if (r.record < 0) return r.f;
      const e: Entry = { record: r.record, key: y, claims: 0 };
      const before = latest.get(y);
      entries.set(e.record, e);
      latest.set(y, e);
      if (before && before.claims === 0) drop(before);
      recent.push(e);
      while (recent.length > RECENT) drop(recent[0]);
      return r.f;
    },
    claim(t, y) {
      const e = latest.get(y);
      if (!e || !tape.matches(e.record, t, y)) return -1;
      if (e.claims++ === 0) recent.splice(recent.indexOf(e), 1);
      return e.record;
    },
    vjp(record, t, y, a, acc) {
      const g = tape.vjp(record, t, y, a, acc);
      if (g.params === acc) return g;
      // A tape that ignored `into` (it is optional): add its dL/dθ here.
      for (let r = 0; r < acc.length; r++) acc[r] += g.params[r];
      return { y: g.y, params: acc };
    },
    release(record) {
      const e = entries.get(record);
      if (!e || --e.claims > 0) return;
      // Still the last evaluation at its state: claimable again (a retried step's first stage).
      if (latest.get(e.key) === e) recent.push(e);
      else drop(e);
    },
    close() {
      entries.clear();
      latest.clear();
      recent.length = 0;
      tape.close();
    },
    get bytes() {
      return tape.bytes;
    },
  };
}
