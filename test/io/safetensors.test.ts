import { mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  floatToHalf, halfToFloat, readSafetensors, SafetensorsReader, serializeSafetensors, writeSafetensors,
} from '../../src/io/index.js';

const FIX = new URL('../fixtures/tiny-gpt2-random/', import.meta.url).pathname;
const tmp = mkdtempSync(path.join(tmpdir(), 'grasp-st-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('safetensors', () => {
  it('decodes every dtype PyTorch wrote (F32 F16 BF16 F64 I64 I32 I16 I8 U8 BOOL, scalar)', async () => {
    const expected = JSON.parse(readFileSync(`${FIX}dtypes.json`, 'utf8')) as Record<string, { shape: number[]; values: number[] }>;
    const got = await readSafetensors(`${FIX}dtypes.safetensors`);
    expect([...got.keys()].sort()).toEqual(Object.keys(expected).sort());
    for (const [name, e] of Object.entries(expected)) {
      const t = got.get(name)!;
      expect(t.shape, name).toEqual(e.shape);
      expect(Array.from(t.data), name).toEqual(e.values.map((v) => (t.data instanceof Float32Array ? Math.fround(v) : v)));
    }
  });

  it('encodes F16 exactly as PyTorch rounds (round to nearest even, subnormals, overflow)', () => {
    const expected = JSON.parse(readFileSync(`${FIX}dtypes.json`, 'utf8')) as Record<string, { values: number[] }>;
    const f32 = expected.f32.values;
    expect(f32.map((v) => halfToFloat(floatToHalf(v)))).toEqual(expected.f16.values);
    expect(halfToFloat(floatToHalf(70000))).toBe(Infinity);
    expect(halfToFloat(floatToHalf(-1e-9))).toBe(-0);
    expect(Number.isNaN(halfToFloat(floatToHalf(NaN)))).toBe(true);
    expect(halfToFloat(floatToHalf(2049))).toBe(2048); // tie → even
    expect(halfToFloat(floatToHalf(2051))).toBe(2052);
    expect(halfToFloat(floatToHalf(2 ** -24))).toBe(2 ** -24);
    expect(halfToFloat(floatToHalf(65519))).toBe(65504);
  });

  it('round-trips F32 and F16 with ints and metadata', () => {
    const w = new Float32Array([0.1, -2, 3.5, 1e-3, 7, 8]);
    const ids = new Int32Array([1, 2, 3]);
    for (const dtype of ['F32', 'F16'] as const) {
      const bytes = serializeSafetensors([['w', { shape: [2, 3], data: w }], ['ids', { shape: [3], data: ids, dtype: 'I64' }]], { dtype, metadata: { format: 'pt' } });
      expect(new DataView(bytes.buffer).getBigUint64(0, true) % 8n).toBe(0n);
      const r = new SafetensorsReader(bytes, 'mem');
      expect(r.metadata).toEqual({ format: 'pt' });
      expect(r.info('w').dtype).toBe(dtype);
      const back = r.float32('w');
      for (let i = 0; i < w.length; i++) expect(back[i]).toBeCloseTo(w[i], dtype === 'F32' ? 7 : 3);
      expect(Array.from(r.read('ids').data)).toEqual([1, 2, 3]);
      expect(r.info('ids').dtype).toBe('I64');
    }
  });

  function valid(): Uint8Array {
    return serializeSafetensors([['a', { shape: [2], data: new Float32Array([1, 2]) }], ['b', { shape: [1], data: new Float32Array([3]) }]]);
  }

  function withHeader(header: object, dataBytes = 12): Uint8Array {
    const h = new TextEncoder().encode(JSON.stringify(header));
    const out = new Uint8Array(8 + h.length + dataBytes);
    new DataView(out.buffer).setBigUint64(0, BigInt(h.length), true);
    out.set(h, 8);
    return out;
  }

  it.each<[string, () => Uint8Array, string]>([
    ['too short', () => new Uint8Array(5), 'bad.safetensors: truncated safetensors file: 5 bytes'],
    ['absurd header length', () => { const b = valid(); new DataView(b.buffer).setBigUint64(0, 1n << 40n, true); return b; }, 'header length 1099511627776 bytes is absurd'],
    ['header longer than the file', () => { const b = valid(); new DataView(b.buffer).setBigUint64(0, 100000n, true); return b; }, 'truncated safetensors file: header claims 100000 bytes'],
    ['invalid JSON', () => { const b = valid(); b[9] = 0x7b; b[10] = 0x7b; return b; }, 'header is not valid JSON'],
    ['header not an object', () => withHeader([1, 2] as unknown as object), 'header must be a JSON object'],
    ['data truncated', () => valid().subarray(0, valid().length - 4), "tensor 'b' data_offsets [8, 12] lie outside the data region of 8 bytes"],
    ['overlap', () => withHeader({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }), "tensors 'a' [0, 8) and 'b' [4, 8) overlap"],
    ['span ≠ shape × dtype', () => withHeader({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 12] } }), "tensor 'a' spans 12 bytes but shape [2] × F32 needs 8"],
    ['unknown dtype', () => withHeader({ a: { dtype: 'F8_E4M3', shape: [2], data_offsets: [0, 2] } }), "tensor 'a' has unknown dtype \"F8_E4M3\""],
    ['bad shape', () => withHeader({ a: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }), "tensor 'a' has invalid shape [-1]"],
    ['bad offsets', () => withHeader({ a: { dtype: 'F32', shape: [1], data_offsets: [4, 0] } }), "tensor 'a' has invalid data_offsets [4,0]"],
    ['bad metadata', () => withHeader({ __metadata__: { n: 1 } }), '__metadata__ must map strings to strings'],
  ])('rejects a corrupt file: %s', (_name, make, message) => {
    expect(() => new SafetensorsReader(make(), 'bad.safetensors')).toThrow(message);
  });

  it('I64 values outside int32 are an error naming the tensor', () => {
    const b = serializeSafetensors([['big', { shape: [1], data: new Int32Array([0]), dtype: 'I64' }]]);
    const r = new SafetensorsReader(b, 'f');
    new DataView(b.buffer).setBigInt64(b.length - 8, 1n << 40n, true);
    expect(() => r.read('big')).toThrow("f: tensor 'big': I64 value 1099511627776 at index 0 does not fit in int32");
  });

  it('writes atomically: a failed write leaves neither the target nor a temporary file', async () => {
    const target = path.join(tmp, 'model.safetensors');
    await writeSafetensors(target, [['a', { shape: [1], data: new Float32Array([1]) }]]);
    expect(readdirSync(tmp)).toEqual(['model.safetensors']);
    const blocked = path.join(tmp, 'blocked.safetensors');
    mkdirSync(path.join(blocked, 'inner'), { recursive: true }); // a non-empty directory cannot be renamed over
    await expect(writeSafetensors(blocked, [['a', { shape: [1], data: new Float32Array([1]) }]])).rejects.toThrow('blocked.safetensors: write failed');
    expect(readdirSync(tmp).sort()).toEqual(['blocked.safetensors', 'model.safetensors']);
    await expect(SafetensorsReader.open(path.join(tmp, 'missing.safetensors'))).rejects.toThrow('missing.safetensors: no such file');
  });
});
