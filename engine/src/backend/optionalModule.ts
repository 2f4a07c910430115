/**
 * Loading packages the engine does not ship but uses when a user has installed them
 * (`@tensorflow/tfjs-node(-gpu)`, the `webgpu` Dawn binding). They are looked up next to the
 * engine and then in the workspace of the experiments (searchRoots), and
 * they are required at run time by name, so bundling never pulls them in.
 */
import Module, { createRequire } from 'node:module';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { tf } from './tf';

/** Loads a package by name; throws (or rejects with) `ModuleNotInstalled` when it cannot be found. */
export type ModuleLoader = (name: string) => unknown;

export class ModuleNotInstalled extends Error {
  constructor(
    readonly moduleName: string,
    readonly searched: string[],
  ) {
    super(`${moduleName} is not installed (looked in ${searched.join(', ')})`);
    this.name = 'ModuleNotInstalled';
  }
}

function isModuleNotFound(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === 'MODULE_NOT_FOUND';
}

/**
 * The engine's own folder, then the editor's workspace folders (NEURAL_ODE_WORKSPACE, set by the
 * extension, which runs the engine with another working directory), then the working directory.
 */
function searchRoots(): string[] {
  const here = typeof __filename === 'string' ? __filename : path.join(process.cwd(), 'index.js');
  const workspace = (process.env.NEURAL_ODE_WORKSPACE ?? '').split(path.delimiter).filter(Boolean);
  const roots = [here, ...workspace.map((dir) => path.join(dir, 'package.json')), path.join(process.cwd(), 'package.json')];
  return [...new Set(roots)];
}

type LoadFn = (request: string, parent: unknown, isMain: boolean) => unknown;
const moduleInternals = Module as unknown as { _load: LoadFn };

/** Bare package names that must resolve to the engine's own TensorFlow.js while loading. */
const SHARED = new Set(['@tensorflow/tfjs', '@tensorflow/tfjs-core']);

/**
 * Runs `load` while `require('@tensorflow/tfjs')` and `require('@tensorflow/tfjs-core')` answer
 * the engine's instance. tfjs-node registers its backend and kernels on whatever tfjs it
 * requires; when the engine is bundled, that would otherwise be a second copy living in the
 * workspace's node_modules, and the engine would never see the 'tensorflow' backend.
 */
function withSharedTfjs<T>(load: () => T): T {
  const original = moduleInternals._load;
  moduleInternals._load = function sharedLoad(this: unknown, request, parent, isMain) {
    if (SHARED.has(request)) return tf;
    return original.call(this, request, parent, isMain);
  };
  try {
    return load();
  } finally {
    moduleInternals._load = original;
  }
}

/** The default loader: resolve from the engine, then from the workspace; share tfjs. */
export const loadOptionalModule: ModuleLoader = (name) => {
  const searched: string[] = [];
  for (const root of searchRoots()) {
    const req = createRequire(root);
    let resolved: string;
    try {
      resolved = req.resolve(name);
    } catch (err) {
      if (!isModuleNotFound(err)) throw err;
      searched.push(path.dirname(root));
      continue;
    }
    try {
      return withSharedTfjs(() => req(resolved));
    } catch (err) {
      // An ES module on a Node that cannot require() one: import it (a Promise).
      if ((err as { code?: unknown } | null)?.code !== 'ERR_REQUIRE_ESM') throw err;
      return import(pathToFileURL(resolved).href);
    }
  }
  throw new ModuleNotInstalled(name, searched);
};

/** First line of an error, for one-line reports. */
export function errorLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.split('\n', 1)[0].trim();
}
