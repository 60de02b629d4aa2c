import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { embed, FrozenMatrix, keyedNormalTensor, linear, linearTransposed, noiseKey, Rng, sumRows, tensorCount } from '../../src/tensor/index.js';
import { maxAbsDiff, TEST_BACKENDS, useBackend } from '../helpers/backends.js';

function randn(rng: Rng, shape: number[]): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(rng.fillNormal(new Float32Array(n)), shape);
}

describe.each(TEST_BACKENDS)('linear on %s', (backend) => {
  it('matches autograd of x·W + b for trainable weights, in value and every gradient', async () => {
    await useBackend(backend);
    const rng = new Rng(1, 'linear');
    const x = randn(rng, [2, 5, 7]);
    const W = randn(rng, [7, 3]) as tf.Tensor2D;
    const b = randn(rng, [3]) as tf.Tensor1D;
    const probe = randn(rng, [2, 5, 3]);
    const ours = tf.grads((xx, ww, bb) => tf.sum(tf.mul(linear(xx, ww as tf.Tensor2D, bb as tf.Tensor1D), probe)));
    const ref = tf.grads((xx, ww, bb) => tf.sum(tf.mul(tf.add(tf.reshape(tf.matMul(tf.reshape(xx, [10, 7]) as tf.Tensor2D, ww as tf.Tensor2D), [2, 5, 3]), bb), probe)));
    const g1 = ours([x, W, b]);
    const g2 = ref([x, W, b]);
    for (let i = 0; i < 3; i++) {
      expect(g1[i].shape).toEqual(g2[i].shape);
      expect(maxAbsDiff(g1[i].dataSync(), g2[i].dataSync())).toBeLessThan(1e-4);
    }
    const y = linear(x, W, b);
    const yRef = tf.add(tf.reshape(tf.matMul(tf.reshape(x, [10, 7]) as tf.Tensor2D, W), [2, 5, 3]), b);
    expect(maxAbsDiff(y.dataSync(), yRef.dataSync())).toBeLessThan(1e-5);
  });

  it('gives a frozen weight no gradient and the input the same gradient as autograd', async () => {
    await useBackend(backend);
    const rng = new Rng(2, 'linear');
    const x = randn(rng, [4, 6]);
    const Wt = randn(rng, [6, 5]) as tf.Tensor2D;
    const W = new FrozenMatrix(tf.clone(Wt));
    const b = randn(rng, [5]) as tf.Tensor1D;
    const dx = tf.grad((xx) => tf.sum(tf.square(linear(xx, W, b))))(x);
    const dxRef = tf.grad((xx) => tf.sum(tf.square(tf.add(tf.matMul(xx as tf.Tensor2D, Wt), b))))(x);
    expect(maxAbsDiff(dx.dataSync(), dxRef.dataSync())).toBeLessThan(1e-4);
    // Backward through a frozen weight runs one MatMul (dx), none for dW: forward 1 + backward 1.
    const prof = await tf.profile(() => tf.grad((xx) => tf.sum(linear(xx, W, b)))(x));
    expect(prof.kernels.filter((k) => k.name === 'BatchMatMul').length).toBe(2);
    const profT = await tf.profile(() => tf.grads((xx, ww) => tf.sum(linear(xx, ww as tf.Tensor2D, b)))([x, Wt]));
    expect(profT.kernels.filter((k) => k.name === 'BatchMatMul').length).toBe(3);
    W.dispose();
  });

  it('folds an input transform (x·scale + shift)·W + b into the frozen op, with autograd gradients for x, scale, shift and b', async () => {
    await useBackend(backend);
    const rng = new Rng(7, 'linear');
    const x = randn(rng, [3, 4, 6]);
    const Wt = randn(rng, [6, 5]) as tf.Tensor2D;
    const W = new FrozenMatrix(tf.clone(Wt));
    const [a, c] = [randn(rng, [1, 6]), randn(rng, [1, 6])] as tf.Tensor2D[];
    const b = randn(rng, [5]) as tf.Tensor1D;
    const probe = randn(rng, [3, 4, 5]);
    const ref = (xx: tf.Tensor, aa: tf.Tensor, cc: tf.Tensor, bb: tf.Tensor) =>
      tf.sum(tf.mul(tf.add(tf.reshape(tf.matMul(tf.reshape(tf.add(tf.mul(xx, aa), cc), [12, 6]) as tf.Tensor2D, Wt), [3, 4, 5]), bb), probe));
    const ours = (xx: tf.Tensor, aa: tf.Tensor, cc: tf.Tensor, bb: tf.Tensor) =>
      tf.sum(tf.mul(linear(xx, W, bb as tf.Tensor1D, { pre: { scale: aa as tf.Tensor2D, shift: cc as tf.Tensor2D } }), probe));
    const g1 = tf.grads(ours)([x, a, c, b]), g2 = tf.grads(ref)([x, a, c, b]);
    for (let i = 0; i < 4; i++) {
      expect(g1[i].shape).toEqual(g2[i].shape);
      expect(maxAbsDiff(g1[i].dataSync(), g2[i].dataSync())).toBeLessThan(1e-4);
    }
    // Scale only / shift only, and a frozen bias (a constant of the op: same value, no bias input).
    const y1 = linear(x, W, b, { pre: { scale: a, shift: null }, frozenBias: true });
    const y1Ref = tf.add(tf.reshape(tf.matMul(tf.reshape(tf.mul(x, a), [12, 6]) as tf.Tensor2D, Wt), [3, 4, 5]), b);
    expect(maxAbsDiff(y1.dataSync(), y1Ref.dataSync())).toBeLessThan(1e-5);
    const dShift = tf.grad((cc) => tf.sum(tf.mul(linear(x, W, b, { pre: { scale: null, shift: cc as tf.Tensor2D }, frozenBias: true }), probe)))(c);
    const dShiftRef = tf.grad((cc) => ref(x, tf.ones([1, 6]), cc, b))(c);
    expect(maxAbsDiff(dShift.dataSync(), dShiftRef.dataSync())).toBeLessThan(1e-4);
    const bv = tf.variable(b);
    expect(() => tf.variableGrads(() => tf.sum(linear(x, W, bv, { frozenBias: true })) as tf.Scalar, [bv])).toThrow(/Cannot find a connection/);
    expect(() => linear(x, W, b, { pre: { scale: tf.ones([1, 5]) as tf.Tensor2D, shift: null } })).toThrow(/input scale must be \[6\] or \[1, 6\], got \[1,5\]/);
    bv.dispose();
  });

  // StochGRASP's output term folded into the op (LinearOptions.post): frozen W with an input
  // transform and a trainable bias (the SIMD path for D_out = 16, the tf fallback for D_out = 5), and
  // a trainable W (the term as its own op), against autograd of the formula with the same noise.
  it.each([16, 5])('folds the local term y + s₁⊗μ̂ + ξ⊙(s₂⊗σ̂) of the transformed input, with autograd gradients for x, scale, shift, b, μ̂ and σ̂ (D_out = %i)', async (dout) => {
    await useBackend(backend);
    const rng = new Rng(9, `linear-post/${dout}`);
    const x = randn(rng, [2, 3, 6]);
    const Wt = randn(rng, [6, dout]) as tf.Tensor2D;
    const W = new FrozenMatrix(tf.clone(Wt));
    const [a, c] = [randn(rng, [1, 6]), randn(rng, [1, 6])] as tf.Tensor2D[];
    const b = randn(rng, [dout]) as tf.Tensor1D;
    const [mu, sigma] = [randn(rng, [dout]), tf.abs(randn(rng, [1, dout]))];
    const probe = randn(rng, [2, 3, dout]);
    const key = noiseKey(rng);
    const xi = keyedNormalTensor([6, dout], key);
    const formula = (h: tf.Tensor, w: tf.Tensor, bb: tf.Tensor, m: tf.Tensor, s: tf.Tensor) => {
      const h2 = tf.reshape(h, [6, 6]) as tf.Tensor2D;
      const s1 = tf.sum(h2, 1, true), s2 = tf.sqrt(tf.add(tf.sum(tf.square(h2), 1, true), 1e-20));
      const y = tf.add(tf.add(tf.add(tf.matMul(h2, w as tf.Tensor2D), bb), tf.mul(s1, m)), tf.mul(xi, tf.mul(s2, s)));
      return tf.sum(tf.mul(tf.reshape(y, [2, 3, dout]), probe));
    };
    const ref = (xx: tf.Tensor, aa: tf.Tensor, cc: tf.Tensor, bb: tf.Tensor, m: tf.Tensor, s: tf.Tensor) => formula(tf.add(tf.mul(xx, aa), cc), Wt, bb, m, s);
    const ours = (xx: tf.Tensor, aa: tf.Tensor, cc: tf.Tensor, bb: tf.Tensor, m: tf.Tensor, s: tf.Tensor) =>
      tf.sum(tf.mul(linear(xx, W, bb as tf.Tensor1D, { pre: { scale: aa, shift: cc }, post: { mu: m, sigma: s, key } }), probe));
    const g1 = tf.grads(ours)([x, a, c, b, mu, sigma]), g2 = tf.grads(ref)([x, a, c, b, mu, sigma]);
    expect(maxAbsDiff(tf.grads(ours)([x, a, c, b, mu, sigma])[0].dataSync(), g1[0].dataSync())).toBe(0);
    for (let i = 0; i < 6; i++) {
      expect(g1[i].shape).toEqual(g2[i].shape);
      expect(maxAbsDiff(g1[i].dataSync(), g2[i].dataSync())).toBeLessThan(1e-4);
    }
    // Trainable W: the term is its own op after the product; W gets its gradient.
    const oursT = (xx: tf.Tensor, ww: tf.Tensor, m: tf.Tensor, s: tf.Tensor) =>
      tf.sum(tf.mul(linear(xx, ww as tf.Tensor2D, b, { post: { mu: m, sigma: s, key } }), probe));
    const refT = (xx: tf.Tensor, ww: tf.Tensor, m: tf.Tensor, s: tf.Tensor) => formula(xx, ww, b, m, s);
    const t1 = tf.grads(oursT)([x, Wt, mu, sigma]), t2 = tf.grads(refT)([x, Wt, mu, sigma]);
    for (let i = 0; i < 4; i++) expect(maxAbsDiff(t1[i].dataSync(), t2[i].dataSync())).toBeLessThan(1e-4);
    // Without σ̂ (evaluation, grasp-weight): the mean term only, frozen bias a constant of the op.
    const oursM = (xx: tf.Tensor, m: tf.Tensor) => tf.sum(tf.mul(linear(xx, W, b, { post: { mu: m, sigma: null, key: null }, frozenBias: true }), probe));
    const refM = (xx: tf.Tensor, m: tf.Tensor) => formula(xx, Wt, b, m, tf.zeros([1, dout]));
    const m1 = tf.grads(oursM)([x, mu]), m2 = tf.grads(refM)([x, mu]);
    for (let i = 0; i < 2; i++) expect(maxAbsDiff(m1[i].dataSync(), m2[i].dataSync())).toBeLessThan(1e-4);
    expect(() => linear(x, W, b, { post: { mu: tf.zeros([dout + 1]), sigma: null, key: null } })).toThrow(new RegExp(`output term μ̂ must be \\[${dout}\\] or \\[1, ${dout}\\]`));
    W.dispose();
  });

  it('sumRows equals Σ over the leading axes for any row count (chunked or not)', async () => {
    await useBackend(backend);
    const rng = new Rng(8, 'sumRows');
    for (const shape of [[1, 5], [7, 3], [16, 4], [48, 6], [512, 9], [2, 6, 5]]) {
      const m = randn(rng, shape);
      const got = sumRows(m);
      const d = shape[shape.length - 1];
      expect(got.shape).toEqual([1, d]);
      expect(maxAbsDiff(got.dataSync(), tf.sum(tf.reshape(m, [-1, d]), 0).dataSync())).toBeLessThan(1e-4);
    }
  });

  it('linearTransposed matches x·Tᵀ and its table gradient', async () => {
    await useBackend(backend);
    const rng = new Rng(3, 'linear');
    const x = randn(rng, [3, 4]);
    const T = randn(rng, [9, 4]) as tf.Tensor2D;
    const [, dT] = tf.grads((xx, tt) => tf.sum(tf.square(linearTransposed(xx, tt as tf.Tensor2D, false))))([x, T]);
    const [, dTRef] = tf.grads((xx, tt) => tf.sum(tf.square(tf.matMul(xx as tf.Tensor2D, tt as tf.Tensor2D, false, true))))([x, T]);
    expect(maxAbsDiff(dT.dataSync(), dTRef.dataSync())).toBeLessThan(1e-4);
  });

  it('embedding gradient sums repeated ids (ScatterNd works where gather’s gradient does not)', async () => {
    await useBackend(backend);
    const table = tf.tensor2d([[1, 2], [3, 4], [5, 6]]);
    const ids = tf.tensor2d([[2, 0, 2]], undefined, 'int32');
    const out = embed(table, ids, true);
    expect(out.shape).toEqual([1, 3, 2]);
    expect(Array.from(out.dataSync())).toEqual([5, 6, 1, 2, 5, 6]);
    const g = tf.grad((t) => tf.sum(tf.mul(embed(t as tf.Tensor2D, ids, true), tf.tensor3d([[[1, 10], [100, 1000], [2, 20]]]))))(table);
    expect(Array.from(g.dataSync())).toEqual([100, 1000, 0, 0, 3, 30]);
  });

  it('embedding lookup equals tf.gather on a larger table, frozen or trainable, and rejects ids outside it', async () => {
    await useBackend(backend);
    const rng = new Rng(9, 'embed');
    const table = randn(rng, [50, 12]) as tf.Tensor2D;
    const ids = tf.tensor2d(Int32Array.from({ length: 4 * 9 }, () => rng.int(50)), [4, 9], 'int32');
    const ref = tf.reshape(tf.gather(table, tf.reshape(ids, [-1])), [4, 9, 12]).dataSync();
    expect(Array.from(embed(table, ids, false).dataSync())).toEqual(Array.from(ref));
    expect(Array.from(embed(table, ids, true).dataSync())).toEqual(Array.from(ref));
    if (backend === 'wasm') expect(() => embed(table, tf.tensor1d([3, 50], 'int32'), false)).toThrow(/id 50 at position 1 is outside the table \[0, 50\)/);
  });

  it('does not grow the tensor count across repeated steps', async () => {
    await useBackend(backend);
    const rng = new Rng(4, 'mem');
    const W = new FrozenMatrix(randn(rng, [8, 8]) as tf.Tensor2D);
    const x = randn(rng, [2, 8]);
    const step = () => tf.tidy(() => tf.grad((xx) => tf.sum(linear(xx, W, null)))(x));
    step().dispose(); // first call caches Wᵀ
    const before = tensorCount();
    for (let i = 0; i < 5; i++) step().dispose();
    expect(tensorCount()).toBe(before);
    W.dispose();
  });
});

describe('Rng', () => {
  it('repeats for the same seed and stream, differs across streams', () => {
    const a = new Rng(7, 'x').fillNormal(new Float32Array(5));
    const b = new Rng(7, 'x').fillNormal(new Float32Array(5));
    const c = new Rng(7, 'y').fillNormal(new Float32Array(5));
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
    expect(new Rng(7).fork('x').fillNormal(new Float32Array(5))).toEqual(a);
  });

  it('draws normals with mean 0 and variance 1', () => {
    const n = 200_000;
    const v = new Rng(11, 'stats').fillNormal(new Float32Array(n));
    let s = 0, s2 = 0;
    for (const x of v) { s += x; s2 += x * x; }
    const mean = s / n;
    expect(Math.abs(mean)).toBeLessThan(4 / Math.sqrt(n));
    expect(Math.abs(s2 / n - mean * mean - 1)).toBeLessThan(0.015);
  });

  it('permutation is a permutation', () => {
    const p = Array.from(new Rng(3).permutation(1000)).sort((a, b) => a - b);
    expect(p).toEqual(Array.from({ length: 1000 }, (_, i) => i));
  });
});
