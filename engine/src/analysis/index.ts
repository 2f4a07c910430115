// Modified equations and linear stability of numerical schemes: what ODE a scheme (or a
// network read as one) really solves, and where its steps stay bounded.
export { Rational } from './rational';
export { Poly } from './polynomial';
export { Coef } from './coefficient';
export { type Tree, LEAF, tree, treesUpTo, symmetry, density, treeText, treeLatex, treeAscii } from './trees';
export { type Scheme, type RungeKuttaScheme, type MultistepScheme, ab2, lmScheme, rungeKuttaScheme, schemeByName, schemeNames } from './schemes';
export {
  modifiedEquation,
  derivativeForm,
  rungeKuttaIncrement,
  scalarModifiedField,
  MAX_MODEQ_ORDER,
  type ModifiedEquation,
  type ModifiedTerm,
  type DerivativeForm,
  type DerivativeTerm,
} from './modifiedEquation';
export { formatModifiedEquation, formatDerivativeForm, coefficientAscii } from './print';
export {
  ab2Coefficients,
  lmCoefficients,
  multistepCoefficients,
  characteristicRoots,
  rootModulus,
  isStable,
  boundaryLocus,
  realStabilityInterval,
  multistepStabilityRegion,
  polynomialRoots,
  type MultistepCoefficients,
  type MultistepStabilityRegion,
  type PlaneWindow,
} from './multistepStability';
export { schemeStability, type SchemeStability } from './schemeStability';
