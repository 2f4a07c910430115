import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createRequire } from 'node:module';
import * as engine from '../index';
import { SolverError } from '../solvers/errors';

/** The global through which a bundled user module reaches this process's engine. */
const ENGINE_GLOBAL = '__neuralOdeStudioEngine';

/**
 * Loads a user module (.ts, .mts, .js, .mjs, .cjs) and returns its default export. The module is
 * bundled with esbuild so TypeScript works without a build step, and its
 * `import … from 'neural-ode-studio'` is resolved to the engine already running here, so the
 * module and the command line share one engine (one tfjs, one backend). The engine's index must
 * therefore not import this module (experiments/index.ts leaves it out).
 */
export async function loadUserModule(file: string): Promise<unknown> {
  const path = resolve(file);
  if (!existsSync(path)) throw new SolverError('input', `${file}: no such file. Give the path of a module that exports default { f, y0, t }.`);
  (globalThis as Record<string, unknown>)[ENGINE_GLOBAL] = engine;
  const esbuild = await loadEsbuild();
  const dir = mkdtempSync(join(tmpdir(), 'neural-ode-'));
  const bundled = join(dir, 'module.cjs');
  try {
    const out = await bundleModule(esbuild, path, bundled);
    writeFileSync(bundled, out);
    // Stack traces (and the locations defineExperiment records) then point into the user's file.
    process.setSourceMapsEnabled(true);
    const req = createRequire(path);
    const mod = req(bundled) as { default?: unknown };
    return mod.default ?? mod;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * esbuild's native binary, else esbuild-wasm: the packaged extension ships without
 * node_modules (so no platform binary), and carries esbuild-wasm's portable WebAssembly build
 * in dist/ instead (scripts/build.mjs).
 */
async function loadEsbuild(): Promise<typeof import('esbuild')> {
  try {
    return (await import('esbuild')) as typeof import('esbuild');
  } catch {
    return (await import('esbuild-wasm')) as typeof import('esbuild');
  }
}

/** Bundles the user's module to CommonJS text; a syntax error becomes `file:line:column: message`. */
async function bundleModule(esbuild: typeof import('esbuild'), path: string, bundled: string): Promise<string> {
  try {
    const out = await esbuild.build({
      entryPoints: [path],
      bundle: true,
      write: false,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      sourcemap: 'inline',
      // The map's paths are relative to this file, so stack traces name the user's file.
      outfile: bundled,
      logLevel: 'silent',
      plugins: [
        {
          name: 'neural-ode-studio',
          setup(build) {
            build.onResolve({ filter: /^neural-ode-studio$/ }, () => ({ path: 'engine', namespace: 'neural-ode-studio' }));
            build.onLoad({ filter: /.*/, namespace: 'neural-ode-studio' }, () => ({
              contents: `module.exports = globalThis.${ENGINE_GLOBAL};`,
              loader: 'js',
            }));
          },
        },
      ],
    });
    return out.outputFiles[0].text;
  } catch (e) {
    const errors = (e as { errors?: import('esbuild').Message[] }).errors ?? [];
    const first = errors[0];
    if (first?.location) {
      const { file: f, line, column } = first.location;
      throw new SolverError('input', `${resolve(f)}:${line}:${column + 1}: ${first.text}`, { file: resolve(f), line, column: column + 1 });
    }
    throw e;
  }
}
