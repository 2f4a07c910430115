/**
 * A TensorFlow.js field compiled for one state shape: its function recorded at three times
 * (record.ts), made a program (program.ts) and replayed on float64 arrays (replay.ts), after
 * the replay's f and VJP are checked against tfjs's own at the first state it is given. The
 * engine then runs the user's model without tfjs's per-operation cost, which dominates at the
 * batch sizes of training (tens of microseconds an operation against a few of arithmetic).
 */
import { tf } from '../../backend/tf';
import type { TensorField } from '../field';
import { programOf } from './program';
import { NotTraceable, record, type Recording } from './record';
import { Replay } from './replay';

export type Traced = { replay: Replay; why?: undefined } | { replay?: undefined; why: string };

/** The relative difference allowed between tfjs (float32) and the replay (float64). */
const TOLERANCE = 2e-4;

function agree(ref: ArrayLike<number>, got: ArrayLike<number>): boolean {
  let scale = 1;
  for (let i = 0; i < ref.length; i++) if (Number.isFinite(ref[i])) scale = Math.max(scale, Math.abs(ref[i]));
  for (let i = 0; i < ref.length; i++) {
    if (Number.isNaN(ref[i]) !== Number.isNaN(got[i])) return false;
    if (!Number.isNaN(ref[i]) && !(Math.abs(ref[i] - got[i]) <= TOLERANCE * scale)) return false;
  }
  return true;
}

/**
 * The field compiled for states of `shape`, checked at (t, y) with the parameter values
 * `params` (the variables' current values, in their own layout); or why it stays on tfjs.
 */
export function traceTensorField(field: TensorField, shape: readonly number[], t: number, y: Float64Array, params: readonly Float64Array[]): Traced {
  const ts = [t, t + 0.4142135623730951, t - 0.7320508075688772];
  const yt = tf.tensor(Float32Array.from(y), [...shape], 'float32');
  const recs: Recording[] = [];
  try {
    for (const time of ts) {
      tf.tidy(() => {
        recs.push(record((tt, yy) => field.f(tt, yy), time, yt, field.params));
        return recs[recs.length - 1].result;
      });
    }
    const replay = new Replay(programOf(recs, ts));
    const f = replay.forward(t, y, params);
    if (!agree(recs[0].result.dataSync(), f)) return { why: 'its compiled form gave a different dy/dt from TensorFlow.js' };
    const a = Float64Array.from(y, (_, i) => Math.cos(1 + i));
    const got = replay.vjp(t, y, a, params);
    const ref = tf.tidy(() => field.vjp(t, yt, tf.tensor(Float32Array.from(a), [...shape], 'float32')));
    try {
      const same = agree(ref.y.dataSync(), got.y) && ref.params.every((p, i) => agree(p.dataSync(), got.params[i]));
      if (!same) return { why: 'its compiled form gave a different gradient from TensorFlow.js' };
    } finally {
      ref.y.dispose();
      ref.params.forEach((p) => p.dispose());
    }
    return { replay };
  } catch (err) {
    if (err instanceof NotTraceable) return { why: err.message };
    throw err;
  } finally {
    yt.dispose();
    recs.forEach((r) => r.result.dispose());
  }
}
