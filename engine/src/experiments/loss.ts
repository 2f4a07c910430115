/** A training loss between predicted and observed states, with its gradient in the predictions. */
export interface TrajectoryLoss {
  value: number;
  /** dL/dprediction[i] for every output time. */
  grads: Float64Array[];
}

/**
 * Mean over every output time and component of |pred − obs| ('l1', ode_demo's loss) or
 * (pred − obs)² ('mse'). At pred = obs the l1 gradient is taken as 0.
 */
export function trajectoryLoss(kind: 'l1' | 'mse', pred: readonly Float64Array[], obs: readonly Float64Array[]): TrajectoryLoss {
  let count = 0;
  for (const p of pred) count += p.length;
  let sum = 0;
  const grads = pred.map((p, i) => {
    const o = obs[i];
    const g = new Float64Array(p.length);
    for (let j = 0; j < p.length; j++) {
      const d = p[j] - o[j];
      if (kind === 'l1') {
        sum += Math.abs(d);
        g[j] = Math.sign(d) / count;
      } else {
        sum += d * d;
        g[j] = (2 * d) / count;
      }
    }
    return g;
  });
  return { value: sum / count, grads };
}
