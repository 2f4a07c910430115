/** The benchmark cases: which problems, methods, tolerances and end times. */
import type { MlpProblem } from './problems';

export interface BenchCase {
  readonly problem: MlpProblem;
  readonly method: 'dopri5' | 'rk4';
  readonly rtol: number;
  readonly atol: number;
  /** rk4 only. */
  readonly stepSize?: number;
  readonly T: number;
}

/** dopri5 at two tolerance pairs and rk4 at step 0.05, as in torchdiffeq's own examples. */
export const SETTINGS = [
  { method: 'dopri5', rtol: 1e-5, atol: 1e-6 },
  { method: 'dopri5', rtol: 1e-7, atol: 1e-9 },
  { method: 'rk4', rtol: 0, atol: 0, stepSize: 0.05 },
] as const;

/** T = 1 for every problem; T = 10 as well where the peer recorded answers for it. */
export function casesFor(problem: MlpProblem): BenchCase[] {
  const out: BenchCase[] = [];
  const ends = problem.reference.size > 0 ? [1, 10] : [1];
  for (const T of ends) for (const s of SETTINGS) out.push({ problem, ...s, T });
  return out;
}

export function caseLabel(c: BenchCase): string {
  const how = c.method === 'rk4' ? `rk4 h=${c.stepSize}` : `dopri5 ${c.rtol.toExponential(0)}/${c.atol.toExponential(0)}`;
  return `${c.problem.name} ${how} T=${c.T}`;
}

/** Steps a solve took from its NFE, for solvers that report only NFE (dopri5 is FSAL: 2 + 6·steps). */
export function stepsFromNfe(method: BenchCase['method'], nfe: number): number {
  return method === 'rk4' ? nfe / 4 : (nfe - 2) / 6;
}
