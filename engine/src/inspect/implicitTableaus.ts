/** The full Butcher matrices of the implicit methods, which the registry builds steppers from but does not expose. */
import { butcherMatrix, kvaerno3Tableau } from '../solvers/implicit/esdirkTableau';
import type { RkCoefficients } from './stability';

export function esdirkMethodTableau(method: string): RkCoefficients | null {
  // Backward Euler: one stage y1 = y0 + h·f(t1, y1).
  if (method === 'implicit_euler') return { A: [[1]], b: [1] };
  if (method === kvaerno3Tableau.name) return { A: butcherMatrix(kvaerno3Tableau), b: [...kvaerno3Tableau.b] };
  return null;
}
