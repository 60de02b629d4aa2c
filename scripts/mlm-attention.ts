/**
 * Where an encoder's attention looks, on the masked-LM evaluation's held-out blocks (the first 32
 * validation blocks of 128 tokens, masks from seed 0, as the pre-training recipe evaluates): per layer
 * and head, the mean entropy of the attention distribution (uniform over 128 keys: ln 128 = 4.85 nats),
 * the mean largest weight, and the mean weight on the left neighbour, the token itself and the right
 * neighbour (uniform: 1/128 = 0.008 each). A model that predicts masked tokens from their neighbours
 * puts weight there; one whose heads stay near uniform sees only a bag of the block's tokens and its
 * position. The query and key projections are read through hooks on their Sites; the softmax is
 * recomputed here with the model's scale 1/√(head dim).
 *
 *   node --import tsx scripts/mlm-attention.ts [modelDir] [--checkpoint <dir>]   (default models/deep-roberta)
 *
 * With `--checkpoint`, the weights come from a pre-training checkpoint (`grasp-hil pretrain
 * --checkpoint <dir>`, of a model with modelDir's architecture and tokenizer): a run can be looked at
 * while it goes on.
 */
import { loadModel } from '../src/io/index.js';
import { loadTokenizer } from '../src/io/tokenizer/index.js';
import { initBackend, Rng, tf } from '../src/tensor/index.js';
import { corpusTexts, makeBlocks, maskBlocks, readCheckpointWeights, TINY_ROBERTA_RECIPE, type MlmTokenizer } from '../src/train/index.js';

const args = process.argv.slice(2);
const at = args.indexOf('--checkpoint');
const checkpoint = at >= 0 ? args.splice(at, 2)[1] : null;
const dir = args[0] ?? 'models/deep-roberta';
await initBackend('wasm');
const tok = loadTokenizer(dir) as unknown as MlmTokenizer;
const model = await loadModel(dir, { withHead: 'none' });
let source = dir;
if (checkpoint) {
  const { file, step, params } = await readCheckpointWeights(checkpoint);
  for (const name of model.params.names()) {
    const p = params.get(name);
    if (!p) throw new Error(`${file}: no tensor 'param/${name}'; is it a checkpoint of ${dir}'s architecture?`);
    model.params.set(name, tf.tensor(p.data, p.shape));
  }
  source = `${file} (step ${step})`;
}
const L = TINY_ROBERTA_RECIPE.seqLength;
const held = makeBlocks(tok, corpusTexts('validation'), L).slice(0, 32);
const batch = maskBlocks(held, tok, new Rng(TINY_ROBERTA_RECIPE.seed, 'mlm/eval-masks'));
const { numLayers, numHeads, hiddenSize } = model.config;
const dh = hiddenSize / numHeads;
const captured = new Map<string, tf.Tensor>();
const detach = [...model.sites.values()]
  .filter((s) => s.role === 'query' || s.role === 'key')
  .map((s) => s.attach('mlm-attention', (x, next) => {
    const y = next(x);
    captured.set(s.name, tf.keep(y.clone()));
    return y;
  }));
tf.tidy(() => { model.forward({ inputIds: tf.tensor2d(batch.inputIds, [batch.rows, L], 'int32') }); });
detach.forEach((d) => d());

console.log(`${source}: attention on ${batch.rows} held-out blocks of ${L} tokens (uniform: entropy ${Math.log(L).toFixed(2)} nats, weight ${(1 / L).toFixed(3)} per key)`);
console.log('layer head  entropy  largest  left   self   right');
for (let layer = 0; layer < numLayers; layer++) {
  const get = (role: string) => {
    const t = captured.get(`encoder.layer.${layer}.attention.self.${role}`);
    if (!t) throw new Error(`no ${role} output captured for layer ${layer}`);
    return t;
  };
  const stats = tf.tidy(() => {
    const heads = (t: tf.Tensor) => tf.transpose(tf.reshape(t, [batch.rows, L, numHeads, dh]), [0, 2, 1, 3]);
    const p = tf.softmax(tf.mul(tf.matMul(heads(get('query')) as tf.Tensor4D, heads(get('key')) as tf.Tensor4D, false, true), 1 / Math.sqrt(dh)));
    const entropy = tf.mean(tf.neg(tf.sum(tf.mul(p, tf.log(tf.add(p, 1e-12))), -1)), [0, 2]);
    const largest = tf.mean(tf.max(p, -1), [0, 2]);
    const diag = (offset: number) => {
      const rows = Array.from({ length: L }, (_, i) => i).filter((i) => i + offset >= 0 && i + offset < L);
      const sel = tf.tensor2d(rows.flatMap((i) => Array.from({ length: L }, (_, j) => (j === i + offset ? 1 : 0))), [rows.length, L]);
      const picked = tf.gather(p, tf.tensor1d(rows, 'int32'), 2);
      return tf.div(tf.sum(tf.mul(picked, sel), [0, 2, 3]), batch.rows * rows.length);
    };
    return [entropy, largest, diag(-1), diag(0), diag(1)].map((t) => Array.from(t.dataSync()));
  });
  for (let h = 0; h < numHeads; h++) {
    console.log(`${String(layer).padStart(5)} ${String(h).padStart(4)}  ${stats[0][h].toFixed(2).padStart(7)}  ${stats[1][h].toFixed(3).padStart(7)}  ${stats[2][h].toFixed(3)}  ${stats[3][h].toFixed(3)}  ${stats[4][h].toFixed(3)}`);
  }
}
tf.dispose([...captured.values()]);
model.dispose();
