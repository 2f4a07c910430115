import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeSafetensors, encodeSafetensors, type NamedTensor } from '../../engine/src/io/safetensors';
import { SolverError } from '../../engine/src/index';

const sample = (): Map<string, NamedTensor> =>
  new Map<string, NamedTensor>([
    ['0.weight', { dtype: 'F32', shape: [3, 2], data: Float32Array.of(1, -2, 3.5, 0.25, -0, 6) }],
    ['0.bias', { dtype: 'F32', shape: [3], data: Float32Array.of(0.1, 0.2, 0.3) }],
    ['2.weight', { dtype: 'F64', shape: [1, 3], data: Float64Array.of(Math.PI, -Math.E, 1e-300) }],
  ]);

describe('safetensors', () => {
  it('lays a file out as the format says: u64 header length, padded JSON, little-endian data', () => {
    const bytes = encodeSafetensors(new Map([['w', { dtype: 'F64', shape: [2], data: Float64Array.of(1.5, -2) }]]), { format: 'pt' });
    const view = new DataView(bytes.buffer);
    const n = Number(view.getBigUint64(0, true));
    assert.equal(n % 8, 0, 'the header is padded to 8 bytes');
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
    assert.deepEqual(header, { __metadata__: { format: 'pt' }, w: { dtype: 'F64', shape: [2], data_offsets: [0, 16] } });
    assert.equal(bytes.length, 8 + n + 16);
    assert.equal(view.getFloat64(8 + n, true), 1.5);
    assert.equal(view.getFloat64(8 + n + 8, true), -2);
  });

  it('round-trips names, shapes, dtypes, values and metadata exactly', () => {
    const original = sample();
    const file = decodeSafetensors(encodeSafetensors(original, { format: 'pt', source: 'test' }));
    assert.deepEqual([...file.tensors.keys()], [...original.keys()]);
    for (const [name, t] of original) assert.deepEqual(file.tensors.get(name), t);
    assert.deepEqual(file.metadata, { format: 'pt', source: 'test' });
  });

  it('reads a file written by hand from the specification (unaligned data, tensors out of order)', () => {
    const json = JSON.stringify({ b: { dtype: 'F32', shape: [1], data_offsets: [8, 12] }, a: { dtype: 'F64', shape: [1], data_offsets: [0, 8] } });
    const head = new TextEncoder().encode(json); // not padded: readers must not require it
    const bytes = new Uint8Array(8 + head.length + 12);
    const view = new DataView(bytes.buffer);
    view.setBigUint64(0, BigInt(head.length), true);
    bytes.set(head, 8);
    view.setFloat64(8 + head.length, -0.5, true);
    view.setFloat32(8 + head.length + 8, 3, true);
    const file = decodeSafetensors(bytes);
    assert.deepEqual(file.tensors.get('a')?.data, Float64Array.of(-0.5));
    assert.deepEqual(file.tensors.get('b')?.data, Float32Array.of(3));
  });

  it('rejects damaged files with a message saying what is wrong', () => {
    const good = encodeSafetensors(sample());
    const expectBad = (bytes: Uint8Array, pattern: RegExp) =>
      assert.throws(() => decodeSafetensors(bytes), (e: unknown) => e instanceof SolverError && pattern.test(e.message));
    expectBad(good.subarray(0, 5), /fewer than the 8/);
    expectBad(good.subarray(0, 20), /header claims \d+ bytes/);
    expectBad(good.subarray(0, good.length - 4), /do not fit it or the file/);
    const extra = new Uint8Array(good.length + 4);
    extra.set(good);
    expectBad(extra, /4 bytes after the last tensor/);
    const garbled = good.slice();
    garbled[9] = 0x7b; // '{' inside the JSON
    expectBad(garbled, /header is not JSON|not a JSON object|valid/);
    const f16 = new TextEncoder().encode(JSON.stringify({ h: { dtype: 'F16', shape: [1], data_offsets: [0, 2] } }));
    const withF16 = new Uint8Array(8 + f16.length + 2);
    new DataView(withF16.buffer).setBigUint64(0, BigInt(f16.length), true);
    withF16.set(f16, 8);
    expectBad(withF16, /dtype F16; only F32 and F64/);
  });

  it('refuses to encode a tensor whose data does not match its shape', () => {
    assert.throws(
      () => encodeSafetensors(new Map([['x', { dtype: 'F32', shape: [2, 2], data: new Float32Array(3) }]])),
      /shape \[2,2\] \(4 values\) but 3 values/,
    );
  });
});
