import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import {
  fillKeyedNormal, inputAffine, inputAffineGrad, keyedNormalTensor, keyedWord, localTerm, localTermGrad, localTermInputGrad, noiseKey, randomNormalTensor, Rng, rowStats,
} from '../../src/tensor/index.js';
import { maxAbsDiff, TEST_BACKENDS, useBackend } from '../helpers/backends.js';

const randn = (rng: Rng, shape: [number, number]) => tf.tensor2d(rng.fillNormal(new Float32Array(shape[0] * shape[1])), shape);

describe.each(TEST_BACKENDS)('SIMD row kernels (localTerm, rowStats, inputAffine) on %s', (backend) => {
  // D = 32 runs the wasm SIMD kernels (noise drawn inside them), D = 12 the SIMD kernels without
  // noise and the fallback with it, D = 6 the tf-op fallback (noise from keyedNormalTensor); all
  // against the formula with ξ from keyedNormalTensor.
  it.each([32, 12, 6])('equals y + b + s₁⊗μ̂ + ξ⊙(s₂⊗σ̂) and its four backward reductions, with and without noise and bias (D = %i)', async (d) => {
    await useBackend(backend);
    const rng = new Rng(1, `local-noise/${d}`);
    const n = 9;
    const [y, dy] = [randn(rng, [n, d]), randn(rng, [n, d])];
    const [s1, s2] = [randn(rng, [n, 1]), tf.abs(randn(rng, [n, 1])) as tf.Tensor2D];
    const [mu, sigma] = [tf.reshape(randn(rng, [1, d]), [d]), tf.abs(randn(rng, [1, d])) as tf.Tensor2D];
    const bias = tf.reshape(randn(rng, [1, d]), [d]);
    const key = noiseKey(rng);
    const xi = keyedNormalTensor([n, d], key);
    for (const noisy of [true, false]) {
      const term = { mu, sigma: noisy ? sigma : null, key: noisy ? key : null };
      const f = (a: tf.Tensor, b: tf.Tensor, m: tf.Tensor, s: tf.Tensor) => {
        const mean = tf.mul(a, m);
        return noisy ? tf.add(mean, tf.mul(xi, tf.mul(b, s))) : mean;
      };
      for (const b of [bias, null]) {
        const ref = tf.add(b ? tf.add(y, b) : y, f(s1, s2, mu, sigma));
        const got = localTerm(y, b, s1, s2, term);
        expect(maxAbsDiff(got.value.dataSync(), ref.dataSync())).toBeLessThan(1e-5);
        if (noisy) expect(Array.from(got.xi!.dataSync())).toEqual(Array.from(xi.dataSync()));
        else expect(got.xi).toBeNull();
      }
      // Reference gradients of Σ dy⊙out by autograd.
      const [dS1, dMu, dS2, dSigma] = noisy
        ? tf.grads((a, m, b, s) => tf.sum(tf.mul(dy, f(a, b, m, s))))([s1, mu, s2, sigma])
        : tf.grads((a, m) => tf.sum(tf.mul(dy, f(a, s2, m, sigma))))([s1, mu]);
      const got = localTermGrad(dy, noisy ? (xi as tf.Tensor2D) : null, s1, s2, mu, term.sigma);
      expect(maxAbsDiff(got.r1.dataSync(), dS1.dataSync())).toBeLessThan(1e-4);
      expect(maxAbsDiff(got.dMu.dataSync(), dMu.dataSync())).toBeLessThan(1e-4);
      expect(got.r1.shape).toEqual([n, 1]);
      expect(got.dMu.shape).toEqual([d]);
      if (noisy) {
        expect(maxAbsDiff(got.r2!.dataSync(), dS2.dataSync())).toBeLessThan(1e-4);
        expect(maxAbsDiff(got.dSigma!.dataSync(), dSigma.dataSync())).toBeLessThan(1e-4);
        expect(got.dSigma!.shape).toEqual([1, d]);
      } else {
        expect(got.r2).toBeNull();
        expect(got.dSigma).toBeNull();
      }
    }
    expect(() => localTerm(y, null, s1, s2, { mu, sigma, key: null })).toThrow(/noise key is required/);
    expect(() => localTermGrad(dy, null, s1, s2, mu, sigma)).toThrow(/σ̂ and ξ go together/);
  });

  it('draws the noise of element (n, j) from its index n·D + j, the same float32 numbers as keyedNormalTensor (D = 64)', async () => {
    await useBackend(backend);
    const [n, d] = [33, 64];
    const key = noiseKey(new Rng(9, 'wide'));
    const zeros = tf.zeros([n, d]) as tf.Tensor2D, ones = tf.ones([n, 1]) as tf.Tensor2D;
    const got = localTerm(zeros, null, tf.zeros([n, 1]) as tf.Tensor2D, ones, { mu: tf.zeros([d]), sigma: tf.ones([d]), key });
    expect(Array.from(got.xi!.dataSync())).toEqual(Array.from(got.value.dataSync()));
    expect(Array.from(got.value.dataSync())).toEqual(Array.from(keyedNormalTensor([n, d], key).dataSync()));
  });

  it.each([12, 6])('rowStats and the input gradient through them, plus dh, equal the tf formulas (D = %i)', async (d) => {
    await useBackend(backend);
    const rng = new Rng(2, `row-stats/${d}`);
    const x = randn(rng, [7, d]), dh = randn(rng, [7, d]);
    const { s1, s2 } = rowStats(x);
    expect(maxAbsDiff(s1.dataSync(), tf.sum(x, 1).dataSync())).toBeLessThan(1e-5);
    expect(maxAbsDiff(s2.dataSync(), tf.sqrt(tf.sum(tf.square(x), 1)).dataSync())).toBeLessThan(1e-5);
    const [r1, r2] = [randn(rng, [7, 1]), randn(rng, [7, 1])];
    // d/dx of Σ_n r1_n·s1_n + r2_n·s2_n, and of Σ_n r1_n·s1_n alone
    const ref = tf.grad((xx) => tf.sum(tf.add(tf.mul(r1, tf.sum(xx, 1, true)), tf.mul(r2, tf.sqrt(tf.sum(tf.square(xx), 1, true))))))(x);
    const refMean = tf.grad((xx) => tf.sum(tf.mul(r1, tf.sum(xx, 1, true))))(x);
    expect(maxAbsDiff(localTermInputGrad(x, null, r1, r2, s2).dataSync(), ref.dataSync())).toBeLessThan(1e-4);
    expect(maxAbsDiff(localTermInputGrad(x, dh, r1, r2, s2).dataSync(), tf.add(ref, dh).dataSync())).toBeLessThan(1e-4);
    expect(maxAbsDiff(localTermInputGrad(x, null, r1, null, s2).dataSync(), refMean.dataSync())).toBeLessThan(1e-5);
    expect(maxAbsDiff(localTermInputGrad(x, dh, r1, null, s2).dataSync(), tf.add(refMean, dh).dataSync())).toBeLessThan(1e-5);
  });

  it.each([12, 6])("GRASP's input transform x⊙a + c and its backward (dx, Σ dh⊙x, Σ dh) equal the tf formulas (D = %i)", async (d) => {
    await useBackend(backend);
    const rng = new Rng(3, `input-affine/${d}`);
    const [x, dh] = [randn(rng, [11, d]), randn(rng, [11, d])];
    const a = tf.reshape(randn(rng, [1, d]), [d]), c = randn(rng, [1, d]);
    expect(maxAbsDiff(inputAffine(x, a, c).dataSync(), tf.add(tf.mul(x, a), c).dataSync())).toBeLessThan(1e-6);
    const g = inputAffineGrad(dh, x, a);
    expect(maxAbsDiff(g.dx.dataSync(), tf.mul(dh, a).dataSync())).toBeLessThan(1e-6);
    expect(maxAbsDiff(g.da.dataSync(), tf.sum(tf.mul(dh, x), 0).dataSync())).toBeLessThan(1e-4);
    expect(maxAbsDiff(g.dc.dataSync(), tf.sum(dh, 0).dataSync())).toBeLessThan(1e-4);
    expect(g.da.shape).toEqual([1, d]);
  });

  it('randomNormalTensor and keyedNormalTensor give the same draws on every backend for the same stream', async () => {
    await useBackend(backend);
    const a = randomNormalTensor([3, 5], new Rng(4, 'normals')).dataSync();
    const b = randomNormalTensor([15], new Rng(4, 'normals')).dataSync();
    const c = randomNormalTensor([3, 5], new Rng(5, 'normals')).dataSync();
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
    await useBackend('cpu');
    expect(Array.from(randomNormalTensor([3, 5], new Rng(4, 'normals')).dataSync())).toEqual(Array.from(a));
    await useBackend(backend);
    const key = noiseKey(new Rng(4, 'keyed'));
    const k = keyedNormalTensor([3, 5], key).dataSync();
    await useBackend('cpu');
    expect(Array.from(keyedNormalTensor([3, 5], key).dataSync())).toEqual(Array.from(k));
    // The SIMD kernel (whole pairs of 8-blocks) against the JavaScript reference (the tail), float for float.
    await useBackend(backend);
    expect(Array.from(keyedNormalTensor([4099], key).dataSync())).toEqual(Array.from(fillKeyedNormal(key, new Float32Array(4099))));
  });
});

describe('keyed counter-based normals', () => {
  // 2^20 draws: the moments of N(0, 1) within a few standard errors (mean, variance, skew, kurtosis),
  // the tail mass beyond 2σ and 3σ, no correlation between neighbours (within a block, between the
  // cos and sin of one word, across blocks) or between two keys (standard error 1/√n ≈ 0.001).
  it('have the moments and tails of N(0, 1), no serial correlation and independent keys', async () => {
    await useBackend('cpu');
    const n = 1 << 20;
    const rng = new Rng(11, 'keyed-stats');
    const [ka, kb] = [noiseKey(rng), noiseKey(rng)];
    const a = keyedNormalTensor([n], ka).dataSync(), b = keyedNormalTensor([n], kb).dataSync();
    let m = 0, v = 0, k3 = 0, k4 = 0, lag1 = 0, lag4 = 0, lag8 = 0, cross = 0, t2 = 0, t3 = 0;
    for (let i = 0; i < n; i++) {
      const x = a[i];
      m += x;
      v += x * x;
      k3 += x ** 3;
      k4 += x ** 4;
      if (Math.abs(x) > 2) t2++;
      if (Math.abs(x) > 3) t3++;
      if (i >= 1) lag1 += x * a[i - 1];
      if (i >= 4) lag4 += x * a[i - 4];
      if (i >= 8) lag8 += x * a[i - 8];
      cross += x * b[i];
    }
    expect(Math.abs(m / n)).toBeLessThan(0.004);
    expect(Math.abs(v / n - 1)).toBeLessThan(0.006);
    expect(Math.abs(k3 / n)).toBeLessThan(0.012);
    expect(Math.abs(k4 / n - 3)).toBeLessThan(0.05);
    expect(t2 / n).toBeCloseTo(0.0455, 2);
    expect(Math.abs(t3 / n - 0.0027)).toBeLessThan(0.0004);
    for (const c of [lag1, lag4, lag8, cross]) expect(Math.abs(c / n)).toBeLessThan(0.004);
    expect(Array.from(a).reduce((mx, x) => Math.max(mx, Math.abs(x)), 0)).toBeLessThan(5.4);
    // With k₁ alone, stream (k₁ ⊕ 1) at c ⊕ 1 would repeat stream k₁ at c; a different k₂ breaks that.
    const flip: [number, number] = [ka[0] ^ 1, ka[1] ^ 0x40];
    const same = Array.from({ length: 1000 }, (_, c) => keyedWord(c, ka) === keyedWord(c ^ 1, flip)).filter(Boolean).length;
    expect(same).toBeLessThan(5);
  });
});
