// What the vector-field panel computes before it draws, and the messages it accepts: streamlines
// that follow the field, the field between time frames, other planes of a larger state, and
// the validation of frames, planes and a classifier's flows (in both panels' messages).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  validateHostMessage, validateVectorFieldViewState, type FieldPreview, type TrajectoryPreview,
} from '../../webview/src/protocol';
import { FieldGrid, fieldAt } from '../../webview/src/vectorField/fieldGrid';
import { onPlane, planeKeys } from '../../webview/src/vectorField/plane';
import { traceStreamlines } from '../../webview/src/vectorField/streamlines';

const bounds = { xMin: -2, xMax: 2, yMin: -2, yMax: 2 };
const n = 21;

/** A field sampled on the n × n grid over `bounds`. */
function sampled(f: (x: number, y: number) => [number, number]): { u: number[]; v: number[] } {
  const u: number[] = [];
  const v: number[] = [];
  for (let j = 0; j < n; j++) {
    for (let i = 0; i < n; i++) {
      const [a, b] = f(-2 + (4 * i) / (n - 1), -2 + (4 * j) / (n - 1));
      u.push(a);
      v.push(b);
    }
  }
  return { u, v };
}

const preview = (extra: Partial<FieldPreview> = {}): FieldPreview => ({
  source: { file: '/w/circles.ode.ts', runId: null },
  experiment: 'circles',
  iteration: null,
  dim: 2,
  slice: null,
  bounds,
  n,
  ...sampled((x, y) => [-y, x]),
  data: { x: [0.1, 1.2, -0.3], y: [0.2, 0.1, 1.1] },
  predicted: null,
  predictedError: null,
  ...extra,
});

describe('streamlines', () => {
  it('of a rotation are circles about the origin, evenly spread, in the flow direction', () => {
    const lines = traceStreamlines(new FieldGrid(preview()));
    assert.ok(lines.length >= 5, `${lines.length} lines`);
    for (const line of lines) {
      const p = line.points;
      const r0 = Math.hypot(p[0], p[1]);
      for (let k = 0; k < p.length; k += 2) assert.ok(Math.abs(Math.hypot(p[k], p[k + 1]) - r0) < 0.05 * Math.max(r0, 0.2), 'constant radius');
      // Counter-clockwise: the cross product of position and step is positive.
      const cross = p[0] * p[3] - p[1] * p[2];
      assert.ok(cross > 0, 'counter-clockwise');
    }
    // No two lines on one whole circle (beyond radius 2 the box cuts circles into corner arcs).
    const radii = lines.map((l) => Math.hypot(l.points[0], l.points[1])).filter((r) => r < 1.9).sort((a, b) => a - b);
    assert.ok(radii.length >= 4);
    for (let i = 1; i < radii.length; i++) assert.ok(radii[i] - radii[i - 1] > 0.04, `radii ${radii[i - 1]} and ${radii[i]}`);
  });

  it('of a uniform field are straight and parallel; a still field has none', () => {
    const lines = traceStreamlines(new FieldGrid(preview(sampled(() => [1, 0]))));
    assert.ok(lines.length >= 5);
    for (const line of lines) {
      const p = line.points;
      for (let k = 2; k < p.length; k += 2) {
        assert.ok(Math.abs(p[k + 1] - p[1]) < 1e-12);
        assert.ok(p[k] > p[k - 2], 'left to right, as the field');
      }
    }
    assert.deepEqual(traceStreamlines(new FieldGrid(preview(sampled(() => [0, 0])))), []);
  });
});

describe('time frames', () => {
  const frames = { t: [0, 1, 2], u: [new Array(n * n).fill(0), new Array(n * n).fill(1), new Array(n * n).fill(3)], v: [new Array(n * n).fill(0), new Array(n * n).fill(0), new Array(n * n).fill(-2)] };

  it('interpolates linearly between frames; a field without frames is its own samples', () => {
    const p = preview({ frames });
    const mid = fieldAt(p, 0.75); // between t = 1 and t = 2
    assert.equal(mid.t, 1.5);
    assert.equal(mid.u[7], 2);
    assert.equal(mid.v[7], -1);
    assert.equal(fieldAt(p, 1).t, 2);
    const plain = fieldAt(preview(), 0.5);
    assert.equal(plain.t, null);
    assert.deepEqual(plain.u, preview().u);
  });

  it('are validated against the grid', () => {
    assert.equal(validateHostMessage({ type: 'vectorField/preview', payload: preview({ frames }) }).ok, true);
    const bad = validateHostMessage({ type: 'vectorField/preview', payload: preview({ frames: { ...frames, u: [[1, 2], ...frames.u.slice(1)] } }) });
    assert.match(bad.ok ? '' : bad.error, /frames: every frame needs n² values/);
    const one = validateHostMessage({ type: 'vectorField/preview', payload: preview({ frames: { t: [0], u: [frames.u[0]], v: [frames.v[0]] } }) });
    assert.match(one.ok ? '' : one.error, /frames: needs t, u and v of one length ≥ 2/);
  });
});

describe("a classifier's preview", () => {
  const t = [0, 0.5, 1];
  const classification = {
    classes: [-1, 1],
    labels: [0, 1, 1],
    predicted: [0, 1, 0],
    loss: 0.4,
    accuracy: 2 / 3,
    t,
    flowX: [[0.1, 1.2, -0.3], [0.2, 1.4, -0.5], [0.3, 1.6, -0.7]],
    flowY: [[0.2, 0.1, 1.1], [0.2, 0.1, 1.2], [0.2, 0.1, 1.3]],
  };

  it('passes with flows of one value per point and time, and is refused otherwise', () => {
    assert.equal(validateHostMessage({ type: 'vectorField/preview', payload: preview({ classification }) }).ok, true);
    const labels = validateHostMessage({ type: 'vectorField/preview', payload: preview({ classification: { ...classification, labels: [0, 1] } }) });
    assert.match(labels.ok ? '' : labels.error, /one label and one prediction per data point \(3\)/);
    const cls = validateHostMessage({ type: 'vectorField/preview', payload: preview({ classification: { ...classification, labels: [0, 1, 2] } }) });
    assert.match(cls.ok ? '' : cls.error, /a class index beyond classes/);
    const row = validateHostMessage({ type: 'vectorField/preview', payload: preview({ classification: { ...classification, flowY: [[0, 0], ...classification.flowY.slice(1)] } }) });
    assert.match(row.ok ? '' : row.error, /every flow row needs one value per data point/);
    const neg = validateHostMessage({ type: 'vectorField/preview', payload: preview({ classification: { ...classification, labels: [0, -1, 1] } }) });
    assert.match(neg.ok ? '' : neg.error, /labels\[1\]: expected a class index/);
  });

  it('on the plane of components 0 and 2 shows the flows in those components', () => {
    const flows = [classification.flowX, classification.flowY, [[0, 0, 0], [0.5, -0.5, -0.4], [1, -1, -0.8]]];
    const planes = [
      { axes: [0, 2] as [number, number], bounds: { xMin: -1, xMax: 2, yMin: -1.5, yMax: 1.5 }, ...sampled(() => [0, 1]) },
      { axes: [1, 2] as [number, number], bounds: { xMin: -1, xMax: 2, yMin: -1.5, yMax: 1.5 }, ...sampled(() => [1, 1]) },
    ];
    const p = preview({ dim: 3, classification: { ...classification, flows }, planes });
    assert.equal(validateHostMessage({ type: 'vectorField/preview', payload: p }).ok, true);
    assert.deepEqual(planeKeys(p), ['0,1', '0,2', '1,2']);
    const q = onPlane(p, '0,2');
    assert.deepEqual(q.bounds, planes[0].bounds);
    assert.equal(q.v[3], 1);
    assert.deepEqual(q.classification!.flowY, flows[2]);
    assert.deepEqual(q.data, { x: flows[0][0], y: [0, 0, 0] }, 'the points start at 0 in the augmented component');
    assert.equal(onPlane(p, '0,1'), p);
    const wrongAxes = validateHostMessage({ type: 'vectorField/preview', payload: { ...p, planes: [{ ...planes[0], axes: [2, 0] }] } });
    assert.match(wrongAxes.ok ? '' : wrongAxes.error, /planes\[0\]\.axes/);
  });

  it("the trajectories panel's flows: one value per time, labels within the classes", () => {
    const tp: TrajectoryPreview = {
      source: { file: '/w/circles.ode.ts', runId: null },
      experiment: 'circles',
      iteration: 3,
      dim: 2,
      t,
      data: [],
      predicted: null,
      predictedError: null,
      flows: { classes: [-1, 1], labels: [0, 1], components: [[[0, 1, 2], [1, 1, 1]], [[0, 0, 0], [2, 2, 2]]], accuracy: 1 },
    };
    assert.equal(validateHostMessage({ type: 'trajectories/preview', payload: tp }).ok, true);
    const short = validateHostMessage({ type: 'trajectories/preview', payload: { ...tp, flows: { ...tp.flows!, components: [[[0, 1], [1, 1, 1]], tp.flows!.components[1]] } } });
    assert.match(short.ok ? '' : short.error, /every flow needs one value per time in t \(3\)/);
    const count = validateHostMessage({ type: 'trajectories/preview', payload: { ...tp, flows: { ...tp.flows!, labels: [0] } } });
    assert.match(count.ok ? '' : count.error, /one flow per label \(1\)/);
  });
});

describe('vector field view state', () => {
  it('accepts states saved before the new switches, and checks the new ones', () => {
    assert.equal(validateVectorFieldViewState({ source: null, particles: true, particleCount: 5000 }).ok, true);
    const full = { source: null, particles: false, particleCount: 1000, arrows: false, streamlines: true, flows: true, time: 0.25, plane: '0,2' };
    assert.equal(validateVectorFieldViewState(full).ok, true);
    assert.equal(validateVectorFieldViewState({ ...full, time: 1.5 }).ok, false);
    assert.equal(validateVectorFieldViewState({ ...full, plane: '0;rm' }).ok, false);
  });
});
