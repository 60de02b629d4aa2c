/**
 * The wasm heap kernels written in TypeScript (no WebAssembly module of their own): on wasm each fast
 * path is actually taken — its kernel name shows in tf.profile — and gives the values of the tf-op
 * path the other backends run. (The WebAssembly modules' kernels: wasm-kernels.test.ts.)
 */
import { afterAll, describe, expect, it } from 'vitest';
import { concatFlat, embed, filledTensor, splitShapes, tensorCount, tf } from '../../src/tensor/index.js';
import { useBackend } from '../helpers/backends.js';

/** The values `make` gives, and the kernels it ran. */
async function run(make: () => tf.Tensor | tf.Tensor[]): Promise<{ values: number[][]; kernels: string[] }> {
  let values: number[][] = [];
  const prof = await tf.profile(() => {
    const out = make();
    const list = Array.isArray(out) ? out : [out];
    values = list.map((t) => Array.from(t.dataSync()));
    tf.dispose(list);
  });
  return { values, kernels: prof.kernelNames };
}

const table = () => tf.tensor2d(Array.from({ length: 40 }, (_, i) => i * 0.5 - 3), [10, 4]);
const cases: [string, string, () => tf.Tensor | tf.Tensor[]][] = [
  ['embed (frozen table)', 'GraspHilGatherRows', () => tf.tidy(() => embed(table(), tf.tensor2d([[3, 0, 9], [9, 1, 3]], [2, 3], 'int32'), false))],
  ['concatFlat', 'GraspHilConcatFlat', () => tf.tidy(() => concatFlat([tf.tensor2d([1, 2, 3, 4], [2, 2]), tf.tensor1d([5]), tf.tensor3d([6, 7], [1, 1, 2])]))],
  ['splitShapes', 'GraspHilSplitShapes', () => tf.tidy(() => splitShapes(tf.tensor1d([1, 2, 3, 4, 5, 6, 7]), [[2, 2], [1], [1, 1, 2]]))],
  ['filledTensor', 'GraspHilFillFloat32', () => filledTensor([3, 5], (out) => { for (let i = 0; i < out.length; i++) out[i] = i / 7; })],
];

describe('wasm heap kernels', () => {
  afterAll(() => useBackend('cpu'));

  it.each(cases)('%s takes its fast path (%s) on wasm, with the tf-op path\'s values', async (_name, kernel, make) => {
    await useBackend('cpu');
    const ref = await run(make);
    expect(ref.kernels).not.toContain(kernel);
    await useBackend('wasm');
    const before = tensorCount();
    const got = await run(make);
    expect(got.kernels).toContain(kernel);
    expect(got.values).toEqual(ref.values);
    expect(tensorCount()).toBe(before);
  });

  it('Identity shares its input\'s data on wasm instead of copying it', async () => {
    await useBackend('wasm');
    const x = tf.tensor1d([1, 2, 3]);
    const y = tf.engine().runKernel('Identity', { x }, {}) as tf.Tensor;
    expect(y.dataId).toBe(x.dataId);
    x.dispose();
    expect(Array.from(y.dataSync())).toEqual([1, 2, 3]);
    y.dispose();
  });
});
