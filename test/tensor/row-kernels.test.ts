import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { inputAffine, inputAffineGrad, localNoise, localNoiseGrad, localNoiseInputGrad, randomNormalTensor, Rng, rowStats } from '../../src/tensor/index.js';
import { maxAbsDiff, TEST_BACKENDS, useBackend } from '../helpers/backends.js';

const randn = (rng: Rng, shape: [number, number]) => tf.tensor2d(rng.fillNormal(new Float32Array(shape[0] * shape[1])), shape);

describe.each(TEST_BACKENDS)('SIMD row kernels (localNoise, rowStats, inputAffine) on %s', (backend) => {
  // D = 12 runs the wasm SIMD kernel, D = 6 the tf-op fallback; both against the formula.
  it.each([12, 6])('equals y + s₁⊗μ̂ + ξ⊙(s₂⊗σ̂) and its four backward reductions (D = %i)', async (d) => {
    await useBackend(backend);
    const rng = new Rng(1, `local-noise/${d}`);
    const n = 9;
    const [y, xi, dy] = [randn(rng, [n, d]), randn(rng, [n, d]), randn(rng, [n, d])];
    const [s1, s2] = [randn(rng, [n, 1]), tf.abs(randn(rng, [n, 1])) as tf.Tensor2D];
    const [mu, sigma] = [randn(rng, [1, d]), tf.abs(randn(rng, [1, d])) as tf.Tensor2D];
    const ref = tf.add(tf.add(y, tf.matMul(s1, mu)), tf.mul(xi, tf.matMul(s2, sigma)));
    expect(maxAbsDiff(localNoise(y, xi, s1, s2, mu, sigma).dataSync(), ref.dataSync())).toBeLessThan(1e-5);
    // Reference gradients of Σ dy⊙out by autograd.
    const [dS1, dS2, dMu, dSigma] = tf.grads((a, b, m, s) => tf.sum(tf.mul(dy, tf.add(tf.matMul(a as tf.Tensor2D, m as tf.Tensor2D), tf.mul(xi, tf.matMul(b as tf.Tensor2D, s as tf.Tensor2D))))))([s1, s2, mu, sigma]);
    const got = localNoiseGrad(dy, xi, s1, s2, mu, sigma);
    expect(maxAbsDiff(got.r1.dataSync(), dS1.dataSync())).toBeLessThan(1e-4);
    expect(maxAbsDiff(got.r2.dataSync(), dS2.dataSync())).toBeLessThan(1e-4);
    expect(maxAbsDiff(got.dMu.dataSync(), dMu.dataSync())).toBeLessThan(1e-4);
    expect(maxAbsDiff(got.dSigma.dataSync(), dSigma.dataSync())).toBeLessThan(1e-4);
    expect(got.r1.shape).toEqual([n, 1]);
    expect(got.dMu.shape).toEqual([1, d]);
  });

  it.each([12, 6])('rowStats and the input gradient through them equal the tf formulas (D = %i)', async (d) => {
    await useBackend(backend);
    const rng = new Rng(2, `row-stats/${d}`);
    const x = randn(rng, [7, d]);
    const { s1, s2 } = rowStats(x);
    expect(maxAbsDiff(s1.dataSync(), tf.sum(x, 1).dataSync())).toBeLessThan(1e-5);
    expect(maxAbsDiff(s2.dataSync(), tf.sqrt(tf.sum(tf.square(x), 1)).dataSync())).toBeLessThan(1e-5);
    const [r1, r2] = [randn(rng, [7, 1]), randn(rng, [7, 1])];
    // d/dx of Σ_n r1_n·s1_n + r2_n·s2_n
    const ref = tf.grad((xx) => tf.sum(tf.add(tf.mul(r1, tf.sum(xx, 1, true)), tf.mul(r2, tf.sqrt(tf.sum(tf.square(xx), 1, true))))))(x);
    expect(maxAbsDiff(localNoiseInputGrad(x, r1, r2, s2).dataSync(), ref.dataSync())).toBeLessThan(1e-4);
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

  it('randomNormalTensor gives the same draws on every backend for the same stream', async () => {
    await useBackend(backend);
    const a = randomNormalTensor([3, 5], new Rng(4, 'normals'), 'table').dataSync();
    const b = randomNormalTensor([15], new Rng(4, 'normals'), 'table').dataSync();
    const c = randomNormalTensor([3, 5], new Rng(4, 'normals')).dataSync();
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
    await useBackend('cpu');
    expect(Array.from(randomNormalTensor([3, 5], new Rng(4, 'normals'), 'table').dataSync())).toEqual(Array.from(a));
    expect(Array.from(randomNormalTensor([3, 5], new Rng(4, 'normals')).dataSync())).toEqual(Array.from(c));
  });
});
