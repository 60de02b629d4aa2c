/**
 * Attention's hand-written gradient and the wasm SIMD batched matMul behind it, against tf.matMul
 * and autograd of the composed formula — on shapes the SIMD kernel tiles (rows % 4, columns % 8)
 * and shapes that fall back to tf.matMul.
 */
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { attend, paddingBias } from '../../src/model/attention.js';
import { dropoutMask } from '../../src/model/layers.js';
import { batchMatMul, Rng, tensorCount } from '../../src/tensor/index.js';
import { maxAbsDiff, TEST_BACKENDS, useBackend } from '../helpers/backends.js';

const randn = (rng: Rng, shape: number[]) => tf.tensor(rng.fillNormal(new Float32Array(shape.reduce((a, b) => a * b, 1))), shape);

describe.each(TEST_BACKENDS)('attention on %s', (backend) => {
  it('batchMatMul equals tf.matMul, tiled or not, rank 3 and 4', async () => {
    await useBackend(backend);
    const rng = new Rng(1, 'bmm');
    for (const [a, b] of [[[3, 8, 5], [3, 5, 16]], [[2, 4, 12, 7], [2, 4, 7, 24]], [[2, 6, 5], [2, 5, 8]], [[2, 8, 3], [2, 3, 6]], [[1, 128, 64], [1, 64, 128]]]) {
      const x = randn(rng, a), y = randn(rng, b);
      const got = batchMatMul(x, y);
      expect(got.shape).toEqual([...a.slice(0, -1), b[b.length - 1]]);
      expect(maxAbsDiff(got.dataSync(), tf.matMul(x as tf.Tensor3D, y as tf.Tensor3D).dataSync())).toBeLessThan(1e-4);
    }
    expect(() => batchMatMul(tf.zeros([2, 4, 3]), tf.zeros([3, 3, 8]))).toThrow(/do not multiply batch by batch/);
  });

  it.each([[8, 8], [7, 4]])('value and q, k, v gradients equal autograd of softmax(QKᵀ·s + bias)⊙mask·V (seq %i, head dim %i)', async (seq, dh) => {
    await useBackend(backend);
    const rng = new Rng(2, `attend/${seq}`);
    const [q, k, v] = [0, 1, 2].map(() => randn(rng, [2, 3, seq, dh])) as tf.Tensor4D[];
    const probe = randn(rng, [2, 3, seq, dh]);
    const mask = tf.tensor2d(Array.from({ length: 2 * seq }, (_, i) => (i === 2 * seq - 1 ? 0 : 1)), [2, seq]);
    const bias = paddingBias(mask);
    const scale = 1 / Math.sqrt(dh);
    for (const rate of [0, 0.25]) {
      const ctx = () => ({ training: rate > 0, rng: new Rng(3, 'dropout') });
      const drop = dropoutMask([2, 3, seq, seq], rate, ctx());
      const ref = (qq: tf.Tensor, kk: tf.Tensor, vv: tf.Tensor) => {
        const p = tf.softmax(tf.add(tf.mul(tf.matMul(qq as tf.Tensor4D, kk as tf.Tensor4D, false, true), scale), bias));
        return tf.matMul(drop ? tf.mul(p, drop) : p, vv as tf.Tensor4D);
      };
      const ours = (qq: tf.Tensor, kk: tf.Tensor, vv: tf.Tensor) => attend(qq as tf.Tensor4D, kk as tf.Tensor4D, vv as tf.Tensor4D, bias, scale, rate, ctx());
      expect(maxAbsDiff(ours(q, k, v).dataSync(), ref(q, k, v).dataSync())).toBeLessThan(1e-4);
      const loss = (f: typeof ref) => (qq: tf.Tensor, kk: tf.Tensor, vv: tf.Tensor) => tf.sum(tf.mul(f(qq, kk, vv), probe));
      const g1 = tf.grads(loss(ours))([q, k, v]), g2 = tf.grads(loss(ref))([q, k, v]);
      for (let i = 0; i < 3; i++) expect(maxAbsDiff(g1[i].dataSync(), g2[i].dataSync())).toBeLessThan(1e-4);
      tf.dispose([...g1, ...g2]);
      drop?.dispose();
    }
    const step = () => tf.tidy(() => { tf.grads((qq: tf.Tensor) => tf.sum(attend(qq as tf.Tensor4D, k, v, bias, scale, 0.1, { training: true, rng: new Rng(4) })))([q])[0].dataSync(); });
    step();
    const before = tensorCount();
    step();
    step();
    expect(tensorCount()).toBe(before);
  });
});
