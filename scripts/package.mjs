// `npm run package`: production build, then dist/neural-ode-studio.vsix (vsce, offline), then a
// check of what the .vsix really holds: the bundles, the wasm binaries, media and the manifest,
// and nothing else (no sources, no node_modules).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const vsixPath = path.join(root, 'dist', 'neural-ode-studio.vsix');

function run(args) {
  const r = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status || 1);
}

/** Names of the entries of a zip file, from its central directory. */
function zipEntries(file) {
  const buf = fs.readFileSync(file);
  const eocd = buf.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (eocd < 0) throw new Error(`${file} is not a zip file`);
  const count = buf.readUInt16LE(eocd + 10);
  let at = buf.readUInt32LE(eocd + 16);
  const names = [];
  for (let i = 0; i < count; i++) {
    if (buf.readUInt32LE(at) !== 0x02014b50) throw new Error(`${file}: broken central directory`);
    const nameLength = buf.readUInt16LE(at + 28);
    names.push(buf.toString('utf8', at + 46, at + 46 + nameLength));
    at += 46 + nameLength + buf.readUInt16LE(at + 30) + buf.readUInt16LE(at + 32);
  }
  return names;
}

const allowed = /^extension\/(dist\/.+|media\/.+|python\/neural_ode_studio\/[a-z_]+\.py|package\.json|package\.nls\.json|readme\.md|LICENSE\.txt|changelog\.md)$/i;
const vsixMetadata = new Set(['[Content_Types].xml', 'extension.vsixmanifest']);
const required = [
  'extension/package.json',
  'extension/package.nls.json',
  'extension/dist/extension.js',
  'extension/dist/engineWorker.js',
  'extension/dist/engineThreads.js',
  'extension/dist/cli.js',
  'extension/dist/debugAdapter.js',
  'extension/dist/tfjs-backend-wasm-simd.wasm',
  'extension/dist/tfjs-backend-wasm.wasm',
  // esbuild-wasm bundles experiment files in the installed extension (no node_modules there).
  'extension/dist/esbuild-wasm/lib/main.js',
  'extension/dist/esbuild-wasm/bin/esbuild',
  'extension/dist/esbuild-wasm/esbuild.wasm',
  // The diagnostics panel's maths.
  'extension/dist/webview/katex/katex.min.css',
  'extension/dist/webview/katex/fonts/KaTeX_Main-Regular.woff2',
  // export-torch copies the run store's Python writer into the folder it writes.
  'extension/python/neural_ode_studio/run.py',
  'extension/media/icon.png',
  'extension/readme.md',
  'extension/LICENSE.txt',
];

run([path.join(root, 'scripts', 'build.mjs'), '--production']);
run([
  path.join(root, 'node_modules', '@vscode', 'vsce', 'vsce'),
  'package',
  '--no-dependencies',
  '--allow-missing-repository',
  '--out',
  vsixPath,
]);

const entries = zipEntries(vsixPath);
const lower = new Set(entries.map((e) => e.toLowerCase()));
const unexpected = entries.filter((e) => !vsixMetadata.has(e) && !allowed.test(e));
const missing = required.filter((e) => !lower.has(e.toLowerCase()));
if (unexpected.length > 0 || missing.length > 0) {
  if (unexpected.length > 0) console.error(`${vsixPath} holds files it should not (fix .vscodeignore):\n  ${unexpected.join('\n  ')}`);
  if (missing.length > 0) console.error(`${vsixPath} lacks required files:\n  ${missing.join('\n  ')}`);
  process.exit(1);
}
console.log(`[package] ${path.relative(root, vsixPath)}: ${entries.length} entries, ${(fs.statSync(vsixPath).size / 1e6).toFixed(2)} MB, contents checked`);
