import { afterAll, describe, expect, it } from 'vitest';
import { dropoutMaskTensor, tensorCount, tf } from '../../src/tensor/index.js';
import { TEST_BACKENDS, useBackend } from '../helpers/backends.js';

/** What dropout computed before `dropoutMaskTensor`: tf.randomUniform (seedrandom's Alea), then three ops. */
const reference = (shape: number[], keep: number, seed: number) =>
  tf.tidy(() => tf.div(tf.cast(tf.less(tf.randomUniform(shape, 0, 1, 'float32', seed), keep), 'float32'), keep));

describe.each(TEST_BACKENDS)('dropoutMaskTensor on %s', (backend) => {
  afterAll(() => useBackend('cpu'));

  it.each([
    [[7], 0.9, 0],
    [[3, 5, 11], 0.7, 1],
    [[2, 4, 32, 32], 0.5, 4294967295],
    [[4099], 0.1, 123456789],
    [[4, 4, 128, 128], 0.9, 2024],
    [[1000], 0.9999, 77],
  ])('shape %j, keep %f, seed %i: the tf ops\' mask element for element', async (shape, keep, seed) => {
    await useBackend(backend);
    const before = tensorCount();
    const mine = dropoutMaskTensor(shape, keep, seed), ref = reference(shape, keep, seed);
    expect(mine.shape).toEqual(shape);
    expect(mine.dtype).toBe('float32');
    const a = mine.dataSync(), b = ref.dataSync();
    expect(Array.from(a)).toEqual(Array.from(b));
    // and a real mask: every kept element is 1/keep (float32), kept at about the keep rate
    const kept = a.filter((v) => v !== 0);
    expect(new Set(kept)).toEqual(new Set([Math.fround(1 / Math.fround(keep))]));
    if (a.length >= 1000) expect(Math.abs(kept.length / a.length - keep)).toBeLessThan(4 * Math.sqrt((keep * (1 - keep)) / a.length) + 1e-3);
    tf.dispose([mine, ref]);
    expect(tensorCount()).toBe(before);
  });
});
