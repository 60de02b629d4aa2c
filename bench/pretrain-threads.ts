/**
 * bench/pretrain-threads: masked-LM pre-training throughput of the deep-roberta recipe's model (8 layers,
 * hidden 128, batch 32 × 128 tokens, no dropout) on 1 thread and on 2 threads (2 micro-batches, exact
 * gradient averaging, src/train/pretrain-team.ts), in one run. Each case trains a fresh model for
 * `--steps` steps on the first Brown training documents; the mean step time skips the first 2 steps.
 *
 *   node --import tsx bench/pretrain-threads.ts [--backend wasm] [--steps 8]
 */
import { loadTokenizer } from '../src/io/tokenizer/index.js';
import { createModel } from '../src/model/index.js';
import { initBackend, Rng } from '../src/tensor/index.js';
import { corpusTexts, DEEP_ROBERTA_RECIPE as R, makeBlocks, pretrainMlm, recipeConfig, type MlmTokenizer } from '../src/train/index.js';
import { flagReader } from './util.js';

const arg = flagReader(['backend', 'steps']);
await initBackend(arg('backend', 'wasm'));
const steps = Number(arg('steps', '8'));
const tok = loadTokenizer('models/tiny-roberta') as unknown as MlmTokenizer;
const blocks = makeBlocks(tok, corpusTexts('train').slice(0, 200), R.seqLength);
const config = recipeConfig(R, tok);
const rates: Record<string, number> = {};
for (const workers of [1, 2]) {
  const model = createModel(config, new Rng(0), { head: 'lm' });
  const times: number[] = [];
  let t = performance.now();
  await pretrainMlm(model, tok, blocks, blocks.slice(0, 32), {
    steps, batchSize: R.batchSize, lr: R.lr, progress: 'none', microBatches: 2, workers,
    onStep: () => { const now = performance.now(); times.push(now - t); t = now; },
  });
  model.dispose();
  const ms = times.slice(2, -1).reduce((a, b) => a + b, 0) / (times.length - 3); // the last step also evaluates
  rates[workers] = (R.batchSize * R.seqLength) / (ms / 1000);
  console.log(`${workers} thread${workers > 1 ? 's' : ''}: ${ms.toFixed(0)} ms/step, ${rates[workers].toFixed(0)} tokens/s`);
}
console.log(`2 threads / 1 thread: ${(rates[2] / rates[1]).toFixed(2)}×`);
