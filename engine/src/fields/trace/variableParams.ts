/**
 * θ as a compiled field's variables see it. θ is one Float64Array, each variable flattened as it
 * is exported; a tf.layers kernel is exported transposed ([out, in] for a variable [in, out]),
 * so it is transposed on the way in, and its gradient on the way out.
 */
export interface VariableSlot {
  offset: number;
  size: number;
  /** The shape in θ ([out, in] for a transposed kernel). */
  shape: readonly number[];
  transposed: boolean;
}

export class VariableParams {
  private readonly copies: Float64Array[];

  constructor(readonly slots: readonly VariableSlot[]) {
    this.copies = slots.map((s) => new Float64Array(s.transposed ? s.size : 0));
  }

  /** Each variable's values from θ: a view of θ, or a transposed copy refreshed by this call. */
  read(theta: Float64Array): Float64Array[] {
    return this.slots.map((s, i) => {
      if (!s.transposed) return theta.subarray(s.offset, s.offset + s.size);
      const [rows, cols] = s.shape;
      const to = this.copies[i];
      for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) to[c * rows + r] = theta[s.offset + r * cols + c];
      return to;
    });
  }

  /** Gradients in the variables' layouts, added into an array laid out as θ (a new one if not given). */
  addGrads(grads: readonly Float64Array[], into?: Float64Array): Float64Array {
    const size = this.slots.reduce((n, s) => Math.max(n, s.offset + s.size), 0);
    const out = into ?? new Float64Array(size);
    this.slots.forEach((s, i) => {
      const from = grads[i];
      if (!s.transposed) {
        for (let k = 0; k < s.size; k++) out[s.offset + k] += from[k];
        return;
      }
      const [rows, cols] = s.shape;
      for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[s.offset + r * cols + c] += from[c * rows + r];
    });
    return out;
  }
}
