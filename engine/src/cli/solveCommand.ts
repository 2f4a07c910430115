import { odeint } from '../odeint';
import { SolverError } from '../solvers/errors';
import type { SolverOptions } from '../solvers/stepper';
import { loadUserModule } from '../experiments/loadModule';

/** What a module given to `neural-ode solve` default-exports. */
export interface SolveModule {
  f: (t: number, y: Float64Array) => ArrayLike<number>;
  y0: ArrayLike<number>;
  t: ArrayLike<number>;
  method?: string;
  rtol?: number;
  atol?: number;
  options?: SolverOptions;
}

export interface SolveArgs {
  module: string;
  method?: string;
  rtol?: number;
  atol?: number;
  stepSize?: number;
}

export interface SolveOutput {
  method: string;
  t: number[];
  ys: number[][];
  stats: Record<string, unknown>;
}

function checkModule(m: unknown, file: string): SolveModule {
  const bad = (what: string): never => {
    throw new SolverError('input', `${file}: ${what}. The module must \`export default { f, y0, t }\` with f(t, y) => dy/dt.`);
  };
  if (!m || typeof m !== 'object') bad('it has no default export');
  const mod = m as Partial<SolveModule>;
  if (typeof mod.f !== 'function') bad('its default export has no function f');
  if (!mod.y0 || typeof (mod.y0 as ArrayLike<number>).length !== 'number') bad('y0 is not an array of numbers');
  if (!mod.t || typeof (mod.t as ArrayLike<number>).length !== 'number') bad('t is not an array of times');
  return mod as SolveModule;
}

/** Solves the module's problem; command-line flags override what the module sets. */
export async function solveCommand(args: SolveArgs): Promise<SolveOutput> {
  const mod = checkModule(await loadUserModule(args.module), args.module);
  const options: SolverOptions = { ...mod.options };
  if (args.stepSize !== undefined) options.stepSize = args.stepSize;
  const y0: Float64Array = Float64Array.from(mod.y0);
  const sol = await odeint((t, y) => mod.f(t, y) as Float64Array, y0, mod.t, {
    method: args.method ?? mod.method,
    rtol: args.rtol ?? mod.rtol,
    atol: args.atol ?? mod.atol,
    options,
  });
  const { method, ...stats } = sol.stats;
  return { method, t: Array.from(mod.t), ys: sol.ys.map((y) => Array.from(y)), stats };
}
