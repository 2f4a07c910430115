// Debian packages that the real-VS-Code tooling needs (chromium for the browser tests,
// libkrb5-dev for code-server's native modules). Installed when we may (root + apt-get);
// otherwise the caller gets an error that names the exact command to run. Never skipped.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';

/** Files that prove a package is present where dpkg cannot be asked (non-Debian systems). */
const PROBES = {
  chromium: '/usr/bin/chromium',
  'libkrb5-dev': '/usr/include/gssapi/gssapi.h',
  'g++': '/usr/bin/g++',
  make: '/usr/bin/make',
  python3: '/usr/bin/python3',
};

function hasCommand(name) {
  return spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
}

function isInstalled(pkg) {
  if (hasCommand('dpkg-query')) {
    const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8' });
    return r.status === 0 && r.stdout.includes('install ok installed');
  }
  const probe = PROBES[pkg];
  return probe !== undefined && fs.existsSync(probe);
}

/**
 * Makes sure every package in `pkgs` is installed.
 * @param {string[]} pkgs Debian package names
 * @param {string} why what needs them, for the messages
 * @param {(line: string) => void} [log]
 */
export function ensureDebianPackages(pkgs, why, log = (line) => console.log(line)) {
  const missing = pkgs.filter((p) => !isInstalled(p));
  if (missing.length === 0) return;
  const command = `apt-get update && apt-get install -y ${missing.join(' ')}`;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot || !hasCommand('apt-get')) {
    throw new Error(
      `Missing Debian package(s) for ${why}: ${missing.join(', ')}.\n` +
        `Install them, then run this again:\n  sudo sh -c '${command}'`,
    );
  }
  log(`[setup] installing ${missing.join(', ')} for ${why} (apt-get)…`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update'], ['install', '-y', ...missing]]) {
    const r = spawnSync('apt-get', args, { stdio: ['ignore', 'inherit', 'inherit'], env });
    if (r.status !== 0) {
      throw new Error(`\`apt-get ${args.join(' ')}\` failed (exit ${r.status}) while installing ${missing.join(', ')} for ${why}.`);
    }
  }
  const still = missing.filter((p) => !isInstalled(p));
  if (still.length > 0) throw new Error(`apt-get finished but ${still.join(', ')} is still missing.`);
}
