/**
 * esbuild-wasm (the bundler of experiment files in the packaged extension) starts its
 * WebAssembly service as a child process named `node`, looked up on PATH. Inside an editor
 * that `node` may be missing or another version, so this worker points PATH (its own copy of
 * the environment: other threads are unaffected) at the runtime that runs it: its own folder
 * when the runtime is a `node` binary (code-server, remote servers), else a link named `node`
 * to the Electron binary, run as Node with ELECTRON_RUN_AS_NODE.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** Returns the folder put first on PATH, or undefined when nothing could be arranged. */
export function pointNodeAtThisRuntime(env: NodeJS.ProcessEnv = process.env, execPath = process.execPath): string | undefined {
  const exe = process.platform === 'win32' ? 'node.exe' : 'node';
  let dir: string;
  if (path.basename(execPath).toLowerCase() === exe) {
    dir = path.dirname(execPath);
  } else if (process.platform === 'win32') {
    // Without privileges Windows has no symlinks, and a hard-linked Electron misses its
    // resources: esbuild-wasm then needs a `node` on PATH (the native esbuild needs none).
    return undefined;
  } else {
    dir = path.join(os.tmpdir(), `neural-ode-node-${process.pid}`);
    const link = path.join(dir, exe);
    try {
      fs.mkdirSync(dir, { recursive: true });
      // A stale link (a recycled process id) is replaced.
      const current = fs.existsSync(link) ? fs.realpathSync(link) : undefined;
      if (current !== fs.realpathSync(execPath)) {
        fs.rmSync(link, { force: true });
        fs.symlinkSync(execPath, link);
      }
    } catch {
      return undefined; // esbuild-wasm then uses whatever `node` PATH has
    }
    env.ELECTRON_RUN_AS_NODE = '1';
  }
  const key = Object.keys(env).find((k) => k.toUpperCase() === 'PATH') ?? 'PATH';
  env[key] = [dir, env[key]].filter(Boolean).join(path.delimiter);
  return dir;
}
