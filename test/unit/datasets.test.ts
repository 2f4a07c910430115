import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  checkerboard, circles, dampedOscillator, DataError, eightGaussians, getBatch, irregularSpirals, lotkaVolterra, moons, nestedSpheres,
  Rng, spiral, spiralField,
} from '../../engine/src/data/index';

describe('Rng', () => {
  it('is reproducible per seed, differs across seeds, and resumes exactly from its saved state', () => {
    const draw = (r: Rng) => [r.random(), r.normal(), r.normal(), r.normal(), r.int(1000), r.nextUint32()];
    assert.deepEqual(draw(new Rng(7)), draw(new Rng(7)));
    assert.notDeepEqual(draw(new Rng(7)), draw(new Rng(8)));
    assert.notDeepEqual(draw(new Rng(2 ** 40)), draw(new Rng(2 ** 40 + 2 ** 32)));
    const r = new Rng(123);
    r.normal(); // leaves a spare normal in the state
    const saved = JSON.parse(JSON.stringify(r.state()));
    assert.equal(typeof saved.spareNormal, 'number');
    assert.deepEqual(draw(Rng.fromState(saved)), draw(r));
  });

  it('uniforms in [0, 1) and normals with mean 0, std 1', () => {
    const r = new Rng(1);
    let sum = 0, sq = 0, lo = 1, hi = 0;
    const n = 20000;
    for (let i = 0; i < n; i++) {
      const u = r.random();
      lo = Math.min(lo, u);
      hi = Math.max(hi, u);
      const z = r.normal();
      sum += z;
      sq += z * z;
    }
    assert.ok(lo >= 0 && hi < 1 && lo < 0.001 && hi > 0.999);
    assert.ok(Math.abs(sum / n) < 0.03, `mean ${sum / n}`);
    assert.ok(Math.abs(Math.sqrt(sq / n) - 1) < 0.03, `std ${Math.sqrt(sq / n)}`);
  });

  it('choice draws distinct values', () => {
    const c = new Rng(3).choice(50, 50);
    assert.deepEqual([...c].sort((a, b) => a - b), Array.from({ length: 50 }, (_, i) => i));
    assert.throws(() => new Rng(3).choice(5, 6), /Cannot draw 6 distinct values from 5/);
  });
});

/** Classic RK4 with a fixed step, independent of the engine's solvers. */
function rk4(f: (y: number[]) => number[], y0: number[], t: Float64Array, substeps: number): number[][] {
  const out = [y0.slice()];
  let y = y0.slice();
  for (let k = 1; k < t.length; k++) {
    const h = (t[k] - t[k - 1]) / substeps;
    for (let s = 0; s < substeps; s++) {
      const k1 = f(y);
      const k2 = f(y.map((v, i) => v + (h / 2) * k1[i]));
      const k3 = f(y.map((v, i) => v + (h / 2) * k2[i]));
      const k4 = f(y.map((v, i) => v + h * k3[i]));
      y = y.map((v, i) => v + (h / 6) * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]));
    }
    out.push(y.slice());
  }
  return out;
}

describe('spiral (torchdiffeq ode_demo)', () => {
  it('is dy/dt = (y³)·A with A = [[-0.1, 2], [-2, -0.1]], from y0 = [2, 0], 1000 points on [0, 25]', async () => {
    // Row vector times A: [y0³, y1³]·A = [−0.1·y0³ − 2·y1³, 2·y0³ − 0.1·y1³].
    assert.deepEqual(spiralField()(0, Float64Array.of(1, 2)), Float64Array.of(-0.1 - 16, 2 - 0.8));
    const d = await spiral();
    assert.equal(d.name, 'spiral');
    assert.equal(d.dim, 2);
    assert.equal(d.t.length, 1000);
    assert.equal(d.t[0], 0);
    assert.equal(d.t[999], 25);
    assert.ok(Math.abs(d.t[1] - 25 / 999) < 1e-15);
    assert.deepEqual(d.ys[0], Float64Array.of(2, 0));
    // Against an independent fixed-step RK4 with 10 substeps per sample (h = 0.0025).
    const ref = rk4(([a, b]) => [-0.1 * a ** 3 - 2 * b ** 3, 2 * a ** 3 - 0.1 * b ** 3], [2, 0], d.t, 10);
    let maxErr = 0;
    d.ys.forEach((y, i) => (maxErr = Math.max(maxErr, Math.abs(y[0] - ref[i][0]), Math.abs(y[1] - ref[i][1]))));
    assert.ok(maxErr < 1e-7, `max deviation from RK4 ${maxErr}`);
  });

  it('getBatch samples ode_demo windows: distinct starts, the first batchTime times, reproducible per seed', async () => {
    const d = await spiral();
    const b = getBatch(d, { batchTime: 10, batchSize: 20, rng: new Rng(5) });
    assert.equal(b.ys.length, 10);
    assert.ok(b.ys.every((y) => y.length === 40));
    assert.deepEqual(b.t, d.t.slice(0, 10));
    assert.deepEqual(b.y0, b.ys[0]);
    assert.equal(new Set(b.starts).size, 20);
    assert.ok(b.starts.every((s) => s >= 0 && s < 990));
    for (let i = 0; i < 10; i++) {
      for (let k = 0; k < 20; k++) assert.deepEqual(b.ys[i].subarray(2 * k, 2 * k + 2), d.ys[b.starts[k] + i]);
    }
    assert.deepEqual(getBatch(d, { rng: new Rng(5) }).starts, b.starts);
    assert.notDeepEqual(getBatch(d, { rng: new Rng(6) }).starts, b.starts);
    assert.throws(() => getBatch(d, { batchTime: 10, batchSize: 991, rng: new Rng(1) }), (e: unknown) => e instanceof DataError && /lower batchSize/.test(e.message));
  });
});

describe('ODE datasets with known invariants', () => {
  it('dampedOscillator matches the closed-form underdamped solution', async () => {
    const omega = 2, zeta = 0.1;
    const d = await dampedOscillator({ omega, zeta, dataSize: 50, t1: 10 });
    const wd = omega * Math.sqrt(1 - zeta * zeta);
    d.ys.forEach((y, i) => {
      const t = d.t[i];
      const x = Math.exp(-zeta * omega * t) * (Math.cos(wd * t) + ((zeta * omega) / wd) * Math.sin(wd * t));
      assert.ok(Math.abs(y[0] - x) < 1e-8, `t = ${t}: ${y[0]} vs ${x}`);
    });
  });

  it('lotkaVolterra conserves δx − γ ln x + βy − α ln y', async () => {
    const [alpha, beta, delta, gamma] = [1.5, 1, 1, 3];
    const d = await lotkaVolterra();
    const V = (y: Float64Array) => delta * y[0] - gamma * Math.log(y[0]) + beta * y[1] - alpha * Math.log(y[1]);
    const v0 = V(d.ys[0]);
    assert.ok(d.ys.every((y) => Math.abs(V(y) - v0) < 1e-8));
    const range = d.ys.map((y) => y[0]);
    assert.ok(Math.max(...range) - Math.min(...range) > 1, 'it oscillates');
  });

  it('observation noise is seeded and keeps the clean values in trueYs', async () => {
    const a = await dampedOscillator({ noiseStd: 0.05, seed: 9 });
    const b = await dampedOscillator({ noiseStd: 0.05, seed: 9 });
    const c = await dampedOscillator({ noiseStd: 0.05, seed: 10 });
    assert.deepEqual(a.ys, b.ys);
    assert.notDeepEqual(a.ys, c.ys);
    const resid = a.ys.flatMap((y, i) => [y[0] - a.trueYs![i][0], y[1] - a.trueYs![i][1]]);
    const std = Math.sqrt(resid.reduce((s, r) => s + r * r, 0) / resid.length);
    assert.ok(std > 0.04 && std < 0.06, `noise std ${std}`);
  });
});

describe('2-D toys', () => {
  for (const make of [eightGaussians, moons, checkerboard, circles]) {
    it(`${make.name}: n × 2 points, reproducible per seed`, () => {
      const a = make({ n: 500, seed: 1 });
      assert.equal(a.n, 500);
      assert.equal(a.dim, 2);
      assert.equal(a.x.length, 1000);
      assert.ok(a.x.every(Number.isFinite));
      assert.deepEqual(make({ n: 500, seed: 1 }).x, a.x);
      assert.notDeepEqual(make({ n: 500, seed: 2 }).x, a.x);
    });
  }

  it('checkerboard fills the 8 dark squares of side 2 in [−4, 4]²', () => {
    const d = checkerboard({ n: 4000, seed: 3 });
    const squares = new Set<string>();
    for (let i = 0; i < d.n; i++) {
      const [x, y] = [d.x[2 * i], d.x[2 * i + 1]];
      assert.ok(x >= -4 && x < 4 && y >= -4 && y < 4, `(${x}, ${y})`);
      const [cx, cy] = [Math.floor(x / 2), Math.floor(y / 2)];
      assert.equal((((cx + cy) % 2) + 2) % 2, 0, `(${x}, ${y}) on a light square`);
      squares.add(`${cx},${cy}`);
    }
    assert.equal(squares.size, 8);
  });

  it('eightGaussians: each mode centred at 4·(cos, sin)/1.414 with std 0.5/1.414', () => {
    const d = eightGaussians({ n: 8000, seed: 4 });
    const s = Math.SQRT1_2;
    const centers = [[1, 0], [-1, 0], [0, 1], [0, -1], [s, s], [s, -s], [-s, s], [-s, -s]];
    centers.forEach(([cx, cy], k) => {
      const pts = [];
      for (let i = 0; i < d.n; i++) if (d.labels![i] === k) pts.push([d.x[2 * i], d.x[2 * i + 1]]);
      assert.ok(pts.length > 800 && pts.length < 1200, `mode ${k}: ${pts.length} points`);
      const mx = pts.reduce((a, p) => a + p[0], 0) / pts.length;
      const my = pts.reduce((a, p) => a + p[1], 0) / pts.length;
      assert.ok(Math.hypot(mx - (4 * cx) / 1.414, my - (4 * cy) / 1.414) < 0.08, `mode ${k} mean (${mx}, ${my})`);
      const sx = Math.sqrt(pts.reduce((a, p) => a + (p[0] - mx) ** 2, 0) / pts.length);
      assert.ok(Math.abs(sx - 0.5 / 1.414) < 0.04, `mode ${k} std ${sx}`);
    });
  });

  it('moons: two labelled arcs, scaled by 2 and shifted by (−1, −0.2)', () => {
    const d = moons({ n: 2000, noise: 0, seed: 5 });
    for (let i = 0; i < d.n; i++) {
      // Undo the affine map; label 0 lies on the unit circle's upper half, label 1 on the circle around (1, 0.5).
      const u = (d.x[2 * i] + 1) / 2, v = (d.x[2 * i + 1] + 0.2) / 2;
      const r = d.labels![i] === 0 ? Math.hypot(u, v) : Math.hypot(u - 1, v - 0.5);
      assert.ok(Math.abs(r - 1) < 1e-12);
      assert.ok(d.labels![i] === 0 ? v >= -1e-12 : v <= 0.5 + 1e-12);
    }
    assert.equal(d.labels!.reduce((a, l) => a + l, 0), 1000);
  });

  it('nestedSpheres (ANODE): inner ball labelled −1, outer shell +1, in any dimension', () => {
    const d = nestedSpheres({ n: 1000, dim: 3, seed: 6 });
    assert.equal(d.x.length, 3000);
    let inner = 0;
    for (let i = 0; i < d.n; i++) {
      const r = Math.hypot(d.x[3 * i], d.x[3 * i + 1], d.x[3 * i + 2]);
      if (d.labels![i] === -1) {
        inner++;
        assert.ok(r <= 0.5 + 1e-12);
      } else {
        assert.equal(d.labels![i], 1);
        assert.ok(r >= 1 - 1e-12 && r <= 1.5 + 1e-12);
      }
    }
    assert.equal(inner, 500);
    assert.equal(circles({ n: 10 }).name, 'circles');
    assert.throws(() => nestedSpheres({ innerRange: [0, 1.2], outerRange: [1, 2] }), DataError);
  });
});

describe('irregularSpirals (latent ODE)', () => {
  it('irregular, increasing times from 0; observations near the clockwise or counter-clockwise truth', () => {
    const d = irregularSpirals({ nSpirals: 40, seed: 7, noiseStd: 0.1 });
    assert.equal(d.spirals.length, 40);
    const cw = d.spirals.filter((s) => s.clockwise).length;
    assert.ok(cw > 5 && cw < 35);
    let irregular = false;
    const resid: number[] = [];
    for (const s of d.spirals) {
      assert.equal(s.t.length, 100);
      assert.equal(s.ys.length, 200);
      assert.equal(s.t[0] >= 0, true);
      for (let j = 1; j < s.t.length; j++) assert.ok(s.t[j] > s.t[j - 1]);
      const gaps = Array.from(s.t.subarray(1), (t, j) => t - s.t[j]);
      if (Math.max(...gaps) > 1.5 * Math.min(...gaps)) irregular = true;
      // Each noise-free value is a point of the chosen dense spiral.
      const truth = s.clockwise ? d.clockwise : d.counterClockwise;
      for (let j = 0; j < s.t.length; j++) {
        const idx = Math.round((s.t[j] + d.denseT[s.start] - d.denseT[0]) / (d.denseT[1] - d.denseT[0]));
        assert.ok(Math.abs(truth[2 * idx] - s.trueYs[2 * j]) < 1e-9);
        resid.push(s.ys[2 * j] - s.trueYs[2 * j], s.ys[2 * j + 1] - s.trueYs[2 * j + 1]);
      }
    }
    assert.ok(irregular, 'times are irregular');
    const std = Math.sqrt(resid.reduce((a, r) => a + r * r, 0) / resid.length);
    assert.ok(Math.abs(std - 0.1) < 0.01, `noise std ${std}`);
    assert.deepEqual(irregularSpirals({ nSpirals: 40, seed: 7, noiseStd: 0.1 }).spirals[3], d.spirals[3]);
  });
});
