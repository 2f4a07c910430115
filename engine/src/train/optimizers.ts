/**
 * Optimisers on one flat Float64Array of parameters, updated in place, with PyTorch's update
 * rules (torch.optim.Adam/AdamW, RMSprop, SGD) so hyper-parameters carry over one to one.
 * Their whole state is plain data plus Float64Arrays (`state()`), which a checkpoint stores
 * bit-exactly; `optimizerFromState` continues exactly where the saved one stopped.
 */

export interface AdamOptions {
  lr?: number; // default 1e-3
  beta1?: number; // 0.9
  beta2?: number; // 0.999
  eps?: number; // 1e-8
  /** L2 penalty added to the gradient (torch.optim.Adam), or decoupled (AdamW) with `decoupled`. */
  weightDecay?: number; // 0
  decoupled?: boolean; // false
}

export interface RmspropOptions {
  lr?: number; // default 1e-2
  alpha?: number; // 0.99
  eps?: number; // 1e-8
  weightDecay?: number; // 0
  momentum?: number; // 0
  centered?: boolean; // false
}

export interface SgdOptions {
  lr: number; // no default, as in PyTorch
  momentum?: number; // 0
  dampening?: number; // 0
  nesterov?: boolean; // false
  weightDecay?: number; // 0
}

export type OptimizerSpec =
  | ({ name: 'adam' } & AdamOptions)
  | ({ name: 'rmsprop' } & RmspropOptions)
  | ({ name: 'sgd' } & SgdOptions);

/** Everything needed to continue: the spec, the step count, the moment buffers (null before the first step). */
export interface OptimizerState {
  spec: OptimizerSpec;
  /** The current learning rate (a schedule may have changed it from spec.lr). */
  lr: number;
  step: number;
  buffers: Record<string, Float64Array | null>;
}

export interface Optimizer {
  readonly name: OptimizerSpec['name'];
  /** The learning rate of the next step; a schedule sets it before each step. */
  lr: number;
  /** Number of steps taken. */
  readonly stepCount: number;
  /** params ← params − update(grads), in place. `grads` is not modified. */
  step(params: Float64Array, grads: Float64Array): void;
  state(): OptimizerState;
}

function check(name: string, value: number, ok: boolean, what: string): number {
  if (!ok || !Number.isFinite(value)) throw new RangeError(`${name} must be ${what}, got ${value}.`);
  return value;
}

abstract class BaseOptimizer<S extends OptimizerSpec> implements Optimizer {
  lr: number;
  protected t = 0;
  protected buffers: Record<string, Float64Array | null>;

  protected constructor(
    protected readonly spec: S,
    names: string[],
  ) {
    this.lr = spec.lr as number;
    this.buffers = Object.fromEntries(names.map((n) => [n, null]));
  }

  get name(): S['name'] {
    return this.spec.name;
  }

  get stepCount(): number {
    return this.t;
  }

  /** The buffer `key`, allocated (zeros) on first use; its length must match the parameters. */
  protected buffer(key: string, n: number): Float64Array {
    let b = this.buffers[key];
    if (b === null || b === undefined) {
      b = new Float64Array(n);
      this.buffers[key] = b;
    } else if (b.length !== n) {
      throw new RangeError(
        `${this.spec.name}: its state holds ${b.length} values for '${key}' but the model has ${n} parameters; ` +
          'the model changed since this state was saved: start the optimiser afresh.',
      );
    }
    return b;
  }

  step(params: Float64Array, grads: Float64Array): void {
    if (params.length !== grads.length) {
      throw new RangeError(`${this.spec.name}.step: ${params.length} parameters but ${grads.length} gradients.`);
    }
    check(`${this.spec.name}: lr`, this.lr, this.lr >= 0, '≥ 0');
    this.t++;
    this.update(params, grads);
  }

  protected abstract update(params: Float64Array, grads: Float64Array): void;

  state(): OptimizerState {
    const buffers = Object.fromEntries(Object.entries(this.buffers).map(([k, b]) => [k, b === null ? null : Float64Array.from(b)]));
    return { spec: { ...this.spec }, lr: this.lr, step: this.t, buffers };
  }

  /** Restores counters and buffers (copied, so the saved state stays untouched). */
  loadState(s: OptimizerState): this {
    this.lr = s.lr;
    this.t = s.step;
    for (const key of Object.keys(this.buffers)) {
      const b = s.buffers[key];
      this.buffers[key] = b === null || b === undefined ? null : Float64Array.from(b);
    }
    return this;
  }
}

export class Adam extends BaseOptimizer<{ name: 'adam' } & Required<AdamOptions>> {
  constructor(opts: AdamOptions = {}) {
    const spec = {
      name: 'adam' as const,
      lr: opts.lr ?? 1e-3,
      beta1: opts.beta1 ?? 0.9,
      beta2: opts.beta2 ?? 0.999,
      eps: opts.eps ?? 1e-8,
      weightDecay: opts.weightDecay ?? 0,
      decoupled: opts.decoupled ?? false,
    };
    check('adam: beta1', spec.beta1, spec.beta1 >= 0 && spec.beta1 < 1, 'in [0, 1)');
    check('adam: beta2', spec.beta2, spec.beta2 >= 0 && spec.beta2 < 1, 'in [0, 1)');
    check('adam: eps', spec.eps, spec.eps >= 0, '≥ 0');
    check('adam: weightDecay', spec.weightDecay, spec.weightDecay >= 0, '≥ 0');
    super(spec, ['expAvg', 'expAvgSq']);
  }

  protected update(p: Float64Array, g: Float64Array): void {
    const { beta1, beta2, eps, weightDecay, decoupled } = this.spec;
    const m = this.buffer('expAvg', p.length);
    const v = this.buffer('expAvgSq', p.length);
    const lr = this.lr;
    const bc1 = 1 - Math.pow(beta1, this.t);
    const sqrtBc2 = Math.sqrt(1 - Math.pow(beta2, this.t));
    const stepSize = lr / bc1;
    const l2 = decoupled ? 0 : weightDecay;
    const shrink = decoupled ? 1 - lr * weightDecay : 1;
    for (let i = 0; i < p.length; i++) {
      const gi = g[i] + l2 * p[i];
      m[i] = beta1 * m[i] + (1 - beta1) * gi;
      v[i] = beta2 * v[i] + (1 - beta2) * gi * gi;
      const denom = Math.sqrt(v[i]) / sqrtBc2 + eps;
      p[i] = p[i] * shrink - (stepSize * m[i]) / denom;
    }
  }
}

export class Rmsprop extends BaseOptimizer<{ name: 'rmsprop' } & Required<RmspropOptions>> {
  constructor(opts: RmspropOptions = {}) {
    const spec = {
      name: 'rmsprop' as const,
      lr: opts.lr ?? 1e-2,
      alpha: opts.alpha ?? 0.99,
      eps: opts.eps ?? 1e-8,
      weightDecay: opts.weightDecay ?? 0,
      momentum: opts.momentum ?? 0,
      centered: opts.centered ?? false,
    };
    check('rmsprop: alpha', spec.alpha, spec.alpha >= 0 && spec.alpha < 1, 'in [0, 1)');
    check('rmsprop: eps', spec.eps, spec.eps >= 0, '≥ 0');
    check('rmsprop: momentum', spec.momentum, spec.momentum >= 0, '≥ 0');
    check('rmsprop: weightDecay', spec.weightDecay, spec.weightDecay >= 0, '≥ 0');
    super(spec, ['squareAvg', 'momentumBuffer', 'gradAvg']);
  }

  protected update(p: Float64Array, g: Float64Array): void {
    const { alpha, eps, weightDecay, momentum, centered } = this.spec;
    const sq = this.buffer('squareAvg', p.length);
    const buf = momentum > 0 ? this.buffer('momentumBuffer', p.length) : null;
    const ga = centered ? this.buffer('gradAvg', p.length) : null;
    const lr = this.lr;
    for (let i = 0; i < p.length; i++) {
      const gi = g[i] + weightDecay * p[i];
      sq[i] = alpha * sq[i] + (1 - alpha) * gi * gi;
      let avg: number;
      if (ga !== null) {
        ga[i] = alpha * ga[i] + (1 - alpha) * gi;
        avg = Math.sqrt(sq[i] - ga[i] * ga[i]) + eps;
      } else {
        avg = Math.sqrt(sq[i]) + eps;
      }
      if (buf !== null) {
        buf[i] = momentum * buf[i] + gi / avg;
        p[i] -= lr * buf[i];
      } else {
        p[i] -= (lr * gi) / avg;
      }
    }
  }
}

export class Sgd extends BaseOptimizer<{ name: 'sgd' } & Required<SgdOptions>> {
  constructor(opts: SgdOptions) {
    const spec = {
      name: 'sgd' as const,
      lr: opts.lr,
      momentum: opts.momentum ?? 0,
      dampening: opts.dampening ?? 0,
      nesterov: opts.nesterov ?? false,
      weightDecay: opts.weightDecay ?? 0,
    };
    check('sgd: lr', spec.lr, typeof spec.lr === 'number' && spec.lr >= 0, 'a number ≥ 0 (SGD has no default learning rate)');
    check('sgd: momentum', spec.momentum, spec.momentum >= 0, '≥ 0');
    check('sgd: weightDecay', spec.weightDecay, spec.weightDecay >= 0, '≥ 0');
    if (spec.nesterov && (spec.momentum <= 0 || spec.dampening !== 0)) {
      throw new RangeError(`sgd: Nesterov momentum needs momentum > 0 and dampening 0 (got momentum ${spec.momentum}, dampening ${spec.dampening}).`);
    }
    super(spec, ['momentumBuffer']);
  }

  protected update(p: Float64Array, g: Float64Array): void {
    const { momentum, dampening, nesterov, weightDecay } = this.spec;
    const lr = this.lr;
    if (momentum === 0) {
      for (let i = 0; i < p.length; i++) p[i] -= lr * (g[i] + weightDecay * p[i]);
      return;
    }
    // PyTorch seeds the buffer with the first gradient itself (no dampening on step 1).
    const first = this.buffers.momentumBuffer === null;
    const buf = this.buffer('momentumBuffer', p.length);
    for (let i = 0; i < p.length; i++) {
      const gi = g[i] + weightDecay * p[i];
      buf[i] = first ? gi : momentum * buf[i] + (1 - dampening) * gi;
      p[i] -= lr * (nesterov ? gi + momentum * buf[i] : buf[i]);
    }
  }
}

/** An optimiser from its spec, e.g. createOptimizer({ name: 'rmsprop', lr: 1e-3 }). */
export function createOptimizer(spec: OptimizerSpec): Adam | Rmsprop | Sgd {
  switch (spec.name) {
    case 'adam':
      return new Adam(spec);
    case 'rmsprop':
      return new Rmsprop(spec);
    case 'sgd':
      return new Sgd(spec);
    default:
      throw new RangeError(`Unknown optimiser '${(spec as { name: unknown }).name}': use 'adam', 'rmsprop' or 'sgd'.`);
  }
}

/** The optimiser a saved state describes, continuing from it. */
export function optimizerFromState(state: OptimizerState): Adam | Rmsprop | Sgd {
  if (state === null || typeof state !== 'object' || typeof state.step !== 'number' || state.spec === undefined) {
    throw new RangeError('Not an optimiser state (expected { spec, lr, step, buffers } as Optimizer.state() returns).');
  }
  return createOptimizer(state.spec).loadState(state);
}
