/**
 * The solver methods an experiment may name, as a string-literal type, so the editor completes
 * `solver.method` and underlines a misspelt one before anything runs. The registry
 * (solvers/registry) is the runtime list; a unit test holds the two to the same names.
 */
export const SOLVER_METHODS = [
  'dopri5', 'dopri8', 'tsit5', 'bosh3', 'fehlberg2', 'adaptive_heun',
  'euler', 'midpoint', 'heun', 'heun2', 'heun3', 'rk4', 'rk4_classic',
  'explicit_adams', 'lm', 'implicit_euler', 'kvaerno3',
] as const;

/** A built-in solver method. A method added with registerMethod is accepted at run time: write `'mine' as SolverMethod`. */
export type SolverMethod = (typeof SOLVER_METHODS)[number];
