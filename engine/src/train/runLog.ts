import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * A run's run.log: what a person should know about the run that its metrics do not say (a
 * checkpoint that did not verify and the one used instead), one line each,
 * `<ISO time> <level>: <message>`, appended with one write so lines never mix.
 */
export const RUN_LOG = 'run.log';

export function appendRunLog(dir: string, level: 'info' | 'warning', message: string): void {
  fs.appendFileSync(path.join(dir, RUN_LOG), `${new Date().toISOString()} ${level}: ${message.replace(/\s*\n\s*/g, ' ')}\n`);
}
