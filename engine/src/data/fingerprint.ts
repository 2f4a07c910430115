/**
 * A data set's fingerprint: FNV-1a (32 bits) over the bytes of every typed array in it, in
 * property order. Two data sets of the same shape but other values (another seed, another file)
 * get other fingerprints, so a resume onto changed data is noticed. O(size), once per run.
 */
const isTyped = (v: unknown): v is ArrayBufferView => ArrayBuffer.isView(v) && !(v instanceof DataView);

export function dataFingerprint(data: unknown): string {
  let h = 0x811c9dc5;
  const mix = (bytes: Uint8Array): void => {
    for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 0x01000193);
  };
  const visit = (v: unknown, depth: number): void => {
    if (depth > 3 || v === null || typeof v !== 'object') return;
    if (isTyped(v)) mix(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
    else if (Array.isArray(v)) for (const x of v) visit(x, depth + 1);
    else for (const x of Object.values(v)) visit(x, depth + 1);
  };
  visit(data, 0);
  return (h >>> 0).toString(16).padStart(8, '0');
}
