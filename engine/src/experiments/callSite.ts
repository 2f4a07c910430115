import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';

/** A place in a user's file, for messages: `file:line:column`. */
export interface SourceLocation {
  file: string;
  line: number;
  column: number;
}

export const formatLocation = (l: SourceLocation | undefined): string => (l ? `${l.file}:${l.line}:${l.column}: ` : '');

/**
 * Where the caller of the function that calls this was called from (one frame further out
 * per `depth`), read from a stack trace. Bundled experiment modules carry inline source maps,
 * so the location is in the user's own .ts file.
 */
export function callerLocation(depth = 0): SourceLocation | undefined {
  const lines = (new Error().stack ?? '').split('\n').slice(1);
  // [0] is callerLocation, [1] the function asking, [2] its caller.
  const frame = lines[2 + depth];
  const m = frame?.match(/\(?((?:file:\/\/)?[^()]+?):(\d+):(\d+)\)?\s*$/);
  if (!m) return undefined;
  return { file: m[1].replace(/^\s*at\s+/, '').replace(/^file:\/\//, ''), line: Number(m[2]), column: Number(m[3]) };
}

/** The first stack frame inside `file` (source-mapped, so lines are the user's own). */
export function frameInFile(stack: string | undefined, file: string): SourceLocation | undefined {
  for (const frame of (stack ?? '').split('\n').slice(1)) {
    const m = /\(?((?:file:\/\/)?[^()\s][^()]*?):(\d+):(\d+)\)?\s*$/.exec(frame.replace(/^\s*at\s+/, ''));
    if (m && resolve(m[1].replace(/^file:\/\//, '')) === file) return { file, line: Number(m[2]), column: Number(m[3]) };
  }
  return undefined;
}

/**
 * Where the key `path` (e.g. `solver.rtol`) is written in the object literal of the call at
 * `call`: each part of the path searched for as `name:` from the line where its parent was
 * found, skipping comment lines. So a mistake in one value, or an unknown key, is reported on
 * its own line, not on the `defineExperiment(` line; `call` when the key is not written there
 * (a spread, a variable).
 */
export function keyLocation(call: SourceLocation | undefined, path: string): SourceLocation | undefined {
  if (!call || !existsSync(call.file)) return call;
  const lines = readFileSync(call.file, 'utf8').split('\n');
  // Each part is searched for after its parent's key: on the parent's line, past the key.
  let from = call.line - 1;
  let fromColumn = 0;
  let found: SourceLocation | undefined;
  for (const key of path.split('.')) {
    // `key:`, or `'key':` / `"key":` for a name that is not an identifier (`'batch-size'`).
    const name = key.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');
    const pattern = new RegExp(`(^|[\\s{,])(${name}|'${name}'|"${name}")\\s*:`);
    let at = -1;
    for (let i = Math.max(0, from); i < lines.length && at < 0; i++) {
      if (/^\s*(\/\/|\*|\/\*)/.test(lines[i])) continue;
      const skip = i === from ? fromColumn : 0;
      const m = pattern.exec(lines[i].slice(skip));
      if (m) {
        at = i;
        const column = skip + m.index + m[1].length;
        found = { file: call.file, line: i + 1, column: column + 1 };
        fromColumn = column + m[2].length;
      }
    }
    if (at < 0) return call;
    from = at;
  }
  return found ?? call;
}
