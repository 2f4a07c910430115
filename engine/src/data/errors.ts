/**
 * Dataset and loader failures a person can act on: which file, which line, what was expected
 * and what to try. `kind` lets the trainer react without parsing text.
 */
export type DataErrorKind =
  | 'missing' // the file is not there
  | 'format' // the file is there but is not what the loader reads (bad header, bad number, dtype)
  | 'input'; // bad arguments (sizes, options)

export class DataError extends Error {
  readonly kind: DataErrorKind;
  readonly file?: string;
  readonly line?: number;

  constructor(kind: DataErrorKind, message: string, where: { file?: string; line?: number } = {}) {
    super(message);
    this.name = 'DataError';
    this.kind = kind;
    this.file = where.file;
    this.line = where.line;
  }
}
