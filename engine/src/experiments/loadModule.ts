import { existsSync } from 'node:fs';
import Module from 'node:module';
import { basename, dirname, join, resolve } from 'node:path';
import * as engine from '../index';
import { SolverError } from '../solvers/errors';

/** The global through which a bundled user module reaches this process's engine. */
const ENGINE_GLOBAL = '__neuralOdeStudioEngine';

/**
 * Told when a user module starts loading (bundling and running its top level); calls the
 * function it returns when the load ends, however it ends. A thread that runs a module whose top
 * level never returns cannot stop it: whoever started the thread times the load from these
 * (the engine worker's host, the command line) and terminates the thread.
 */
export type LoadObserver = (file: string) => () => void;
let observer: LoadObserver | undefined;

/** Sets the one observer of this thread's loads (undefined: none). */
export function observeLoads(o: LoadObserver | undefined): void {
  observer = o;
}

/**
 * A loaded module's default export keeps its module alive, and so the source map that Node keeps
 * for it as long as the module lives: errors thrown later from the user's code keep their lines.
 */
const modules = new WeakMap<object, Module>();

/**
 * Loads a user module (.ts, .mts, .js, .mjs, .cjs) and returns its default export. The module is
 * bundled with esbuild so TypeScript works without a build step, and its
 * `import … from 'neural-ode-studio'` is resolved to the engine already running here, so the
 * module and the command line share one engine (one tfjs, one backend). The engine's index must
 * therefore not import this module (experiments/index.ts leaves it out).
 *
 * The bundle is compiled from memory, never written to disk: a module whose top level never
 * returns, and whose thread is terminated, leaves no temporary file behind.
 */
export async function loadUserModule(file: string): Promise<unknown> {
  const path = resolve(file);
  if (!existsSync(path)) throw new SolverError('input', `${file}: no such file. Give the path of a module that exports default { f, y0, t }.`);
  const done = observer?.(path);
  try {
    (globalThis as Record<string, unknown>)[ENGINE_GLOBAL] = engine;
    const esbuild = await loadEsbuild();
    // Beside the user's file, and never written: the source map's paths are relative to it, and
    // the module's require and __dirname are those of the user's folder.
    const bundled = join(dirname(path), `${basename(path)}.neural-ode-bundle.cjs`);
    const out = await bundleModule(esbuild, path, bundled);
    // Stack traces (and the locations defineExperiment records) then point into the user's file.
    process.setSourceMapsEnabled(true);
    const mod = new Module(bundled) as Module & { _compile(code: string, filename: string): void };
    mod.filename = bundled;
    mod.paths = (Module as unknown as { _nodeModulePaths(dir: string): string[] })._nodeModulePaths(dirname(path));
    mod._compile(out, bundled);
    mod.loaded = true;
    const exports = mod.exports as { default?: unknown };
    const value = exports?.default ?? exports;
    if ((typeof value === 'object' && value !== null) || typeof value === 'function') modules.set(value, mod);
    return value;
  } finally {
    done?.();
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
