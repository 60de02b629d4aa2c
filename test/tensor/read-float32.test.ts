/**
 * readFloat32 (tensor/wasm-heap.ts): on wasm a float32 tensor is read in place, as a view of the
 * backend's heap (no copy); elsewhere, and for other dtypes, it is dataSync's copy. Same values either way.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { readFloat32, tf } from '../../src/tensor/index.js';
import { TEST_BACKENDS, useBackend } from '../helpers/backends.js';

describe.each(TEST_BACKENDS)('readFloat32 on %s', (backend) => {
  afterAll(() => useBackend('cpu'));

  it('gives the tensor\'s values; on wasm a view of the heap, elsewhere a copy', async () => {
    await useBackend(backend);
    const values = Float32Array.from({ length: 37 }, (_, i) => Math.sin(i) * 3);
    const t = tf.tensor2d(values, [37, 1]);
    const other = tf.tensor1d([1, 2, 3]);
    const got = readFloat32(t);
    expect(Array.from(got)).toEqual(Array.from(values));
    const heap = (tf.backend() as unknown as { wasm?: { HEAPU8: Uint8Array } }).wasm?.HEAPU8;
    expect(heap !== undefined && got.buffer === heap.buffer).toBe(backend === 'wasm');
    // An int tensor is never viewed as float32.
    const ints = tf.tensor1d([1, 2, 3], 'int32');
    expect(readFloat32(ints).buffer === heap?.buffer).toBe(false);
    tf.dispose([t, other, ints]);
  });
});
