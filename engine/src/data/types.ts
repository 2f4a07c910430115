/**
 * The shapes datasets come in. Arrays are flat and row-major, so a batch of states is one
 * Float64Array the native solvers integrate directly (batch × dim, sample-major).
 */

/** A sampled trajectory of an ODE: ys[i] is the (possibly noisy) state at t[i]. */
export interface TrajectoryData {
  name: string;
  dim: number;
  t: Float64Array;
  ys: Float64Array[];
  /** The noise-free states, when the data were made with observation noise. */
  trueYs?: Float64Array[];
  y0: Float64Array;
}

/** Points in R^dim, with a label per point where the task has one. */
export interface PointData {
  name: string;
  n: number;
  dim: number;
  /** n × dim, row-major. */
  x: Float64Array;
  /** One label per point (class index, or ±1 for the nested-spheres task). */
  labels?: Float64Array;
}
