/**
 * What "Add Engine Typings" does to a workspace's TypeScript configuration, decided without
 * touching files (so it is testable): experiment files import 'neural-ode-studio', which no
 * workspace installs, so the editor needs a `paths` entry pointing at the declarations the
 * extension copies into `.neural-ode/types/`.
 */

/** Where the declarations go, relative to the workspace folder. */
export const TYPES_DIR = '.neural-ode/types/neural-ode-studio';

/** The compilerOptions an experiment workspace needs (also shown to users who edit their own config). */
export const TYPINGS_OPTIONS = {
  target: 'ES2022',
  lib: ['ES2023'],
  module: 'ESNext',
  moduleResolution: 'Bundler',
  strict: true,
  noEmit: true,
  skipLibCheck: true,
  paths: { 'neural-ode-studio': [`./${TYPES_DIR}/index.d.ts`] },
} as const;

export type TypingsPlan =
  /** No config: write this one. */
  | { kind: 'create'; text: string }
  /** The config already maps the package. */
  | { kind: 'present' }
  /** A config of the user's own: we do not rewrite it (comments, formatting); they add the lines shown. */
  | { kind: 'manual'; snippet: string };

/** The plan for a workspace whose tsconfig.json has the text `existing` (undefined: there is none). */
export function typingsPlan(existing: string | undefined): TypingsPlan {
  if (existing === undefined) {
    const text = JSON.stringify({ compilerOptions: TYPINGS_OPTIONS, include: ['**/*.ts', '**/*.mts'] }, null, 2);
    return { kind: 'create', text: `${text}\n` };
  }
  if (/["']neural-ode-studio["']\s*:/.test(existing)) return { kind: 'present' };
  const snippet = `"paths": { "neural-ode-studio": ["./${TYPES_DIR}/index.d.ts"] }`;
  return { kind: 'manual', snippet };
}

/** True when a diagnostic message says the engine's package cannot be resolved (TS2307 and friends). */
export const isMissingEngineModule = (message: string): boolean => /Cannot find module ['"]neural-ode-studio['"]/.test(message);
