import { createHash } from 'node:crypto';
import { RunStoreError } from './errors';

/**
 * The checkpoint file format, version 1 (all integers little-endian):
 *
 *   offset 0   8 bytes   magic "NODECKPT"
 *   offset 8   uint32    format version (1)
 *   offset 12  uint32    H, the header length in bytes
 *   offset 16  H bytes   UTF-8 JSON header, space-padded so that the data start at a multiple of 8
 *   16 + H     D bytes   raw float64 little-endian data: every array of the header, one after another
 *   16 + H + D 32 bytes  SHA-256 of every byte before it
 *
 * The header is { format, version, dataBytes: D, arrays: [{ offset, length, dtype }], payload }.
 * `payload` is the saved value as JSON with each Float64Array/Float32Array replaced by
 * {"$array": k} (its entry in `arrays`; float32 arrays are stored widened to float64 and come
 * back as Float32Array) and each non-finite number by {"$number": "NaN" | "Infinity" | "-Infinity"};
 * object keys of the value's own that start with '$' are stored with one more '$'.
 * So parameters and optimiser moments are stored bit-exactly, and anything else is readable JSON.
 */
export const CHECKPOINT_MAGIC = 'NODECKPT';
export const CHECKPOINT_VERSION = 1;
const PREFIX = 16;
const HASH_BYTES = 32;

interface ArrayEntry {
  offset: number;
  length: number;
  dtype: 'float64' | 'float32';
}

interface Header {
  format: 'neural-ode-checkpoint';
  version: number;
  dataBytes: number;
  arrays: ArrayEntry[];
  payload: unknown;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object') return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** Encodes a value (plain data + Float64Array/Float32Array leaves) as one checkpoint file's bytes. */
export function encodeCheckpoint(value: unknown): Buffer {
  const arrays: Float64Array[] = [];
  const entries: ArrayEntry[] = [];
  let offset = 0;
  const walk = (v: unknown, at: string): unknown => {
    if (v instanceof Float64Array || v instanceof Float32Array) {
      const f64 = v instanceof Float64Array ? v : Float64Array.from(v);
      entries.push({ offset, length: v.length, dtype: v instanceof Float64Array ? 'float64' : 'float32' });
      arrays.push(f64);
      offset += 8 * v.length;
      return { $array: entries.length - 1 };
    }
    if (typeof v === 'number') return Number.isFinite(v) ? v : { $number: String(v) };
    if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
    if (Array.isArray(v)) return v.map((x, i) => walk(x, `${at}[${i}]`));
    if (isPlainObject(v)) {
      const out: Record<string, unknown> = {};
      // Keys of the user's own that start with '$' get one more, so they never read as markers.
      for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k.startsWith('$') ? '$' + k : k] = walk(x, at ? `${at}.${k}` : k);
      return out;
    }
    const kind = ArrayBuffer.isView(v) ? v.constructor.name : typeof v === 'object' ? (v.constructor?.name ?? 'object') : typeof v;
    throw new RunStoreError('input', `A checkpoint cannot store ${kind} at '${at || '(root)'}': use plain objects, arrays, numbers, strings, booleans, null, Float64Array or Float32Array.`);
  };
  const payload = walk(value, '');
  const header: Header = { format: 'neural-ode-checkpoint', version: CHECKPOINT_VERSION, dataBytes: offset, arrays: entries, payload };
  let json = Buffer.from(JSON.stringify(header), 'utf8');
  const pad = (8 - ((PREFIX + json.length) % 8)) % 8;
  if (pad > 0) json = Buffer.concat([json, Buffer.alloc(pad, 0x20)]);
  const out = Buffer.allocUnsafe(PREFIX + json.length + offset + HASH_BYTES);
  out.write(CHECKPOINT_MAGIC, 0, 'latin1');
  out.writeUInt32LE(CHECKPOINT_VERSION, 8);
  out.writeUInt32LE(json.length, 12);
  json.copy(out, PREFIX);
  const dataStart = PREFIX + json.length;
  const littleEndianHost = new Uint8Array(Float64Array.of(1).buffer)[7] === 0x3f;
  arrays.forEach((a, k) => {
    const at = dataStart + entries[k].offset;
    if (littleEndianHost) out.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), at);
    else for (let i = 0; i < a.length; i++) out.writeDoubleLE(a[i], at + 8 * i);
  });
  createHash('sha256').update(out.subarray(0, out.length - HASH_BYTES)).digest().copy(out, out.length - HASH_BYTES);
  return out;
}

/** Why a buffer is not a valid checkpoint, or null when it verifies. */
function verify(buf: Buffer): string | null {
  if (buf.length < PREFIX + HASH_BYTES) return `only ${buf.length} bytes (truncated: a complete checkpoint has at least ${PREFIX + HASH_BYTES})`;
  if (buf.toString('latin1', 0, 8) !== CHECKPOINT_MAGIC) return `it does not start with "${CHECKPOINT_MAGIC}" (not a checkpoint file)`;
  const version = buf.readUInt32LE(8);
  if (version !== CHECKPOINT_VERSION) return `format version ${version}; this engine reads version ${CHECKPOINT_VERSION}`;
  const expected = buf.subarray(buf.length - HASH_BYTES);
  const actual = createHash('sha256').update(buf.subarray(0, buf.length - HASH_BYTES)).digest();
  if (!actual.equals(expected)) return 'SHA-256 checksum mismatch (the file is truncated or corrupted)';
  return null;
}

/** Decodes and verifies checkpoint bytes; a RunStoreError('corrupt') says why they do not verify. */
export function decodeCheckpoint(buf: Buffer, file = '<checkpoint>'): unknown {
  const problem = verify(buf);
  const fail = (why: string) => new RunStoreError('corrupt', `${file}: ${why}.`, [file]);
  if (problem !== null) throw fail(problem);
  const headerLength = buf.readUInt32LE(12);
  let header: Header;
  try {
    header = JSON.parse(buf.toString('utf8', PREFIX, PREFIX + headerLength)) as Header;
  } catch (err) {
    throw fail(`the header is not JSON (${(err as Error).message})`);
  }
  const dataStart = PREFIX + headerLength;
  if (header.format !== 'neural-ode-checkpoint' || dataStart + header.dataBytes + HASH_BYTES !== buf.length) {
    throw fail('the header does not describe the file (sizes disagree)');
  }
  const arrays = header.arrays.map((e) => {
    const a = new Float64Array(e.length);
    new Uint8Array(a.buffer).set(buf.subarray(dataStart + e.offset, dataStart + e.offset + 8 * e.length));
    if (new Uint8Array(Float64Array.of(1).buffer)[7] !== 0x3f) {
      for (let i = 0; i < e.length; i++) a[i] = buf.readDoubleLE(dataStart + e.offset + 8 * i);
    }
    return e.dtype === 'float32' ? Float32Array.from(a) : a;
  });
  const revive = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(revive);
    if (isPlainObject(v)) {
      const keys = Object.keys(v);
      if (keys.length === 1 && keys[0] === '$array' && typeof v.$array === 'number') return arrays[v.$array];
      if (keys.length === 1 && keys[0] === '$number' && typeof v.$number === 'string') return Number(v.$number);
      return Object.fromEntries(keys.map((k) => [k.startsWith('$') ? k.slice(1) : k, revive(v[k])]));
    }
    return v;
  };
  return revive(header.payload);
}
