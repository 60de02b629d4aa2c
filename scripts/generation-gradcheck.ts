/**
 * Are the gradients the generation trainer follows right? For one method on models/tiny-gpt2 (or
 * $MODEL), the causal-LM loss of 8 brown-d2t training pairs (target tokens only, no dropout) is
 * differentiated by the trainer's own code (tf.variableGrads through `clmLoss`), and for every
 * trainable variable the directional derivative along its normalised gradient, |g|, is compared with
 * the central difference (L(θ + εĝ) − L(θ − εĝ)) / 2ε, ε = 10⁻² (float32). A ratio of 1 means the
 * backward pass (custom linear, attention and gather gradients) matches the forward pass.
 *
 *   node --import tsx scripts/generation-gradcheck.ts [method] ['<options JSON>']
 *   node --import tsx scripts/generation-gradcheck.ts top-k '{"k":2}'
 *   node --import tsx scripts/generation-gradcheck.ts lora '{"rank":8,"alpha":16,"dropout":0,"sites":"all-linear","trainableTokens":[4,5,6]}'
 *
 * LoRA's B starts at 0, so its A has no gradient at initialisation (printed as such).
 */
import { attachMethod, clmLoss, encodePairs, promptTargetBatch, Rng, seededSubset, tf } from '../src/internal.js';
import { DEFAULT_DECODER, loadDecoderAndD2t } from './d2t-decoder.js';

const [method = 'top-k', opts = '{"k":2}'] = process.argv.slice(2);
const { model, tok, task } = await loadDecoderAndD2t(process.env.MODEL ?? DEFAULT_DECODER);
const pairs = encodePairs(tok, seededSubset(task.load({}).train, 8, 'brown-d2t/train'), 96).slice(0, 8);
const batch = promptTargetBatch(pairs, tok.eosId!);
const adapter = attachMethod(model, method, JSON.parse(opts), new Rng(0, 'adapter'));
adapter.setMode({ kind: 'eval' });
const loss = () => tf.tidy(() => clmLoss(model, batch, false).dataSync()[0]);
const vars = adapter.trainable();
const { grads } = tf.variableGrads(() => clmLoss(model, batch, false), vars.map((t) => t.variable));
const eps = 1e-2;
let worst = 0;
for (const { key, variable: v } of vars) {
  const g = grads[v.name];
  const norm = Math.sqrt(tf.tidy(() => tf.sum(tf.square(g)).dataSync()[0]));
  if (norm === 0) {
    console.log(`${key.padEnd(48)} gradient 0`);
    continue;
  }
  const start = tf.keep(tf.clone(v));
  const at = (sign: number) => {
    tf.tidy(() => v.assign(tf.add(start, tf.mul(g, (sign * eps) / norm))));
    return loss();
  };
  const fd = (at(1) - at(-1)) / (2 * eps);
  v.assign(start);
  start.dispose();
  worst = Math.max(worst, Math.abs(fd / norm - 1));
  console.log(`${key.padEnd(48)} |g| ${norm.toExponential(3)}  central difference ${fd.toExponential(3)}  ratio ${(fd / norm).toFixed(4)}`);
}
console.log(`${method}: largest |ratio − 1| over ${vars.length} variables: ${worst.toFixed(4)}`);
