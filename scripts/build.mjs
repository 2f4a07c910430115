// One build for every bundle: the extension host, the engine worker, the CLI and the webview panels,
// and the engine's declarations.
//   node scripts/build.mjs [--production] [--watch]
import * as esbuild from 'esbuild';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');
const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));

/** Webview panels: every `webview/src/<panel>/main.ts` becomes `dist/webview/<panel>.js`. */
const webviewSrc = path.join(root, 'webview', 'src');
const webviewPanels = fs.existsSync(webviewSrc)
  ? fs.readdirSync(webviewSrc).filter((panel) => fs.existsSync(path.join(webviewSrc, panel, 'main.ts'))).sort()
  : [];

/** Optional backends the engine loads only when the user has installed them. */
const optionalPackages = ['@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu', 'webgpu'];

const common = {
  bundle: true,
  minify: production,
  sourcemap: production ? false : 'linked',
  logLevel: 'warning',
  // Experiment files and the CLI import the engine by its package name.
  alias: { 'neural-ode-studio': path.join(root, 'engine/src/index.ts') },
  define: { __ENGINE_VERSION__: JSON.stringify(pkg.version) },
};

const nodeCommon = { ...common, platform: 'node', target: 'node20', format: 'cjs' };

/**
 * Experiment files are bundled at run time with esbuild, which is not bundled itself: the
 * native `esbuild` package where node_modules has it (a checkout), else the copy of
 * esbuild-wasm that copyEsbuildWasm puts in dist/esbuild-wasm (the .vsix has no node_modules).
 */
const runtimeBundler = {
  name: 'runtime-bundler',
  setup(b) {
    b.onResolve({ filter: /^esbuild$/ }, () => ({ path: 'esbuild', external: true }));
    b.onResolve({ filter: /^esbuild-wasm$/ }, () => ({ path: './esbuild-wasm/lib/main.js', external: true }));
  },
};

/** @type {esbuild.BuildOptions[]} */
const builds = [
  {
    ...nodeCommon,
    entryPoints: { extension: 'extension/src/extension.ts' },
    outdir: dist,
    external: ['vscode'],
  },
  {
    ...nodeCommon,
    entryPoints: { engineWorker: 'engine/src/worker/main.ts' },
    outdir: dist,
    external: optionalPackages,
    plugins: [runtimeBundler],
  },
  {
    // The threads that share a large batch (engine/src/threads): rebuilt fields, no tfjs.
    ...nodeCommon,
    entryPoints: { engineThreads: 'engine/src/threads/worker.ts' },
    outdir: dist,
  },
  {
    ...nodeCommon,
    entryPoints: { cli: 'engine/src/cli/main.ts' },
    outdir: dist,
    // esbuild bundles the user's modules at run time; it ships as a dependency, not in the bundle.
    external: optionalPackages,
    plugins: [runtimeBundler],
    banner: { js: '#!/usr/bin/env node' },
  },
  {
    // The `neural-ode` debug adapter: standalone on stdin/stdout, and loaded inline by the extension.
    ...nodeCommon,
    entryPoints: { debugAdapter: 'extension/src/debug/main.ts' },
    outdir: dist,
    external: optionalPackages,
    plugins: [runtimeBundler],
  },
  ...webviewPanels.map((panel) => ({
    ...common,
    entryPoints: { [panel]: `webview/src/${panel}/main.ts` },
    outdir: path.join(dist, 'webview'),
    platform: 'browser',
    target: 'es2022',
    format: 'iife',
  })),
];

/** The wasm backend loads its .wasm files from the directory of the running bundle. */
function copyWasm() {
  const from = path.join(root, 'node_modules/@tensorflow/tfjs-backend-wasm/dist');
  for (const file of fs.readdirSync(from).filter((f) => f.endsWith('.wasm'))) {
    fs.copyFileSync(path.join(from, file), path.join(dist, file));
  }
}

/** The files esbuild-wasm's Node API needs, in its package's layout (its lib/main.js checks it). */
function copyEsbuildWasm() {
  const from = path.join(root, 'node_modules/esbuild-wasm');
  const to = path.join(dist, 'esbuild-wasm');
  for (const file of ['package.json', 'lib/main.js', 'bin/esbuild', 'wasm_exec_node.js', 'wasm_exec.js', 'esbuild.wasm', 'LICENSE.md']) {
    fs.mkdirSync(path.dirname(path.join(to, file)), { recursive: true });
    fs.copyFileSync(path.join(from, file), path.join(to, file));
  }
}

/**
 * KaTeX's stylesheet and fonts for the panels' maths, beside their bundles in dist/webview/katex/
 * (a panel's Content-Security-Policy takes styles and fonts from the extension only). woff2 only:
 * the stylesheet offers it first, and the webview's browser reads it.
 */
function copyKatex() {
  const from = path.join(root, 'node_modules/katex/dist');
  const to = path.join(dist, 'webview', 'katex');
  fs.mkdirSync(path.join(to, 'fonts'), { recursive: true });
  fs.copyFileSync(path.join(from, 'katex.min.css'), path.join(to, 'katex.min.css'));
  for (const font of fs.readdirSync(path.join(from, 'fonts')).filter((f) => f.endsWith('.woff2'))) {
    fs.copyFileSync(path.join(from, 'fonts', font), path.join(to, 'fonts', font));
  }
}

/**
 * The engine's public API as .d.ts files with a package.json, which the extension copies into a
 * workspace so that the editor resolves `import … from 'neural-ode-studio'` in experiment files.
 */
function emitTypes() {
  const r = spawnSync(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', path.join(root, 'engine/tsconfig.types.json')], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('emitting the engine declarations failed (see above)');
  const out = path.join(dist, 'types', 'neural-ode-studio');
  fs.writeFileSync(path.join(out, 'package.json'), `${JSON.stringify({ name: 'neural-ode-studio', version: pkg.version, types: 'index.d.ts' }, null, 2)}\n`);
}

/** In watch mode, one line per rebuild, so the terminal shows that a save was picked up. */
function rebuildReport(build) {
  const name = Object.keys(build.entryPoints).join(', ');
  return {
    name: 'rebuild-report',
    setup(b) {
      b.onEnd((result) => {
        if (name === 'cli' && result.errors.length === 0) fs.chmodSync(path.join(dist, 'cli.js'), 0o755);
        const status = result.errors.length > 0 ? `${result.errors.length} error(s)` : 'ok';
        console.log(`[build] ${new Date().toLocaleTimeString()} ${name}: ${status}`);
      });
    },
  };
}

async function main() {
  fs.rmSync(dist, { recursive: true, force: true });
  fs.mkdirSync(dist, { recursive: true });
  copyWasm();
  copyEsbuildWasm();
  copyKatex();
  const options = builds.map((b) => ({ absWorkingDir: root, ...b, plugins: [...(b.plugins ?? []), ...(watch ? [rebuildReport(b)] : [])] }));
  if (watch) {
    for (const o of options) await (await esbuild.context(o)).watch();
    console.log('[build] watching for changes (Ctrl-C to stop)');
    return;
  }
  const started = Date.now();
  await Promise.all(options.map((o) => esbuild.build(o)));
  fs.chmodSync(path.join(dist, 'cli.js'), 0o755);
  emitTypes();
  console.log(`[build] ${production ? 'production' : 'development'} bundles in dist/ (${Date.now() - started} ms)`);
}

main().catch((err) => {
  // esbuild has already printed the located errors.
  if (!(err && Array.isArray(err.errors))) console.error(err);
  process.exit(1);
});
