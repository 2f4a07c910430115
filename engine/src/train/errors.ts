/**
 * Run-store failures: `kind` for code, a message naming the run, the files and what to try.
 */
export type RunStoreErrorKind =
  | 'notFound' // no such run (or no runs folder)
  | 'noCheckpoint' // the run has not written a checkpoint yet
  | 'corrupt' // a file exists but does not verify (checksum, truncation, bad JSON)
  | 'busy' // another live process holds the run
  | 'input'; // bad arguments (a value a checkpoint cannot store, a bad id)

export class RunStoreError extends Error {
  readonly kind: RunStoreErrorKind;
  readonly files: string[];

  constructor(kind: RunStoreErrorKind, message: string, files: string[] = []) {
    super(message);
    this.name = 'RunStoreError';
    this.kind = kind;
    this.files = files;
  }
}
