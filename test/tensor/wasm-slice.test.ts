import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { concatFlat, Rng, splitShapes, tensorCount } from '../../src/tensor/index.js';
import { useBackend } from '../helpers/backends.js';

// The wasm backend's Slice, SplitV and Unpack are replaced by heap-view versions (wasm-slice.ts):
// every result must equal the cpu backend's, for any rank, offsets, axis and dtype.
describe('wasm Slice / SplitV / Unpack read the heap in place', () => {
  const rng = new Rng(3, 'wasm-slice');
  const shapes = [[11], [5, 7], [3, 4, 6], [2, 3, 4, 5], [2, 2, 3, 2, 3]];
  const cases = shapes.map((shape) => {
    const begin = shape.map((d) => rng.int(d));
    const size = shape.map((d, i) => 1 + rng.int(d - begin[i]));
    return { shape, begin, size, values: Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => i * 0.5 - 3) };
  });

  async function on(backend: string, f: () => tf.Tensor | tf.Tensor[]): Promise<number[][]> {
    await useBackend(backend);
    return tf.tidy(() => [f()].flat().map((t) => Array.from(t.dataSync())));
  }

  it('slices every rank (contiguous and strided), float32 and int32, like the cpu backend', async () => {
    for (const { shape, begin, size, values } of cases) {
      for (const dtype of ['float32', 'int32'] as const) {
        const f = () => tf.slice(tf.tensor(values.map((v) => (dtype === 'int32' ? Math.round(v) : v)), shape, dtype), begin, size);
        expect(await on('wasm', f)).toEqual(await on('cpu', f));
      }
      // Whole leading rows: the contiguous path.
      const rows = () => tf.slice(tf.tensor(values, shape), [shape[0] - 1], [1]);
      expect(await on('wasm', rows)).toEqual(await on('cpu', rows));
    }
    const empty = () => tf.slice(tf.tensor2d([[1, 2], [3, 4]]), [1, 0], [0, 2]);
    expect(await on('wasm', empty)).toEqual([[]]);
  });

  it('splits and unstacks along every axis like the cpu backend, without leaking tensors', async () => {
    for (const { shape, values } of cases) {
      for (let axis = 0; axis < shape.length; axis++) {
        const parts = [Math.floor(shape[axis] / 2), shape[axis] - Math.floor(shape[axis] / 2)].filter((n) => n > 0);
        const split = () => tf.split(tf.tensor(values, shape), parts, axis);
        const unstack = () => tf.unstack(tf.tensor(values, shape), axis);
        expect(await on('wasm', split)).toEqual(await on('cpu', split));
        expect(await on('wasm', unstack)).toEqual(await on('cpu', unstack));
      }
    }
    await useBackend('wasm');
    const before = tensorCount();
    tf.tidy(() => {
      tf.split(tf.ones([300, 7]), [100, 150, 50]);
    });
    expect(tensorCount()).toBe(before);
  });

  it('concatFlat and splitShapes (the flat vector of AdamW) round-trip any shapes, as on cpu', async () => {
    const shapes = [[3], [2, 4], [1, 5], [2, 1, 3], [7]];
    const values = shapes.map((s, i) => Array.from({ length: s.reduce((a, b) => a * b, 1) }, (_, j) => i * 10 + j * 0.25));
    const f = () => {
      const v = concatFlat(shapes.map((s, i) => tf.tensor(values[i], s)));
      return [v, ...splitShapes(v, shapes)];
    };
    const wasm = await on('wasm', f), cpu = await on('cpu', f);
    expect(wasm).toEqual(cpu);
    expect(wasm[0]).toEqual(values.flat());
    expect(wasm.slice(1)).toEqual(values);
    await useBackend('wasm');
    const parts = tf.tidy(() => splitShapes(concatFlat([tf.ones([2, 3]), tf.zeros([4])]), [[2, 3], [4]]));
    expect(parts.map((p) => p.shape)).toEqual([[2, 3], [4]]);
    tf.dispose(parts);
  });
});

