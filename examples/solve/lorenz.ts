// The Lorenz system, solved from the command line:
//   node dist/cli.js solve examples/solve/lorenz.ts --method dopri5 --rtol 1e-8
// A module for `neural-ode solve` default-exports { f, y0, t } (and may set method, rtol, atol, options).
const sigma = 10;
const rho = 28;
const beta = 8 / 3;

export default {
  f: (_t: number, [x, y, z]: Float64Array): number[] => [sigma * (y - x), x * (rho - z) - y, x * y - beta * z],
  y0: [1, 1, 1],
  t: [0, 0.5, 1, 1.5, 2],
  rtol: 1e-8,
  atol: 1e-10,
};
