import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { affineRows, Rng, tensorCount } from '../../src/tensor/index.js';
import { maxAbsDiff, TEST_BACKENDS, useBackend } from '../helpers/backends.js';

function randn(rng: Rng, shape: number[], scale = 1, offset = 0): tf.Tensor2D {
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor2d(rng.fillNormal(new Float32Array(n)).map((v) => v * scale + offset), shape as [number, number]);
}

describe.each(TEST_BACKENDS)('affineRows on %s', (backend) => {
  it('equals x·a + c and its autograd gradients for x, a and c', async () => {
    await useBackend(backend);
    const rng = new Rng(3, 'affine');
    const x = randn(rng, [37, 19]);
    const a = randn(rng, [1, 19], 0.3, 1);
    const c = randn(rng, [1, 19]);
    const probe = randn(rng, [37, 19]);
    const y = affineRows(x, a, c);
    const yRef = tf.add(tf.mul(x, a), c);
    expect(maxAbsDiff(y.dataSync(), yRef.dataSync())).toBeLessThan(1e-6);
    const ours = tf.grads((xx, aa, cc) => tf.sum(tf.mul(affineRows(xx as tf.Tensor2D, aa as tf.Tensor2D, cc as tf.Tensor2D), probe)))([x, a, c]);
    const ref = tf.grads((xx, aa, cc) => tf.sum(tf.mul(tf.add(tf.mul(xx, aa), cc), probe)))([x, a, c]);
    for (let i = 0; i < 3; i++) {
      expect(ours[i].shape).toEqual(ref[i].shape);
      expect(maxAbsDiff(ours[i].dataSync(), ref[i].dataSync())).toBeLessThan(1e-4);
    }
    // Hand-computed sums for one column: da_j = Σ_n probe·x, dc_j = Σ_n probe.
    const px = probe.arraySync(), xx = x.arraySync();
    let da = 0, dc = 0;
    for (let n = 0; n < 37; n++) {
      da += px[n][5] * xx[n][5];
      dc += px[n][5];
    }
    expect((ours[1] as tf.Tensor2D).arraySync()[0][5]).toBeCloseTo(da, 4);
    expect((ours[2] as tf.Tensor2D).arraySync()[0][5]).toBeCloseTo(dc, 4);
  });

  it('takes x of rank 3 (rows over the leading axes) with the same gradients', async () => {
    await useBackend(backend);
    const rng = new Rng(6, 'affine');
    const x = randn(rng, [12, 5]), a = randn(rng, [1, 5], 0.3, 1), c = randn(rng, [1, 5]), probe = randn(rng, [12, 5]);
    const f2 = (xx: tf.Tensor, aa: tf.Tensor, cc: tf.Tensor) => tf.sum(tf.mul(affineRows(xx as tf.Tensor2D, aa as tf.Tensor2D, cc as tf.Tensor2D), probe));
    const f3 = (xx: tf.Tensor, aa: tf.Tensor, cc: tf.Tensor) =>
      tf.sum(tf.mul(affineRows(tf.reshape(xx, [3, 4, 5]), aa as tf.Tensor2D, cc as tf.Tensor2D), tf.reshape(probe, [3, 4, 5])));
    const g2 = tf.grads(f2)([x, a, c]), g3 = tf.grads(f3)([x, a, c]);
    for (let i = 0; i < 3; i++) expect(maxAbsDiff(g2[i].dataSync(), g3[i].dataSync())).toBeLessThan(1e-5);
    expect(affineRows(tf.reshape(x, [3, 4, 5]), a, c).shape).toEqual([3, 4, 5]);
  });

  it('leaves no tensors behind across gradient steps', async () => {
    await useBackend(backend);
    const rng = new Rng(4, 'affine');
    const x = randn(rng, [8, 6]);
    const a = tf.variable(randn(rng, [1, 6], 0.1, 1));
    const c = tf.variable(randn(rng, [1, 6]));
    const step = () => tf.tidy(() => tf.variableGrads(() => tf.sum(tf.square(affineRows(x, a, c))) as tf.Scalar, [a, c]).value.dataSync());
    step();
    const before = tensorCount();
    for (let i = 0; i < 3; i++) step();
    expect(tensorCount()).toBe(before);
  });

  it('rejects a and c that are not [1, D]', async () => {
    await useBackend(backend);
    expect(() => affineRows(tf.zeros([2, 3]) as tf.Tensor2D, tf.ones([1, 4]) as tf.Tensor2D, tf.zeros([1, 3]) as tf.Tensor2D)).toThrow(/a and c must be \[1, 3\]/);
  });
});
