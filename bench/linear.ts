/**
 * bench/linear: forward+backward of a 2048×768 by 768×3072 linear layer, naive autograd
 * (tf.matMul + tf.add, gradients by TF.js's MatMul gradient, which uses transposed matMuls) vs the
 * custom `linear` op (explicit transposes), and a plain forward matMul for reference. Same backend,
 * same run. Targets: custom ≥ 5× naive; custom ≥ 60 % of plain forward GFLOP/s.
 *
 *   node --import tsx bench/linear.ts [--backend wasm]
 */
import { FrozenMatrix, initBackend, linear, Rng, tf } from '../src/tensor/index.js';
import { gflops, report, sync, timeMs } from './util.js';

const arg = process.argv.indexOf('--backend');
const info = await initBackend(arg > 0 ? process.argv[arg + 1] : 'wasm');
const [N, I, O] = [2048, 768, 3072];
const rng = new Rng(0, 'bench/linear');
const x = tf.tensor2d(rng.fillNormal(new Float32Array(N * I)), [N, I]);
const W = tf.tensor2d(rng.fillNormal(new Float32Array(I * O), 0, 0.02), [I, O]);
const b = tf.zeros([O]) as tf.Tensor1D;
const dy = tf.tensor2d(rng.fillNormal(new Float32Array(N * O)), [N, O]);
const frozen = new FrozenMatrix(tf.clone(W));
const mm = 2 * N * I * O;

const plain = timeMs(() => sync(() => tf.matMul(x, W)));
// Loss = Σ y ⊙ dy, so the upstream gradient is dy: the backward pass is exactly dx = dy·Wᵀ, dW = xᵀ·dy.
const naive = timeMs(() => sync(() => tf.grads((xx, ww) => tf.sum(tf.mul(tf.add(tf.matMul(xx as tf.Tensor2D, ww as tf.Tensor2D), b), dy)))([x, W])), 3);
const custom = timeMs(() => sync(() => tf.grads((xx, ww) => tf.sum(tf.mul(linear(xx, ww as tf.Tensor2D, b), dy)))([x, W])), 3);
const customFrozen = timeMs(() => sync(() => tf.grad((xx) => tf.sum(tf.mul(linear(xx, frozen, b), dy)))(x)), 3);

const plainG = gflops(mm, plain);
const naiveG = gflops(3 * mm, naive);
const customG = gflops(3 * mm, custom);
const frozenG = gflops(2 * mm, customFrozen);
report(`linear ${N}x${I} · ${I}x${O} on ${info.name}`, {
  plain_fwd_gflops: plainG,
  naive_fwd_bwd_gflops: naiveG,
  custom_fwd_bwd_gflops: customG,
  custom_frozen_fwd_bwd_gflops: frozenG,
  speedup_custom_vs_naive: customG / naiveG,
  custom_fraction_of_plain: customG / plainG,
  frozen_fraction_of_plain: frozenG / plainG,
});
