/**
 * Kernels that move values without arithmetic (reshape, slice, split, concat, stack, transpose,
 * tile, broadcast) and the sums (Sum, Mean). Each is an index map computed once from the
 * recorded shapes: a gather reads output element i from input element map[i], so its VJP adds
 * the cotangent back at map[i]; a concat scatters each input into the output.
 */
import { NotTraceable } from './notTraceable';
import { axisOf, indexMap, sizeOf, stridesOf, type Step, type StepSpec } from './step';

/** Output j's element i is the input's element maps[j][i]. */
function gather(maps: Int32Array[]): Step {
  return {
    forward: (ins, outs) => {
      const x = ins[0];
      maps.forEach((m, j) => {
        const y = outs[j];
        for (let i = 0; i < m.length; i++) y[i] = x[m[i]];
      });
    },
    backward: (_ins, _outs, gOuts, grads) => {
      const gx = grads[0];
      if (!gx) return;
      maps.forEach((m, j) => {
        const g = gOuts[j];
        for (let i = 0; i < m.length; i++) gx[m[i]] += g[i];
      });
    },
  };
}

/** Input j's element i goes to the output's element maps[j][i]. */
function scatter(maps: Int32Array[]): Step {
  return {
    forward: (ins, outs) => {
      const y = outs[0];
      maps.forEach((m, j) => {
        const x = ins[j];
        for (let i = 0; i < m.length; i++) y[m[i]] = x[i];
      });
    },
    backward: (_ins, _outs, gOuts, grads) => {
      const g = gOuts[0];
      maps.forEach((m, j) => {
        const gx = grads[j];
        if (gx) for (let i = 0; i < m.length; i++) gx[i] += g[m[i]];
      });
    },
  };
}

const copy: Step = {
  forward: (ins, outs) => outs[0].set(ins[0]),
  backward: (_ins, _outs, gOuts, grads) => {
    const gx = grads[0];
    const g = gOuts[0];
    if (gx) for (let i = 0; i < g.length; i++) gx[i] += g[i];
  },
};

/** Slices of x along `axis` starting at `starts`, with the output shapes recorded (Unpack drops the axis). */
function slicesAlong(x: readonly number[], axis: number, starts: readonly number[], outs: readonly (readonly number[])[], dropAxis: boolean): Int32Array[] {
  const strides = stridesOf(x);
  return outs.map((shape, j) => {
    const full = dropAxis ? [...shape.slice(0, axis), 1, ...shape.slice(axis)] : shape;
    return indexMap(full, (c) => c.reduce((s, v, d) => s + (v + (d === axis ? starts[j] : 0)) * strides[d], 0));
  });
}

/** Where each input's elements land in a concatenation along `axis` of the output. */
function concatMaps(ins: readonly (readonly number[])[], out: readonly number[], axis: number, addAxis: boolean): Int32Array[] {
  const strides = stridesOf(out);
  let start = 0;
  return ins.map((shape) => {
    const full = addAxis ? [...shape.slice(0, axis), 1, ...shape.slice(axis)] : shape;
    const offset = start;
    start += full[axis];
    return indexMap(full, (c) => c.reduce((s, v, d) => s + (v + (d === axis ? offset : 0)) * strides[d], 0));
  });
}

function reduce(spec: StepSpec, mean: boolean): Step {
  const x = spec.inputs[0];
  const rank = x.length;
  const axes = new Set(([] as number[]).concat((spec.attrs.axis as number | number[] | null) ?? [...x.keys()]).map((a) => axisOf(a, rank)));
  const kept = x.map((n, d) => (axes.has(d) ? 1 : n));
  const strides = stridesOf(kept);
  const m = indexMap(x, (c) => c.reduce((s, v, d) => s + (axes.has(d) ? 0 : v * strides[d]), 0));
  const scale = mean ? sizeOf(spec.outputs[0]) / sizeOf(x) : 1;
  return {
    forward: (ins, outs) => {
      const [xs, y] = [ins[0], outs[0]];
      y.fill(0);
      for (let i = 0; i < m.length; i++) y[m[i]] += xs[i];
      if (scale !== 1) for (let i = 0; i < y.length; i++) y[i] *= scale;
    },
    backward: (_ins, _outs, gOuts, grads) => {
      const [g, gx] = [gOuts[0], grads[0]];
      if (gx) for (let i = 0; i < m.length; i++) gx[i] += g[m[i]] * scale;
    },
  };
}

export const LAYOUT_KERNELS = new Set(['Reshape', 'ExpandDims', 'Squeeze', 'Slice', 'SplitV', 'Unpack', 'Concat', 'Pack', 'Transpose', 'Tile', 'BroadcastTo', 'Sum', 'Mean']);

export function layoutStep(spec: StepSpec): Step {
  const x = spec.inputs[0];
  const out = spec.outputs[0];
  const a = spec.attrs;
  switch (spec.kernel) {
    case 'Reshape':
    case 'ExpandDims':
    case 'Squeeze':
      return copy;
    case 'Slice': {
      const begin = typeof a.begin === 'number' ? [a.begin] : (a.begin as number[]);
      const strides = stridesOf(x);
      return gather([indexMap(out, (c) => c.reduce((s, v, d) => s + (v + (begin[d] ?? 0)) * strides[d], 0))]);
    }
    case 'SplitV':
    case 'Unpack': {
      const axis = axisOf(a.axis as number, x.length);
      const unpack = spec.kernel === 'Unpack';
      const starts = spec.outputs.map((_, j) => (unpack ? j : spec.outputs.slice(0, j).reduce((s, o) => s + o[axis], 0)));
      return gather(slicesAlong(x, axis, starts, spec.outputs, unpack));
    }
    case 'Concat':
    case 'Pack':
      return scatter(concatMaps(spec.inputs, out, axisOf(a.axis as number, out.length), spec.kernel === 'Pack'));
    case 'Transpose': {
      const perm = a.perm as number[];
      const strides = stridesOf(x);
      return gather([indexMap(out, (c) => c.reduce((s, v, d) => s + v * strides[perm[d]], 0))]);
    }
    case 'Tile':
    case 'BroadcastTo': {
      const padded = [...new Array<number>(out.length - x.length).fill(1), ...x];
      const strides = stridesOf(padded);
      return gather([indexMap(out, (c) => c.reduce((s, v, d) => s + (v % padded[d]) * strides[d], 0))]);
    }
    case 'Sum':
    case 'Mean':
      return reduce(spec, spec.kernel === 'Mean');
    default:
      throw new NotTraceable(`it uses the operation '${spec.kernel}'`);
  }
}
