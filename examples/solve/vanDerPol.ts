// Van der Pol's oscillator with μ = 1000: stiff. An implicit method crosses [0, 3000] in a few
// thousand steps; an explicit one would need hundreds of thousands and reports the stiffness:
//   node dist/cli.js solve examples/solve/vanDerPol.ts                  # kvaerno3, as set below
//   node dist/cli.js solve examples/solve/vanDerPol.ts --method dopri5  # stops: "looks stiff"
const mu = 1000;

export default {
  f: (_t: number, [x, v]: Float64Array): number[] => [v, mu * (1 - x * x) * v - x],
  y0: [2, 0],
  t: [0, 500, 1000, 1500, 2000, 2500, 3000],
  method: 'kvaerno3',
  rtol: 1e-6,
  atol: 1e-6,
  options: { maxNumSteps: 20000 },
};
