import { describe, expect, it } from 'vitest';
import { sequenceNoise } from '../../src/peft/sequence-noise.js';
import { Rng, randomNormalTensor, tensorCount, tf, toFloat32 } from '../../src/tensor/index.js';
import { maxAbsDiff, TEST_BACKENDS, useBackend } from '../helpers/backends.js';

/** The same term through tf's own autograd: x_b · (σ̂ ⊙ ε_b) with a broadcasting batched matMul. */
const reference = (x: tf.Tensor3D, s: tf.Tensor2D, eps: tf.Tensor3D) => tf.matMul(x, tf.mul(s, eps) as tf.Tensor3D);

describe('sequenceNoise (StochGRASP sampling "sequence")', () => {
  // T = 5 and D_out = 6 are not multiples of the SIMD kernel's 4 × 8 tiles: the padded path is used.
  for (const backend of TEST_BACKENDS) {
    for (const rows of ['each', 'one'] as const) {
      it(`${backend}, σ̂ ${rows === 'each' ? '[D_in, D_out]' : '[1, D_out]'}: value, dx and dσ̂ equal tf's autograd of x_b·(σ̂⊙ε_b); tensor count flat`, async () => {
        await useBackend(backend);
        const rng = new Rng(3);
        const [b, t, din, dout] = [3, 5, 7, 6];
        const x = randomNormalTensor([b, t, din], rng.fork('x')) as tf.Tensor3D;
        const s = tf.abs(randomNormalTensor([rows === 'each' ? din : 1, dout], rng.fork('s'))) as tf.Tensor2D;
        const eps = randomNormalTensor([b, din, dout], rng.fork('eps')) as tf.Tensor3D;
        const dy = randomNormalTensor([b, t, dout], rng.fork('dy')) as tf.Tensor3D;
        const grads = (f: typeof reference) => tf.tidy(() => {
          const g = tf.grads((xi: tf.Tensor, si: tf.Tensor) => tf.sum(tf.mul(f(xi as tf.Tensor3D, si as tf.Tensor2D, eps), dy)));
          return [f(x, s, eps), ...g([x, s])].map(toFloat32);
        });
        const before = tensorCount();
        const got = grads(sequenceNoise);
        expect(tensorCount()).toBe(before);
        const want = grads(reference);
        expect(got[2].length).toBe(s.size); // dσ̂ has σ̂'s shape (summed over rows when broadcast)
        for (let i = 0; i < 3; i++) expect(maxAbsDiff(got[i], want[i])).toBeLessThan(1e-4);
        tf.dispose([x, s, eps, dy]);
      });
    }
  }

  it('refuses shapes that do not fit', async () => {
    await useBackend('cpu');
    const x = tf.zeros([2, 3, 4]) as tf.Tensor3D;
    expect(() => sequenceNoise(x, tf.zeros([4, 5]) as tf.Tensor2D, tf.zeros([3, 4, 5]) as tf.Tensor3D)).toThrow(/do not fit/);
    tf.dispose(x);
  });
});
