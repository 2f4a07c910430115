import type { ButcherTableau } from '../tableau';

// Explicit Runge–Kutta methods without error estimates, stepped on a fixed grid.

export const euler: ButcherTableau = { name: 'euler', order: 1, c: [0], a: [[]], b: [1] };

export const midpoint: ButcherTableau = { name: 'midpoint', order: 2, c: [0, 1 / 2], a: [[], [1 / 2]], b: [0, 1] };

/** Heun's method (explicit trapezoid), also known as heun2. */
export const heun: ButcherTableau = { name: 'heun', order: 2, c: [0, 1], a: [[], [1]], b: [1 / 2, 1 / 2] };

export const heun3: ButcherTableau = {
  name: 'heun3',
  order: 3,
  c: [0, 1 / 3, 2 / 3],
  a: [[], [1 / 3], [0, 2 / 3]],
  b: [1 / 4, 0, 3 / 4],
};

/**
 * Kutta's 3/8 rule: the fourth-order method torchdiffeq calls `rk4`, so results agree with it
 * step for step. The classic RK4 is `rk4_classic`.
 */
export const rk4: ButcherTableau = {
  name: 'rk4',
  order: 4,
  c: [0, 1 / 3, 2 / 3, 1],
  a: [[], [1 / 3], [-1 / 3, 1], [1, -1, 1]],
  b: [1 / 8, 3 / 8, 3 / 8, 1 / 8],
};

export const rk4Classic: ButcherTableau = {
  name: 'rk4_classic',
  order: 4,
  c: [0, 1 / 2, 1 / 2, 1],
  a: [[], [1 / 2], [0, 1 / 2], [0, 0, 1]],
  b: [1 / 6, 1 / 3, 1 / 3, 1 / 6],
};
