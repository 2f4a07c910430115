// `npm test`: every check, in order, stopping at the first stage that fails.
//   prerequisites → typecheck → lint → build + package → unit tests → real-VS-Code tests
// The build comes before the unit tests: one of them runs the built debug adapter over stdio.
// Test files are listed here because Node 20's test runner has no globs.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureCodeServer } from './codeServer.mjs';
import { ensureDebianPackages } from './systemPackages.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => path.join(root, 'node_modules', '.bin', name);

/** Every `*.test.ts` under `dir`, sorted, relative to the repository root. */
function testFiles(dir) {
  const abs = path.join(root, dir);
  if (!fs.existsSync(abs)) return [];
  return fs
    .readdirSync(abs, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.test.ts'))
    .map((e) => path.relative(root, path.join(e.parentPath ?? e.path, e.name)))
    .sort();
}

/** Runs one stage; a failing stage ends the run (test stages end on the runner's own summary). */
function stage(name, command, args, { isTestRun = false } = {}) {
  const shown = command === process.execPath ? 'node' : path.relative(root, command);
  console.log(`\n=== ${name}: ${[shown, ...args.map((a) => (path.isAbsolute(a) ? path.relative(root, a) : a))].join(' ')}`);
  const started = Date.now();
  const r = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    if (!isTestRun) console.error(`\n=== ${name} failed (exit ${r.status ?? r.signal}) after ${Math.round((Date.now() - started) / 1000)} s`);
    process.exit(r.status || 1);
  }
}

function nodeTests(name, files, extra = []) {
  if (files.length === 0) {
    console.error(`\n=== ${name}: no test files found`);
    process.exit(1);
  }
  stage(name, process.execPath, ['--import', 'tsx', '--test', '--test-reporter=tap', ...extra, ...files], { isTestRun: true });
}

async function main() {
  console.log('=== prerequisites: chromium, libkrb5-dev, Mesa EGL/GLES, code-server');
  try {
    ensureDebianPackages(['chromium', 'libkrb5-dev'], 'the real-VS-Code tests');
    ensureDebianPackages(['libegl1', 'libegl-mesa0', 'libgles2'], "the WebGPU test (Dawn on Mesa's software OpenGL ES driver)");
    await ensureCodeServer();
  } catch (err) {
    console.error(`\n=== prerequisites failed: ${err instanceof Error ? err.message : err}`);
    process.exit(1);
  }
  stage('typecheck', bin('tsc'), ['-p', '.', '--noEmit']);
  stage('typecheck webview', bin('tsc'), ['-p', 'webview', '--noEmit']);
  stage('lint', bin('eslint'), ['.']);
  stage('build + package', process.execPath, [path.join(root, 'scripts', 'package.mjs')]);
  // A bound on every test, so that a hang fails the run instead of stalling it.
  nodeTests('unit tests', testFiles('test/unit'), ['--test-timeout=600000']);
  // One VS Code at a time: each file starts its own code-server and browser.
  nodeTests('VS Code tests', testFiles('test/vscode'), ['--test-concurrency=1']);
}

await main();
