// odeNet.ode.ts with RNODE's regularisers on its ODE block: the kinetic energy ∫‖f‖² dt and the
// Jacobian's Frobenius norm ∫‖∂f/∂h‖²_F dt (Hutchinson's estimate), λ = 0.01 each, added to the
// cross-entropy. Compare its forward NFE per iteration with the plain model's in the Training
// curves. The Jacobian term costs three more VJPs of the block per evaluation, so each iteration
// is slower; what it buys is a field the solver does not have to chase with ever smaller steps.
import { defineExperiment } from 'neural-ode-studio';
import odeNet from './odeNet.ode';

export default defineExperiment({
  ...odeNet,
  name: 'odeNet-rnode',
  train: { ...odeNet.train, regularize: { kinetic: 0.01, jacobian: 0.01 } },
});
