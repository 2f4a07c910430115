/**
 * The engine's replacements for tfjs-backend-wasm kernels that are slow on a vector field's
 * shapes (a batch of states, narrow physics columns, dense layers and their gradients). A
 * user's model that the engine does not compile runs on these; each file says what it
 * measured and why.
 */
import { registerJsElementwise } from './wasmElementwise';
import { registerPlainProducts } from './wasmMatMul';
import { registerNarrowRows } from './wasmRows';
import { registerSimdTanh } from './wasmTanh';

/** Registers them on `backendName` (once); returns what was replaced, in words. */
export function registerFastWasmKernels(backendName = 'wasm'): string[] {
  const done: string[] = [];
  if (registerSimdTanh(backendName)) done.push("Tanh by the engine's SIMD kernel");
  if (registerPlainProducts(backendName)) done.push('transposed products and leading-axis sums as plain products');
  if (registerNarrowRows(backendName)) done.push('narrow slices, splits and concatenations element by element');
  if (registerJsElementwise(backendName)) done.push('small sums, differences and products, and sin and cos, in JavaScript');
  return done;
}
