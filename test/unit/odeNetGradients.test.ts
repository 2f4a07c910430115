// The ODE-Net's hand-written backward passes against central finite differences in float64:
// group norm, the 3 × 3 convolution with time as a channel, the whole block as a field, the
// field's gradient through odeintGrad (adjoint against backprop), and whole networks.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../engine/src/data/rng';
import { LinearReadout } from '../../engine/src/experiments/readout';
import { odeintGrad } from '../../engine/src/gradients/odeintGrad';
import { ConvGnBlock, ConvTime, groupNormBackward, groupNormForward, odeNet, odeNetLossAndGrad, type OdeNetOptions } from '../../engine/src/odenet/index';
import { BlockField } from '../../engine/src/odenet/blockField';
import { relErr } from './gradientProblems';

const randn = (n: number, rng: Rng, scale = 1): Float64Array => Float64Array.from({ length: n }, () => scale * rng.normal());
const dot = (a: Float64Array, b: Float64Array): number => a.reduce((s, v, i) => s + v * b[i], 0);

/** Central differences of `loss` in the components `index` of v (perturbed in place, restored). */
function centralDiff(v: Float64Array, index: number[], loss: () => number, h = 1e-6): number[] {
  return index.map((i) => {
    const keep = v[i];
    v[i] = keep + h;
    const up = loss();
    v[i] = keep - h;
    const down = loss();
    v[i] = keep;
    return (up - down) / (2 * h);
  });
}

/** Up to k distinct components of 0 … n−1, drawn by rng (all of them when n ≤ k). */
function some(n: number, k: number, rng: Rng): number[] {
  return n <= k ? [...Array(n).keys()] : Array.from(rng.choice(n, k));
}

describe('odeNet gradients against central finite differences (float64)', () => {
  it('group norm: dL/dx, dL/dγ and dL/dβ', () => {
    const rng = new Rng(1);
    const s = { channels: 6, groups: 3, plane: 5 };
    const B = 2;
    const n = s.channels * B * s.plane;
    const P = randn(2 * s.channels, rng);
    const x = randn(n, rng, 2);
    const c = randn(n, rng);
    const loss = (): number => {
      const y = new Float64Array(n);
      groupNormForward(P, 0, s.channels, s, x, B, y, new Float64Array(n), new Float64Array(B * s.groups));
      return dot(c, y);
    };
    const y = new Float64Array(n);
    const xhat = new Float64Array(n);
    const inv = new Float64Array(B * s.groups);
    groupNormForward(P, 0, s.channels, s, x, B, y, xhat, inv);
    const G = new Float64Array(P.length);
    const gx = new Float64Array(n);
    groupNormBackward(P, G, 0, s.channels, s, xhat, inv, B, c, gx);
    const all = (k: number): number[] => [...Array(k).keys()];
    assert.ok(relErr(gx, centralDiff(x, all(n), loss)) < 1e-6, 'dL/dx');
    assert.ok(relErr(G, centralDiff(P, all(P.length), loss)) < 1e-6, 'dL/dγ, dL/dβ');
  });

  for (const time of [true, false]) {
    it(`3 × 3 convolution ${time ? 'with' : 'without'} the time channel: dL/dx, dL/dw, dL/db`, () => {
      const rng = new Rng(2);
      const shape = { cin: 3, cout: 2, height: 4, width: 5, time };
      const B = 2;
      const conv = new ConvTime(shape, 0, 2 * 9 * (3 + (time ? 1 : 0)));
      const P = randn(conv.b + 2, rng);
      const plane = shape.height * shape.width;
      const x = randn(shape.cin * B * plane, rng);
      const c = randn(shape.cout * B * plane, rng);
      const t = 0.7;
      const loss = (): number => {
        const out = new Float64Array(c.length);
        conv.forward(P, x, B, t, out);
        return dot(c, out);
      };
      const G = new Float64Array(P.length);
      const gx = new Float64Array(x.length);
      conv.backward(P, G, x, B, t, c, gx);
      const all = (k: number): number[] => [...Array(k).keys()];
      assert.ok(relErr(gx, centralDiff(x, all(x.length), loss)) < 1e-6, 'dL/dx');
      assert.ok(relErr(G, centralDiff(P, all(P.length), loss)) < 1e-6, 'dL/dθ');
      if (time) {
        // The time taps see t wherever they fall inside the image: moving t moves the output.
        const at = (tt: number): number => {
          const out = new Float64Array(c.length);
          conv.forward(P, x, B, tt, out);
          return dot(c, out);
        };
        assert.notEqual(at(0.1), at(0.9));
      }
    });
  }

  it("the ODE block as a NativeField: vjp's dL/dy and dL/dθ, and fAndVjp agrees bit for bit", () => {
    const rng = new Rng(3);
    const block = new ConvGnBlock({ channels: 4, groups: 2, height: 3, width: 3, time: true });
    const params = new Float64Array(block.size);
    block.initialise(params, rng);
    for (let i = 0; i < params.length; i++) params[i] += 0.1 * rng.normal();
    const field = new BlockField(block, params);
    const B = 2;
    const y = randn(B * field.dim, rng);
    const a = randn(y.length, rng);
    const t = 0.3;
    const loss = (): number => dot(a, field.f(t, y));
    const v = field.vjp(t, y, a);
    const iy = some(y.length, 40, rng);
    assert.ok(relErr(iy.map((i) => v.y[i]), centralDiff(y, iy, loss)) < 1e-6, 'dL/dy');
    const idx = some(params.length, 60, rng);
    const fd = centralDiff(params, idx, loss);
    assert.ok(relErr(idx.map((i) => v.params[i]), fd) < 1e-6, 'dL/dθ');
    const both = field.fAndVjp(t, y, a);
    assert.deepEqual(both.f, field.f(t, y));
    assert.deepEqual(both.y, v.y);
    assert.deepEqual(both.params, v.params);
  });

  // The ReLUs make the block only piecewise smooth: backprop gives the exact gradient of the
  // steps taken, the adjoint the continuous one, and the two meet as the tolerance tightens.
  it('through odeintGrad: the adjoint converges to backprop through dopri5 as rtol tightens', async () => {
    const rng = new Rng(4);
    const net = odeNet({ channels: 4, groups: 2, height: 8, width: 8, pool: 2, seed: 4 });
    const field = net.field!;
    const y0 = randn(2 * field.dim, rng, 0.5);
    const c = randn(y0.length, rng);
    const gap = async (tol: number): Promise<[number, number]> => {
      const opts = { method: 'dopri5', rtol: tol, atol: tol };
      const bp = await odeintGrad(field, y0, [0, 1], [null, c], { ...opts, gradient: 'backprop' });
      const adj = await odeintGrad(field, y0, [0, 1], [null, c], { ...opts, gradient: 'adjoint' });
      assert.ok(adj.stats.nfeBackward > 0 && bp.stats.nfeForward > 0);
      return [relErr(adj.gradParams, bp.gradParams), relErr(adj.gradY0, bp.gradY0)];
    };
    const loose = await gap(1e-5);
    const tight = await gap(1e-8);
    assert.ok(tight[0] < 5e-3 && tight[1] < 5e-3, `dL/dθ, dL/dy0 relative gaps ${tight} at rtol 1e-8`);
    assert.ok(tight[0] < loose[0] / 2 && tight[1] < loose[1] / 2, `gaps ${loose} at 1e-5, ${tight} at 1e-8`);
  });

  const whole = async (opts: OdeNetOptions, seed: number): Promise<void> => {
    const net = odeNet({ groups: 2, height: 8, width: 8, pool: 2, seed, ...opts });
    const rng = new Rng(seed);
    for (let i = 0; i < net.params.length; i++) net.params[i] += 0.05 * rng.normal();
    const readout = new LinearReadout(net.features, 3, 'crossEntropy', seed);
    const x = Float64Array.from({ length: 3 * net.dim }, () => rng.random());
    const target = Int32Array.from([0, 2, 1]);
    // rk4 on a fixed grid: backprop gives the exact gradient of the computed loss
    const step = { solver: { method: 'rk4' as const, options: { stepSize: 0.25 } }, gradient: { method: 'backprop' as const } };
    const r = await odeNetLossAndGrad(net, readout, x, target, step);
    const lossNow = async (): Promise<number> => (await odeNetLossAndGrad(net, readout, x, target, step)).loss;
    const idx = some(net.params.length, 50, rng);
    const fd: number[] = [];
    const h = 1e-6;
    for (const i of idx) {
      const keep = net.params[i];
      net.params[i] = keep + h;
      const up = await lossNow();
      net.params[i] = keep - h;
      const down = await lossNow();
      net.params[i] = keep;
      fd.push((up - down) / (2 * h));
    }
    const e = relErr(idx.map((i) => r.gradParams[i]), fd);
    assert.ok(e < 1e-6, `relative error ${e}`);
  };

  it('a whole ODE-Net (downsampling, ODE block through rk4, head): every part of dL/dθ', () => whole({ channels: 4 }, 5));
  it('a whole ResNet of the same block: every part of dL/dθ', () => whole({ architecture: 'resnet', channels: 4, depth: 3 }, 6));
  // 4 × 4 plane in 3 × 3 regions: neighbouring regions share a row and a column.
  it('overlapping head regions and pooling after the downsampling convolution: every part of dL/dθ', () => whole({ channels: 4, pool: 1, poolAfter: 2, headPool: 3 }, 7));
  it('global average pooling on pixels averaged before the convolution: every part of dL/dθ', () => whole({ channels: 4, pool: 4, poolAfter: 1, headPool: 1 }, 8));
});
