/** A continuous normalising flow or planar flow used wrongly: the message says what, where and what to try. */
export class CnfError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CnfError';
  }
}
