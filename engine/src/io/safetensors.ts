/**
 * The safetensors format (Hugging Face; what PyTorch users load with `safetensors.torch.load_file`):
 *   8 bytes   little-endian u64 N, the header's length
 *   N bytes   UTF-8 JSON: { name: { dtype, shape, data_offsets: [begin, end] }, "__metadata__"?: {…} },
 *             padded with spaces to a multiple of 8
 *   the data  every tensor little-endian, C order, at its offsets from the start of the data
 * Tensors are float32 or float64 here (the engine's parameter types).
 */
import { SolverError } from '../solvers/errors';

export type SafetensorsDtype = 'F32' | 'F64';

export interface NamedTensor {
  dtype: SafetensorsDtype;
  shape: number[];
  data: Float32Array | Float64Array;
}

export interface SafetensorsFile {
  tensors: Map<string, NamedTensor>;
  metadata: Record<string, string>;
}

const ITEM_SIZE: Record<SafetensorsDtype, number> = { F32: 4, F64: 8 };

const bad = (what: string): SolverError =>
  new SolverError('input', `Not a valid safetensors file: ${what}. Export it again, or check that the whole file was copied.`);

const count = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** Encodes tensors in insertion order; float64 data stays F64, float32 F32. */
export function encodeSafetensors(tensors: Map<string, NamedTensor>, metadata: Record<string, string> = {}): Uint8Array {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  for (const [name, t] of tensors) {
    if (name === '__metadata__') throw new SolverError('input', "A tensor may not be named '__metadata__'.");
    if (count(t.shape) !== t.data.length) {
      throw new SolverError('input', `Tensor '${name}' has shape [${t.shape}] (${count(t.shape)} values) but ${t.data.length} values.`);
    }
    const bytes = t.data.length * ITEM_SIZE[t.dtype];
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (Buffer.byteLength(json) % 8)) % 8);
  const head = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + head.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(head.length), true);
  out.set(head, 8);
  let at = 8 + head.length;
  for (const t of tensors.values()) {
    for (let i = 0; i < t.data.length; i++) {
      if (t.dtype === 'F64') view.setFloat64(at + 8 * i, t.data[i], true);
      else view.setFloat32(at + 4 * i, t.data[i], true);
    }
    at += t.data.length * ITEM_SIZE[t.dtype];
  }
  return out;
}

/** Decodes and checks a whole file: header size, JSON, dtypes, offsets against shapes, full coverage. */
export function decodeSafetensors(bytes: Uint8Array): SafetensorsFile {
  if (bytes.length < 8) throw bad(`it has ${bytes.length} bytes, fewer than the 8 of its header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = Number(view.getBigUint64(0, true));
  if (n > bytes.length - 8) throw bad(`its header claims ${n} bytes but the file has ${bytes.length - 8} after the length`);
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n))) as Record<string, unknown>;
  } catch (e) {
    throw bad(`its header is not JSON (${(e as Error).message})`);
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) throw bad('its header is not a JSON object');
  const dataStart = 8 + n;
  const dataLength = bytes.length - dataStart;
  const tensors = new Map<string, NamedTensor>();
  const spans: [number, number, string][] = [];
  let metadata: Record<string, string> = {};
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') {
      metadata = entry as Record<string, string>;
      continue;
    }
    const e = entry as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (e.dtype !== 'F32' && e.dtype !== 'F64') {
      throw new SolverError(
        'input',
        `Tensor '${name}' has dtype ${String(e.dtype)}; only F32 and F64 are read. Convert it (tensor.float()) before saving.`,
      );
    }
    const shape = e.shape;
    const offsets = e.data_offsets;
    if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) throw bad(`tensor '${name}' has no valid shape`);
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isInteger(o) && o >= 0)) {
      throw bad(`tensor '${name}' has no valid data_offsets`);
    }
    const [begin, end] = offsets as number[];
    const size = ITEM_SIZE[e.dtype];
    if (end - begin !== count(shape) * size || end > dataLength) {
      throw bad(`tensor '${name}' (shape [${shape}], ${e.dtype}) has data_offsets [${begin}, ${end}] that do not fit it or the file`);
    }
    const data = e.dtype === 'F64' ? new Float64Array(count(shape)) : new Float32Array(count(shape));
    for (let i = 0; i < data.length; i++) {
      const at = dataStart + begin + i * size;
      data[i] = e.dtype === 'F64' ? view.getFloat64(at, true) : view.getFloat32(at, true);
    }
    tensors.set(name, { dtype: e.dtype, shape: shape as number[], data });
    spans.push([begin, end, name]);
  }
  spans.sort((a, b) => a[0] - b[0]);
  let expected = 0;
  for (const [begin, end, name] of spans) {
    if (begin !== expected) throw bad(`the data of tensor '${name}' starts at ${begin}, not at ${expected} (a gap or an overlap)`);
    expected = end;
  }
  if (expected !== dataLength) throw bad(`${dataLength - expected} bytes after the last tensor belong to none`);
  return { tensors, metadata };
}
