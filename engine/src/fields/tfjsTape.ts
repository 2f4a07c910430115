/**
 * One forward evaluation of a TensorFlow.js function kept on tfjs's gradient tape, so that a VJP
 * at the same point runs the backward pass alone. tf.engine().gradients does both at once, so a
 * reverse sweep that differentiates every stage of a forward solve would evaluate f twice per
 * stage; for a field the engine cannot compile that second pass is a fifth of the sweep.
 *
 * This reaches into the engine (startTape/endTape and the tape's nodes, as tfjs-core 4 has them):
 * where they are missing it returns null and the caller keeps using vjp. The backward pass calls
 * each node's own gradient, in the order tfjs's does, so the results are the same bits.
 */
import { tf } from '../backend/tf';

type Tensor = tf.Tensor;

interface TapeNode {
  kernelName: string;
  inputs: Record<string, Tensor>;
  outputs: Tensor[];
  saved?: Tensor[];
  gradient?: (dys: (Tensor | null)[]) => Record<string, () => Tensor>;
}

interface TapeEngine {
  state: { activeTape: TapeNode[] | null; gradientDepth: number };
  backend: { incRef?(dataId: object): void };
  startTape(): void;
  endTape(): void;
  saveTensorsForBackwardMode(tensors: Tensor[]): Tensor[];
  makeTensorFromDataId(dataId: object, shape: number[], dtype: tf.DataType): Tensor;
  keep<T extends Tensor>(t: T): T;
}

export interface TapedEvaluation {
  /** fn's result (the caller disposes it). */
  readonly value: Tensor;
  /** Bytes the tape keeps alive (the buffers the gradients need). */
  readonly bytes: number;
  /** The cotangents of xs for the output cotangent a (null for an x the value does not depend on); new tensors. */
  vjp(a: Tensor): (Tensor | null)[];
  /** Frees what the tape keeps. */
  dispose(): void;
}

const engineWithTape = (): TapeEngine | null => {
  const e = tf.engine() as unknown as Partial<TapeEngine>;
  const methods = [e.startTape, e.endTape, e.saveTensorsForBackwardMode, e.makeTensorFromDataId, e.keep];
  return methods.every((m) => typeof m === 'function') && typeof e.state?.gradientDepth === 'number' ? (e as TapeEngine) : null;
};

/**
 * What a kernel's gradient needs, kept as new references to the same data. tfjs keeps a copy
 * (wasm's Identity copies, and each copy is a kernel call and a tape node of its own): tensors
 * never change in place, so a reference keeps the same values for less.
 */
function saveByReference(engine: TapeEngine): ((tensors: Tensor[]) => Tensor[]) | null {
  const backend = engine.backend;
  if (typeof backend?.incRef !== 'function') return null;
  return (tensors) =>
    tensors.map((t) => {
      const ref = engine.makeTensorFromDataId(t.dataId, t.shape, t.dtype);
      backend.incRef!(t.dataId);
      return engine.keep(ref);
    });
}

/** The nodes on a path from xs to y, each with only its inputs that depend on xs (what tfjs differentiates). */
function pathNodes(tape: readonly TapeNode[], xs: readonly Tensor[], y: Tensor): TapeNode[] {
  const fromX = new Set<number>();
  for (const x of xs) fromX.add(x.id);
  const reached = tape.map((node) => {
    for (const name in node.inputs) {
      if (!fromX.has(node.inputs[name].id)) continue;
      for (const o of node.outputs) fromX.add(o.id);
      return true;
    }
    return false;
  });
  const toY = new Set<number>([y.id]);
  const nodes: TapeNode[] = [];
  for (let i = tape.length - 1; i >= 0; i--) {
    const node = tape[i];
    if (!reached[i] || !node.outputs.some((o) => toY.has(o.id))) continue;
    let inputs = node.inputs;
    for (const name in node.inputs) {
      const id = node.inputs[name].id;
      toY.add(id);
      if (!fromX.has(id)) inputs = Object.fromEntries(Object.entries(node.inputs).filter(([, t]) => fromX.has(t.id)));
    }
    nodes.push(inputs === node.inputs ? node : { ...node, inputs });
  }
  return nodes.reverse();
}

/** fn() on the tape, differentiable later with respect to xs; null where this tfjs has no tape to keep (call inside no gradient). */
export function tapedEvaluation(fn: () => Tensor, xs: readonly Tensor[]): TapedEvaluation | null {
  const engine = engineWithTape();
  if (!engine || engine.state.gradientDepth !== 0) return null;
  const save = saveByReference(engine);
  if (save) engine.saveTensorsForBackwardMode = save;
  const takeTape = (): TapeNode[] => {
    const tape = engine.state.activeTape ?? [];
    engine.state.activeTape = null;
    return tape;
  };
  engine.startTape();
  let value: Tensor;
  try {
    value = tf.tidy(fn);
  } catch (err) {
    takeTape().forEach((node) => node.saved?.forEach((t) => t.dispose()));
    throw err;
  } finally {
    // the engine's own method again (from its prototype)
    if (save) delete (engine as Partial<TapeEngine>).saveTensorsForBackwardMode;
    engine.endTape();
  }
  const tape = takeTape();
  const saved = tape.flatMap((node) => node.saved ?? []);
  const nodes = pathNodes(tape, xs, value);
  const shape = value.shape;
  const id = value.id;
  return {
    value,
    // each buffer once: several saved tensors may share one (an output that is the next op's input)
    bytes: [...new Map(saved.map((t) => [t.dataId, t.size] as const)).values()].reduce((s, n) => s + 4 * n, 0),
    vjp: (a) => {
      if (a.dtype !== 'float32' || a.shape.length !== shape.length || a.shape.some((n, i) => n !== shape[i])) {
        throw new Error(`tapedEvaluation.vjp: the cotangent must be float32 of shape [${shape.join(', ')}], got ${a.dtype} [${a.shape.join(', ')}].`);
      }
      return tf.tidy(() => {
        const grads = new Map<number, Tensor>([[id, a]]);
        for (let i = nodes.length - 1; i >= 0; i--) {
          const node = nodes[i];
          if (!node.gradient) {
            throw new Error(`The model uses the operation '${node.kernelName}', which TensorFlow.js cannot differentiate: write that part with operations that have a gradient.`);
          }
          const local = node.gradient(node.outputs.map((o) => grads.get(o.id) ?? null));
          for (const [name, x] of Object.entries(node.inputs)) {
            const dx = tf.tidy(local[name]);
            const sum = grads.get(x.id);
            grads.set(x.id, sum ? tf.add(sum, dx) : dx);
          }
        }
        // a itself when the value is an x: a copy, since the caller disposes what it gets
        return xs.map((x) => (grads.get(x.id) === a ? a.clone() : (grads.get(x.id) ?? null))) as Tensor[];
      });
    },
    dispose: () => saved.forEach((t) => t.dispose()),
  };
}
