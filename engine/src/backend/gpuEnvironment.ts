/**
 * Mesa's EGL (Dawn's OpenGL ES path, the software adapter of a machine without a GPU) needs a
 * surfaceless platform where there is no display, and reads it from the process environment,
 * which only the main thread can set: a worker thread's process.env is its own copy. The main
 * threads that start engine workers (the extension host, the CLI) call this first.
 */
import { isMainThread } from 'node:worker_threads';

export function prepareGpuEnvironment(env: NodeJS.ProcessEnv = process.env): void {
  if (process.platform !== 'linux' || !isMainThread) return;
  if (env.EGL_PLATFORM || env.DISPLAY || env.WAYLAND_DISPLAY) return;
  env.EGL_PLATFORM = 'surfaceless';
}
