import type { NativeState } from '../../state/native';
import { SolverError } from '../errors';
import type { StepperContext } from '../stepper';
import { checkJacobianSize } from './jacobian';

/**
 * Implicit methods solve linear systems with the Jacobian on the CPU, so they take the
 * typed-array path only. Refuses a tensor state (and an oversized finite-difference
 * Jacobian) when the stepper is built, before any work.
 */
export function nativeContext<S>(method: string, ctx: StepperContext<S>): StepperContext<NativeState> {
  if (ctx.ops.kind !== 'native') {
    throw new SolverError(
      'input',
      `${method} is an implicit method: it solves linear systems with the dense Jacobian ∂f/∂y, which is done on ` +
        'typed arrays, not on tf.Tensor states. Try: pass y0 as a Float64Array (Float64Array.from(y0.dataSync())) ' +
        'with f(t, y: Float64Array) => Float64Array, or an explicit method (dopri5, or bosh3 for loose tolerances) ' +
        'on tensors if the problem is not stiff.',
      { method, kind: ctx.ops.kind },
    );
  }
  const native = ctx as unknown as StepperContext<NativeState>;
  checkJacobianSize(method, native.ops.size(native.y0), native.options.jacobian);
  return native;
}
