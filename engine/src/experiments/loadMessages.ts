/**
 * What is said when loading a user's file takes too long or is stopped: the command line and the
 * editor say it alike, each with its own way to give loading more time. No imports: the
 * extension host uses it without loading the engine.
 */

/** How long loading an experiment file may take, by default (`--load-timeout`, `neuralOde.engine.loadTimeoutSeconds`). */
export const DEFAULT_LOAD_TIMEOUT_SECONDS = 60;

const seconds = (ms: number): string => `${Number((ms / 1000).toFixed(3))} s`;

/** `raise` says how to give it longer: a flag, a setting. */
export const loadTimeoutMessage = (file: string, ms: number, raise: string): string =>
  `${file} did not finish loading within ${seconds(ms)}: does its top level loop? ${raise}`;

export const loadCancelledMessage = (file: string): string => `stopped while loading ${file}`;
