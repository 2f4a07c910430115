/**
 * The `neural-ode` debug adapter as a program speaking DAP on stdin/stdout:
 *   node dist/debugAdapter.js
 * The extension loads the same bundle and runs the session inline (activate.ts).
 */
import { SolveDebugSession } from './session';

export { SolveDebugSession };

if (require.main === module) {
  // stdout carries the protocol: anything the engine or a user's experiment prints goes to stderr.
  console.log = console.error;
  console.info = console.error;
  const session = new SolveDebugSession();
  process.on('SIGTERM', () => session.shutdown());
  session.start(process.stdin, process.stdout);
}
