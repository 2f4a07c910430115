/**
 * An experiment's load error as a problem at a place in a file: from the engine's location when
 * it has one, else from a leading `file:line:column: ` in the message (how the engine words
 * syntax and spec errors), else at the top of the experiment file. Free of `vscode`, so it is
 * unit-tested; the caller turns it into a Diagnostic.
 */
import * as path from 'node:path';

export interface ExperimentProblem {
  /** The file the problem is in (absolute): the experiment, or a module it imports. */
  file: string;
  /** Zero-based, as VS Code's Position. */
  line: number;
  character: number;
  /** The message without its location prefix. */
  message: string;
}

/** A 1-based place, as the engine and stack traces give it. */
export interface OneBasedLocation {
  file: string;
  line: number;
  column: number;
}

const PREFIX = /^(.+?):(\d+):(\d+): /;

const zeroBased = (n: number): number => (Number.isFinite(n) && n >= 1 ? Math.floor(n) - 1 : 0);

export function experimentProblem(experimentFile: string, message: string, location?: OneBasedLocation): ExperimentProblem {
  const m = PREFIX.exec(message);
  const parsed = m ? { file: m[1], line: Number(m[2]), column: Number(m[3]) } : undefined;
  const at = location ?? parsed;
  // The prefix repeats the location: the Problems panel already shows where.
  let text = m ? message.slice(m[0].length) : message;
  // Messages without a line may still start with the file's path ("<file>: no such file").
  if (!m && text.startsWith(`${experimentFile}: `)) text = text.slice(experimentFile.length + 2);
  if (!at) return { file: experimentFile, line: 0, character: 0, message: text };
  return { file: path.resolve(at.file), line: zeroBased(at.line), character: zeroBased(at.column), message: text };
}
