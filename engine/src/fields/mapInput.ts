import type { NativeField } from './field';
import type { ParamEntry } from './mlpLayout';

/**
 * A field that sees its state through an elementwise map: f(t, y) = base(t, g(y)). torchdiffeq's
 * ode_demo learns `net(y**3)`, i.e. `mapInput(mlpField(…), (x) => x ** 3, (x) => 3 * x * x)`.
 * The VJP applies the chain rule: aᵀ∂f/∂y = (aᵀ∂base/∂u)·g'(y), and the parameters' part is the base's.
 * fAndVjp and the activation tape are the base's, when it has them.
 */
export function mapInput<F extends NativeField & { readonly layout?: readonly ParamEntry[] }>(
  base: F,
  g: (x: number) => number,
  dg: (x: number) => number,
): NativeField & { readonly layout?: readonly ParamEntry[]; readonly base: F; readonly map: (x: number) => number } {
  const mapped = (y: Float64Array): Float64Array => {
    const u = new Float64Array(y.length);
    for (let i = 0; i < y.length; i++) u[i] = g(y[i]);
    return u;
  };
  /** aᵀ∂f/∂y = (aᵀ∂base/∂u)·g'(y), in place. */
  const chain = (gu: Float64Array, y: Float64Array): Float64Array => {
    for (let i = 0; i < y.length; i++) gu[i] *= dg(y[i]);
    return gu;
  };
  return {
    kind: 'native',
    dim: base.dim,
    params: base.params,
    // The parameters are the base's, so they export under the base's names.
    layout: base.layout,
    base,
    // g itself, so that an export can write it in another language (export/inputMap.ts)
    map: g,
    f: (t, y) => base.f(t, mapped(y)),
    vjp: (t, y, a) => {
      const inner = base.vjp(t, mapped(y), a);
      return { y: chain(inner.y, y), params: inner.params };
    },
    fAndVjp: base.fAndVjp
      ? (t, y, a) => {
          const inner = base.fAndVjp!(t, mapped(y), a);
          return { f: inner.f, y: chain(inner.y, y), params: inner.params };
        }
      : undefined,
    // The base's tape on the mapped state: g(y) is recomputed from y, so the values match.
    tape: base.tape
      ? () => {
          const inner = base.tape!();
          if (!inner) return null;
          return {
            f: (t, y) => inner.f(t, mapped(y)),
            matches: (rec, t, y) => inner.matches(rec, t, mapped(y)),
            vjp: (rec, t, y, a, into) => {
              const g = inner.vjp(rec, t, mapped(y), a, into);
              return { y: chain(g.y, y), params: g.params };
            },
            free: (rec) => inner.free(rec),
            close: () => inner.close(),
            get size() {
              return inner.size;
            },
            get bytes() {
              return inner.bytes;
            },
          };
        }
      : undefined,
  };
}
