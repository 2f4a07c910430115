// `npm start`: build and package the extension, then open a real VS Code (code-server) in the
// browser on examples/ with the extension installed. Runs until Ctrl-C.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureCodeServer, installDir, startCodeServer } from './codeServer.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const vsix = path.join(root, 'dist', 'neural-ode-studio.vsix');
const workspace = path.join(root, 'examples');

const packaged = spawnSync(process.execPath, [path.join(root, 'scripts', 'package.mjs')], { cwd: root, stdio: 'inherit' });
if (packaged.status !== 0) process.exit(packaged.status || 1);

try {
  await ensureCodeServer();
} catch (err) {
  console.error(`\nCould not set up code-server: ${err instanceof Error ? err.message : err}`);
  process.exit(1);
}

// A profile that survives restarts (settings, opened editors), next to the installation.
const profile = path.join(installDir, 'profile');
fs.mkdirSync(profile, { recursive: true });
console.log('[start] starting VS Code (code-server)…');
const port = process.env.PORT ? Number.parseInt(process.env.PORT, 10) : undefined;
const server = await startCodeServer({ workspace, vsix, scratch: profile, port });

console.log(`
Neural ODE Studio is running in VS Code at

  ${server.url}

Open it in a browser; run "Neural ODE: Show Engine Info" from the command palette (F1).
code-server's log: ${server.logFile}
Press Ctrl-C to stop.
`);

let stopping = false;
void server.exited.then((code) => {
  if (stopping) return;
  console.error(`[start] code-server stopped by itself (exit code ${code}); see ${server.logFile}`);
  process.exit(1);
});
const stop = async (signal) => {
  if (stopping) return;
  stopping = true;
  console.log(`\n[start] ${signal}: stopping code-server…`);
  await server.stop();
  process.exit(0);
};
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
process.on('SIGHUP', () => void stop('SIGHUP'));
// Keep the process alive until a signal arrives.
setInterval(() => undefined, 1 << 30);
