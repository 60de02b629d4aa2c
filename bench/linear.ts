/**
 * bench/linear: forward+backward of a 2048×768 by 768×3072 linear layer, naive autograd
 * (tf.matMul + tf.add, gradients by TF.js's MatMul gradient, which uses transposed matMuls) vs the
 * custom `linear` op (explicit transposes), and a plain forward matMul for reference. Same backend,
 * same run. Targets: custom ≥ 5× naive; custom ≥ 60 % of plain forward GFLOP/s.
 *
 * Also measured (same run): batch row sums of [512, D] three ways (`sumRows`' chunked reduction, a
 * matMul against a ones row, tf.sum over axis 0), and batched products of attention's shapes,
 * tf.matMul against the wasm SIMD `batchMatMul`; and 2.4 M standard normals (StochGRASP's per-token
 * noise per step on the shipped model) from tf.randomNormal, the ziggurat, the 2^16-point table, and
 * the keyed Box–Muller stream StochGRASP draws (SIMD kernel into a tensor, and its JavaScript reference);
 * and a training step's dropout masks on the shipped model (1.64 M elements), tf.randomUniform plus
 * three ops against `dropoutMaskTensor` (the same numbers).
 *
 *   node --import tsx bench/linear.ts [--backend wasm]
 */
import { batchMatMul, dropoutMaskTensor, fillKeyedNormal, fillStandardNormal, FrozenMatrix, initBackend, keyedNormalTensor, linear, noiseKey, Rng, sumRows, tf } from '../src/tensor/index.js';
import { fillStandardNormalTable } from '../src/tensor/random.js';
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

// Batch row sums [512, D] → [1, D]: chunked (sumRows), matMul with a ones row, Sum over axis 0.
for (const d of [128, 512, 3072]) {
  const m = tf.tensor2d(rng.fillNormal(new Float32Array(512 * d)), [512, d]);
  const ones = tf.ones([1, 512]) as tf.Tensor2D;
  // A fresh operand per call, as in a backward pass (XNNPACK packs a new right operand each time).
  const fresh = () => tf.add(m, 0) as tf.Tensor2D;
  const t = (f: () => tf.Tensor) => timeMs(() => sync(f), 30, 5);
  report(`  row sums [512×${d}] (ms, each including a fresh copy of the input, ≈ 0.03–0.3 ms)`, {
    chunked_sumRows: t(() => sumRows(fresh())),
    matMul_ones: t(() => tf.matMul(ones, fresh())),
    sum_axis0: t(() => tf.sum(fresh(), 0)),
  });
  m.dispose();
  ones.dispose();
}

// Attention's batched products [batch·heads, seq, ·]: tf.matMul vs the SIMD batchMatMul.
for (const [label, bt, mm_, k, n] of [
  ['shipped Q·Kᵀ [16,128,32]·[16,32,128]', 16, 128, 32, 128],
  ['shipped P·V [16,128,128]·[16,128,32]', 16, 128, 128, 32],
  ['base batch 8 Q·Kᵀ [96,128,64]·[96,64,128]', 96, 128, 64, 128],
  ['base batch 8 P·V [96,128,128]·[96,128,64]', 96, 128, 128, 64],
] as const) {
  const a = tf.tensor3d(rng.fillNormal(new Float32Array(bt * mm_ * k)), [bt, mm_, k]);
  const bb = tf.tensor3d(rng.fillNormal(new Float32Array(bt * k * n)), [bt, k, n]);
  const flops = 2 * bt * mm_ * k * n;
  const tfMs = timeMs(() => sync(() => tf.matMul(a, bb)), 5), simdMs = timeMs(() => sync(() => batchMatMul(a, bb)), 5);
  report(`  ${label}`, { tf_matMul_gflops: gflops(flops, tfMs), batchMatMul_gflops: gflops(flops, simdMs), speedup: tfMs / simdMs });
  a.dispose();
  bb.dispose();
}

// 2.4 M normals: tf.randomNormal, the ziggurat (Rng-seeded), the table generator and the keyed stream.
{
  const n = 2_359_296, buf = new Float32Array(n);
  report('  2.4 M standard normals (ms)', {
    tf_randomNormal: timeMs(() => sync(() => tf.randomNormal([n], 0, 1, 'float32', rng.nextUint32())), 3),
    ziggurat: timeMs(() => fillStandardNormal(rng, buf), 3),
    table: timeMs(() => fillStandardNormalTable(rng, buf), 3),
    keyed_simd: timeMs(() => tf.tidy(() => keyedNormalTensor([n], noiseKey(rng))), 3),
    keyed_js: timeMs(() => fillKeyedNormal(noiseKey(rng), buf), 3),
  });
}

// A shipped-model training step's dropout masks: attention probabilities [4, 4, 128, 128] in each of 4
// blocks, hidden states [4, 128, 128] after the embeddings and twice per block — 1.64 M elements.
{
  const shapes = [...Array(4).fill([4, 4, 128, 128]), ...Array(9).fill([4, 128, 128])] as number[][];
  const masks = (make: (shape: number[], seed: number) => tf.Tensor) => () => tf.tidy(() => {
    for (const s of shapes) make(s, rng.nextUint32());
  });
  report('  a step\'s dropout masks, 1.64 M elements (ms)', {
    tf_ops: timeMs(masks((s, seed) => tf.div(tf.cast(tf.less(tf.randomUniform(s, 0, 1, 'float32', seed), 0.9), 'float32'), 0.9)), 3),
    dropoutMaskTensor: timeMs(masks((s, seed) => dropoutMaskTensor(s, 0.9, seed)), 3),
  });
}
