/** Plain JSON-like data as a Python literal, so generated scripts pin every value they use. */
export function pyLiteral(v: unknown): string {
  if (v === null || v === undefined) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number') {
    if (Number.isNaN(v)) return 'float("nan")';
    if (!Number.isFinite(v)) return v > 0 ? 'float("inf")' : '-float("inf")';
    // The shortest round-trip text (1e-7, 0.001, 1e+21) reads back as the same double in Python.
    return String(v);
  }
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v) || ArrayBuffer.isView(v)) return `[${Array.from(v as ArrayLike<unknown>, pyLiteral).join(', ')}]`;
  if (typeof v === 'object') {
    return `{${Object.entries(v as Record<string, unknown>)
      .filter(([, x]) => x !== undefined)
      .map(([k, x]) => `${JSON.stringify(k)}: ${pyLiteral(x)}`)
      .join(', ')}}`;
  }
  throw new TypeError(`pyLiteral: cannot write a ${typeof v} as Python.`);
}

/** Keyword arguments `dict(a=1, b=2)` from an object (keys must be Python identifiers). */
export function pyDict(o: Record<string, unknown>): string {
  const entries = Object.entries(o).filter(([, x]) => x !== undefined);
  return `dict(${entries.map(([k, x]) => `${k}=${pyLiteral(x)}`).join(', ')})`;
}
