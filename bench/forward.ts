/**
 * bench/forward: tokens/s of an evaluation forward pass of a roberta-base-shaped encoder (random
 * weights, seq 128, batch 16) and the fraction of a plain matMul's GFLOP/s it achieves (measured in
 * the same run on the layer's own 2048×768·768×3072 shape). Target ≥ 50 %.
 *
 *   node --import tsx bench/forward.ts [--backend wasm] [--layers 12]
 */
import { createModel, parseConfig } from '../src/model/index.js';
import { initBackend, Rng, tf } from '../src/tensor/index.js';
import { flagReader, gflops, report, sync, timeMs } from './util.js';

const flag = flagReader(['backend', 'layers']);
const info = await initBackend(flag('backend', 'wasm'));
const layers = Number(flag('layers', '12'));
const [B, L, H, F] = [16, 128, 768, 3072];
const config = parseConfig({
  model_type: 'roberta', vocab_size: 50265, hidden_size: H, num_hidden_layers: layers, num_attention_heads: 12,
  intermediate_size: F, max_position_embeddings: 514, type_vocab_size: 1, pad_token_id: 1, layer_norm_eps: 1e-5,
}, 'roberta-base (random)');
const model = createModel(config, new Rng(0, 'bench/forward'));
const rng = new Rng(1, 'bench/forward/ids');
const ids = tf.tensor2d(Int32Array.from({ length: B * L }, () => 3 + rng.int(50000)), [B, L], 'int32');
const mask = tf.ones([B, L]) as tf.Tensor2D;

const N = B * L;
const flopsPerLayer = 4 * 2 * N * H * H + 2 * 2 * N * H * F + 2 * 2 * B * L * L * H;
const flops = layers * flopsPerLayer;
const fwd = timeMs(() => sync(() => model.forward({ inputIds: ids, attentionMask: mask })), 3, 1);

const a = tf.randomNormal([N, H], 0, 1, 'float32', 1) as tf.Tensor2D;
const w = tf.randomNormal([H, F], 0, 1, 'float32', 2) as tf.Tensor2D;
const plain = timeMs(() => sync(() => tf.matMul(a, w)), 5, 1);

const modelG = gflops(flops, fwd);
const plainG = gflops(2 * N * H * F, plain);
report(`forward roberta-base-shaped (${layers} layers, batch ${B}, seq ${L}) on ${info.name}`, {
  ms: fwd,
  tokens_per_s: (N / fwd) * 1000,
  model_gflops: modelG,
  plain_matmul_gflops: plainG,
  fraction_of_plain: modelG / plainG,
});
model.dispose();
