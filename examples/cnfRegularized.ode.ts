// cnf.ode.ts with RNODE's regularisers (Finlay et al., 2020): the kinetic energy ∫‖f‖² dt and the
// Jacobian's Frobenius norm ∫‖∂f/∂z‖²_F dt, each with λ = 0.01, added to the negative
// log-likelihood. They keep the learned flow straight and smooth, so the solver needs fewer steps
// as it trains. Train both and compare their NFE in the Training curves (the Regularisers chart
// shows the two terms); bench/regularize.ts measures it over several seeds (docs/regularization.md).
import { defineExperiment } from 'neural-ode-studio';
import cnf from './cnf.ode';

export default defineExperiment({
  ...cnf,
  name: 'cnf-rnode',
  train: { ...cnf.train, regularize: { kinetic: 0.01, jacobian: 0.01 } },
});
