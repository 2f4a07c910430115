import { SolverError } from './errors';
import type { SolverOptions } from './stepper';

export interface StopTime {
  t: number;
  /** f jumps here: evaluate it afresh just past t. */
  jump: boolean;
}

/**
 * stepT and jumpT strictly between t0 and tEnd, in the direction of integration, plus `outputs`
 * (times to step onto as well, for methods whose interpolant is not good enough).
 */
export function stopTimes(options: SolverOptions, t0: number, tEnd: number, outputs: readonly number[] = []): StopTime[] {
  const dir = tEnd >= t0 ? 1 : -1;
  const collect = (name: 'stepT' | 'jumpT', values: ArrayLike<number> | undefined): StopTime[] => {
    if (values === undefined) return [];
    const out: StopTime[] = [];
    for (let i = 0; i < values.length; i++) {
      const t = values[i];
      if (!Number.isFinite(t)) {
        throw new SolverError('input', `options.${name}[${i}] is ${t}: every ${name} time must be a finite number.`);
      }
      if (dir * (t - t0) > 0 && dir * (t - tEnd) < 0) out.push({ t, jump: name === 'jumpT' });
    }
    return out;
  };
  const all = [...collect('stepT', options.stepT), ...collect('jumpT', options.jumpT)];
  all.sort((a, b) => dir * (a.t - b.t));
  for (let i = 1; i < all.length; i++) {
    if (all[i].t === all[i - 1].t) {
      throw new SolverError('input', `t = ${all[i].t} appears twice in stepT/jumpT: list each time once (in jumpT if f jumps there).`);
    }
  }
  const inside = outputs.filter((t) => dir * (t - t0) > 0 && dir * (t - tEnd) < 0 && !all.some((s) => s.t === t));
  if (inside.length === 0) return all;
  return [...all, ...inside.map((t) => ({ t, jump: false }))].sort((a, b) => dir * (a.t - b.t));
}
