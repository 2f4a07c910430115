/** The bench scripts' command-line flags: `--name value` or a bare `--name`. */

/** The number after `--name`, or `fallback` when the flag is absent; anything else is an error. */
export function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = Number(process.argv[i + 1]);
  if (!Number.isFinite(v)) throw new Error(`--${name} needs a number, got '${process.argv[i + 1]}'.`);
  return v;
}

/** The word after `--name`, or undefined when the flag is absent. */
export function text(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? undefined : process.argv[i + 1];
}

/** Whether `--name` was given. */
export const has = (name: string): boolean => process.argv.includes(`--${name}`);
