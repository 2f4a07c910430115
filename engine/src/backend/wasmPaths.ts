/**
 * Where the tfjs-backend-wasm binaries are. The build copies them next to each bundle in dist/
 * (so `__dirname` of the bundle holds them); from source they are in the package's own dist/;
 * `NEURAL_ODE_WASM_DIR` overrides both.
 */
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';

/** The binary every build can fall back to; the SIMD and threaded ones sit beside it. */
export const WASM_BINARIES = [
  'tfjs-backend-wasm.wasm',
  'tfjs-backend-wasm-simd.wasm',
  'tfjs-backend-wasm-threaded-simd.wasm',
] as const;

export interface WasmDirectory {
  dir: string;
  /** Why this directory: the env var, the bundle's own directory, or the npm package. */
  source: 'NEURAL_ODE_WASM_DIR' | 'bundle' | 'package';
}

function holdsBinaries(dir: string): boolean {
  return fs.existsSync(path.join(dir, 'tfjs-backend-wasm-simd.wasm')) || fs.existsSync(path.join(dir, WASM_BINARIES[0]));
}

function packageDir(): string | null {
  const here = typeof __filename === 'string' ? __filename : path.join(process.cwd(), 'index.js');
  try {
    return path.dirname(createRequire(here).resolve('@tensorflow/tfjs-backend-wasm'));
  } catch {
    return null;
  }
}

/**
 * The directory to pass to `setWasmPaths`, or a sentence saying why there is none.
 * An explicit `NEURAL_ODE_WASM_DIR` is used as given (a typo there should fail loudly, not
 * silently fall back to another copy).
 */
export function locateWasmDirectory(env: Record<string, string | undefined>): WasmDirectory | { error: string } {
  const override = env.NEURAL_ODE_WASM_DIR;
  if (override) {
    const dir = path.resolve(override);
    if (holdsBinaries(dir)) return { dir, source: 'NEURAL_ODE_WASM_DIR' };
    return { error: `NEURAL_ODE_WASM_DIR=${override} holds no ${WASM_BINARIES[1]}; point it at a directory with the tfjs-backend-wasm binaries or unset it` };
  }
  if (typeof __dirname === 'string' && holdsBinaries(__dirname)) return { dir: __dirname, source: 'bundle' };
  const pkg = packageDir();
  if (pkg && holdsBinaries(pkg)) return { dir: pkg, source: 'package' };
  return {
    error:
      `the tfjs-backend-wasm binaries (${WASM_BINARIES.join(', ')}) were found neither next to the engine` +
      `${typeof __dirname === 'string' ? ` (${__dirname})` : ''} nor in @tensorflow/tfjs-backend-wasm; ` +
      'rebuild (the build copies them into dist/) or set NEURAL_ODE_WASM_DIR',
  };
}

/** `setWasmPaths` takes a prefix that is concatenated with the file name. */
export function asPrefix(dir: string): string {
  return dir.endsWith(path.sep) ? dir : dir + path.sep;
}
