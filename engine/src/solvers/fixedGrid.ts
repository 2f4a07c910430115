import type { StepperContext } from './stepper';
import { GridStepperBase } from './grid';
import type { CheckedTableau } from './tableau';

/** An explicit Runge–Kutta tableau stepped on a fixed grid (euler, midpoint, heun, rk4, …). */
export class FixedGridRKStepper<S> extends GridStepperBase<S> {
  readonly method: string;
  readonly order: number;

  constructor(
    ctx: StepperContext<S>,
    private readonly tab: CheckedTableau,
  ) {
    super(ctx);
    this.method = tab.name;
    this.order = tab.order;
  }

  protected async advance(n: number, t0: number, h: number, y0: S): Promise<S> {
    return rkStep(this.tab, t0, h, y0, this.currentF(), (t, y) => this.evalF(t, y), this.ops, (i, t, y, k) =>
      this.emitStage(n, i, t, y, k),
    );
  }
}

/** One explicit RK step without error estimate, reporting each stage; frees its temporaries. */
export async function rkStep<S>(
  tab: CheckedTableau,
  t0: number,
  h: number,
  y0: S,
  f0: S,
  evalF: (t: number, y: S) => S,
  ops: { lincomb(b: S | null, c: ArrayLike<number>, xs: readonly S[]): S; dispose(x: S): void },
  emitStage: (i: number, t: number, y: S, k: S) => Promise<void>,
): Promise<S> {
  const ks: S[] = [f0];
  let yi: S | null = null;
  try {
    await emitStage(0, t0, y0, f0);
    for (let i = 1; i < tab.stages; i++) {
      const row = tab.a[i];
      const coeffs = new Array<number>(i);
      for (let j = 0; j < i; j++) coeffs[j] = h * row[j];
      const ti = t0 + tab.c[i] * h;
      yi = ops.lincomb(y0, coeffs, ks);
      ks.push(evalF(ti, yi));
      await emitStage(i, ti, yi, ks[i]);
      ops.dispose(yi);
      yi = null;
    }
    return ops.lincomb(y0, tab.b.map((b) => h * b), ks);
  } finally {
    // On success and on a throwing f alike, only y1 (and f0, owned by the caller) survive.
    if (yi) ops.dispose(yi);
    for (let i = 1; i < ks.length; i++) ops.dispose(ks[i]);
  }
}
