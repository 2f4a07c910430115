import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  Adam, clipGradNorm, clipGradValue, createOptimizer, decodeCheckpoint, encodeCheckpoint, lrSchedule, optimizerFromState, Rmsprop, Sgd,
  type OptimizerSpec, type OptimizerState,
} from '../../engine/src/train/index';

function close(actual: ArrayLike<number>, expected: ArrayLike<number>, rel = 1e-13): void {
  assert.equal(actual.length, expected.length);
  for (let i = 0; i < expected.length; i++) {
    const tol = rel * Math.max(1, Math.abs(expected[i]));
    assert.ok(Math.abs(actual[i] - expected[i]) <= tol, `[${i}] ${actual[i]} vs ${expected[i]}`);
  }
}

// Two gradients per parameter, a positive, a negative and a zero component.
const theta0 = [0.5, -1.25, 2];
const g1 = [0.3, -2, 0];
const g2 = [-0.1, -1.5, 0.7];

function twoSteps(opt: { step(p: Float64Array, g: Float64Array): void }, grads = [g1, g2]): Float64Array[] {
  const p = Float64Array.from(theta0);
  return grads.map((g) => {
    opt.step(p, Float64Array.from(g));
    return Float64Array.from(p);
  });
}

describe('Adam (torch.optim.Adam)', () => {
  const lr = 0.01, b1 = 0.9, b2 = 0.999, eps = 1e-8;

  it('follows the bias-corrected update for two steps', () => {
    const [p1, p2] = twoSteps(new Adam({ lr }));
    // Step 1: m = (1−β1)g, v = (1−β2)g², so m̂ = g and v̂ = g²: θ moves by lr·g/(|g| + eps).
    const e1 = theta0.map((t, i) => t - (lr * g1[i]) / (Math.abs(g1[i]) + eps));
    close(p1, e1);
    // Step 2, written out: m₂ = β1(1−β1)g₁ + (1−β1)g₂, v₂ = β2(1−β2)g₁² + (1−β2)g₂².
    const e2 = e1.map((t, i) => {
      const m = b1 * (1 - b1) * g1[i] + (1 - b1) * g2[i];
      const v = b2 * (1 - b2) * g1[i] ** 2 + (1 - b2) * g2[i] ** 2;
      return t - (lr / (1 - b1 ** 2)) * (m / (Math.sqrt(v) / Math.sqrt(1 - b2 ** 2) + eps));
    });
    close(p2, e2);
  });

  it('with a constant gradient every step has size lr (bias correction makes m̂ = g, v̂ = g²)', () => {
    const opt = new Adam({ lr: 0.1, eps: 0 });
    const p = Float64Array.of(0, 0);
    for (let k = 1; k <= 50; k++) {
      opt.step(p, Float64Array.of(3, -0.02));
      close(p, [-0.1 * k, 0.1 * k], 1e-12);
    }
    assert.equal(opt.stepCount, 50);
  });

  it('weight decay: L2 added to the gradient (Adam) or decoupled (AdamW)', () => {
    const wd = 0.1;
    const [l2] = twoSteps(new Adam({ lr, weightDecay: wd }));
    close(l2, theta0.map((t, i) => {
      const g = g1[i] + wd * t;
      return t - (lr * g) / (Math.abs(g) + eps);
    }));
    const [dec] = twoSteps(new Adam({ lr, weightDecay: wd, decoupled: true }));
    close(dec, theta0.map((t, i) => t * (1 - lr * wd) - (lr * g1[i]) / (Math.abs(g1[i]) + eps)));
  });
});

describe('RMSprop (torch.optim.RMSprop)', () => {
  const lr = 0.01, a = 0.99, eps = 1e-8;

  it('uses PyTorch defaults (lr 1e-2, alpha 0.99, eps 1e-8) and its update for two steps', () => {
    const [p1, p2] = twoSteps(new Rmsprop());
    const e1 = theta0.map((t, i) => t - (lr * g1[i]) / (Math.sqrt((1 - a) * g1[i] ** 2) + eps));
    close(p1, e1);
    const e2 = e1.map((t, i) => t - (lr * g2[i]) / (Math.sqrt(a * (1 - a) * g1[i] ** 2 + (1 - a) * g2[i] ** 2) + eps));
    close(p2, e2);
  });

  it('centered, with momentum', () => {
    const mu = 0.9;
    const [p1, p2] = twoSteps(new Rmsprop({ lr, centered: true, momentum: mu }));
    // avg = sqrt(E[g²] − E[g]²) + eps; buf = μ·buf + g/avg; θ −= lr·buf.
    const avg1 = g1.map((g) => Math.sqrt((1 - a) * g * g - ((1 - a) * g) ** 2) + eps);
    const buf1 = g1.map((g, i) => g / avg1[i]);
    const e1 = theta0.map((t, i) => t - lr * buf1[i]);
    close(p1, e1);
    const avg2 = g1.map((g, i) => {
      const sq = a * (1 - a) * g * g + (1 - a) * g2[i] ** 2;
      const mean = a * (1 - a) * g + (1 - a) * g2[i];
      return Math.sqrt(sq - mean * mean) + eps;
    });
    close(p2, e1.map((t, i) => t - lr * (mu * buf1[i] + g2[i] / avg2[i])));
  });
});

describe('SGD (torch.optim.SGD)', () => {
  const lr = 0.1, mu = 0.9;

  it('plain, with momentum (buffer seeded with the first gradient), with dampening and with Nesterov', () => {
    const [plain] = twoSteps(new Sgd({ lr }));
    close(plain, theta0.map((t, i) => t - lr * g1[i]));

    const [m1, m2] = twoSteps(new Sgd({ lr, momentum: mu }));
    close(m1, theta0.map((t, i) => t - lr * g1[i]));
    close(m2, theta0.map((t, i) => t - lr * g1[i] - lr * (mu * g1[i] + g2[i])));

    const [, d2] = twoSteps(new Sgd({ lr, momentum: mu, dampening: 0.5 }));
    close(d2, theta0.map((t, i) => t - lr * g1[i] - lr * (mu * g1[i] + 0.5 * g2[i])));

    const [n1, n2] = twoSteps(new Sgd({ lr, momentum: mu, nesterov: true }));
    close(n1, theta0.map((t, i) => t - lr * (g1[i] + mu * g1[i])));
    close(n2, theta0.map((t, i) => t - lr * (g1[i] + mu * g1[i]) - lr * (g2[i] + mu * (mu * g1[i] + g2[i]))));
  });

  it('weight decay adds wd·θ to the gradient', () => {
    const [p1] = twoSteps(new Sgd({ lr, weightDecay: 0.01 }));
    close(p1, theta0.map((t, i) => t - lr * (g1[i] + 0.01 * t)));
  });

  it('refuses Nesterov without momentum, and a missing lr', () => {
    assert.throws(() => new Sgd({ lr, nesterov: true }), /Nesterov momentum needs momentum > 0/);
    assert.throws(() => createOptimizer({ name: 'sgd' } as OptimizerSpec), /SGD has no default learning rate/);
  });
});

describe('optimiser state', () => {
  const specs: OptimizerSpec[] = [
    { name: 'adam', lr: 0.01, weightDecay: 1e-3 },
    { name: 'rmsprop', lr: 1e-3, centered: true, momentum: 0.5 },
    { name: 'sgd', lr: 0.05, momentum: 0.9, nesterov: true },
  ];
  const grads = (k: number) => Float64Array.from({ length: 20 }, (_, i) => Math.sin(k * 1.3 + i) * (i + 1));

  for (const spec of specs) {
    it(`${spec.name}: saved through a checkpoint and restored, it continues bit-identically`, () => {
      const a = createOptimizer(spec);
      const pa = Float64Array.from({ length: 20 }, (_, i) => i / 10);
      for (let k = 0; k < 3; k++) a.step(pa, grads(k));
      a.lr = spec.lr! / 2; // as a schedule would
      const saved = decodeCheckpoint(encodeCheckpoint({ optimizerState: a.state() })) as { optimizerState: OptimizerState };
      const b = optimizerFromState(saved.optimizerState);
      const pb = Float64Array.from(pa);
      assert.equal(b.lr, a.lr);
      assert.equal(b.stepCount, 3);
      for (let k = 3; k < 6; k++) {
        a.step(pa, grads(k));
        b.step(pb, grads(k));
      }
      assert.deepEqual(pb, pa);
      assert.deepEqual(b.state(), a.state());
    });
  }

  it('a state for another parameter count is refused with the reason', () => {
    const a = new Adam();
    a.step(new Float64Array(4), Float64Array.of(1, 2, 3, 4));
    const b = optimizerFromState(a.state());
    assert.throws(() => b.step(new Float64Array(5), new Float64Array(5)), /holds 4 values .* the model has 5 parameters/);
  });
});

describe('learning-rate schedules', () => {
  it('constant, step, exponential, cosine', () => {
    assert.equal(lrSchedule(0.1)(1234), 0.1);
    const step = lrSchedule(1, { kind: 'step', stepSize: 3, gamma: 0.5 });
    assert.deepEqual([0, 1, 2, 3, 5, 6].map(step), [1, 1, 1, 0.5, 0.5, 0.25]);
    const expo = lrSchedule(2, { kind: 'exponential', gamma: 0.9 });
    close([expo(0), expo(10)], [2, 2 * 0.9 ** 10]);
    const cos = lrSchedule(1, { kind: 'cosine', tMax: 100, etaMin: 0.1 });
    close([cos(0), cos(50), cos(100), cos(150)], [1, 0.55, 0.1, 0.1]);
    close([cos(25)], [0.1 + 0.9 * (1 + Math.SQRT1_2) / 2]);
  });

  it('linear warmup, then the main schedule from its start', () => {
    const s = lrSchedule(0.4, { kind: 'cosine', tMax: 10, warmup: { iterations: 4, startFactor: 0.25 } });
    close([0, 1, 2, 3].map(s), [0.1, 0.175, 0.25, 0.325]);
    close([s(4), s(9), s(14)], [0.4, 0.2, 0]);
    assert.throws(() => s(-1), /iterations 0, 1, 2/);
  });
});

describe('gradient clipping', () => {
  it('by global norm: returns the norm before clipping, scales by maxNorm/(norm + 1e-6) only when above', () => {
    const g = Float64Array.of(3, 4);
    assert.equal(clipGradNorm(g, 1), 5);
    close(g, [3 / (5 + 1e-6), 4 / (5 + 1e-6)], 1e-15);
    const small = Float64Array.of(0.3, 0.4);
    assert.equal(clipGradNorm(small, 1), 0.5);
    assert.deepEqual(small, Float64Array.of(0.3, 0.4));
  });

  it('the norm is global over several arrays, without overflow for huge entries; p = ∞ too', () => {
    const parts = [Float64Array.of(3e200), Float64Array.of(0, 4e200)];
    close([clipGradNorm(parts, 1e300)], [5e200]);
    assert.deepEqual(parts[1], Float64Array.of(0, 4e200));
    const q = [Float64Array.of(1, -7), Float64Array.of(2)];
    assert.equal(clipGradNorm(q, 3.5, Infinity), 7);
    close(q[0], [3.5 / (7 + 1e-6), (-7 * 3.5) / (7 + 1e-6)], 1e-15);
  });

  it('a NaN gradient gives a NaN norm and leaves the gradients as they were', () => {
    const g = Float64Array.of(1, NaN, 100);
    assert.ok(Number.isNaN(clipGradNorm(g, 1)));
    assert.equal(g[2], 100);
  });

  it('by value: clamps and counts', () => {
    const g = Float64Array.of(-3, 0.5, 2, -0.1);
    assert.equal(clipGradValue(g, 1), 2);
    assert.deepEqual(g, Float64Array.of(-1, 0.5, 1, -0.1));
  });
});
