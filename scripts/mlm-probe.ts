/**
 * A short masked-LM probe of pre-training choices on one thread: a fresh RoBERTa of deep-roberta's
 * config (hidden 128, 4 heads, feed-forward 512, 130 positions, no dropout) with `layers` layers,
 * trained for `steps` steps of `batch` blocks on the shipped corpora's training text (deep-roberta's
 * tokenizer), seed 0, evaluated on the first 128 held-out blocks with the recipe's fixed 15 % masks
 * every quarter of the run. Prints loss, accuracy and wall time at each evaluation, so that two
 * probes run side by side compare at equal steps and at equal time.
 *
 *   node --import tsx scripts/mlm-probe.ts <layers> <steps> <normal|sinusoidal> <lr> <batch> <mask share> [rms]
 *   e.g. node --import tsx scripts/mlm-probe.ts 4 1000 normal 0.001 32 0.15
 *        node --import tsx scripts/mlm-probe.ts 4 1000 sinusoidal 0.001 32 0.4
 *
 * `rms`: the sinusoidal table's root-mean-square value (default 0.02, the recipe's initializer_range).
 */
import { loadTokenizer } from '../src/io/tokenizer/index.js';
import { createModel } from '../src/model/index.js';
import { initBackend, Rng } from '../src/tensor/index.js';
import { corpusTexts, DEEP_ROBERTA_RECIPE, makeBlocks, pretrainMlm, recipeConfig, sinusoidalPositions, type MlmTokenizer } from '../src/train/index.js';

const [layers, steps, positions, lr, batch, mask, rms = '0.02'] = process.argv.slice(2);
if (mask === undefined || !['normal', 'sinusoidal'].includes(positions)) {
  throw new Error('usage: mlm-probe.ts <layers> <steps> <normal|sinusoidal> <lr> <batch> <mask share> [rms]');
}
await initBackend('wasm');
const tok = loadTokenizer('models/deep-roberta') as unknown as MlmTokenizer;
const train = makeBlocks(tok, corpusTexts('train'), 128);
const held = makeBlocks(tok, corpusTexts('validation'), 128);
const config = recipeConfig({ ...DEEP_ROBERTA_RECIPE, numLayers: Number(layers), dropout: 0 }, tok);
const model = createModel(config, new Rng(0, 'pretrain/init'), { head: 'lm' });
if (positions === 'sinusoidal') model.params.set('embeddings.position_embeddings.weight', sinusoidalPositions(config.maxPositions, config.hiddenSize, Number(rms), config.padTokenId));
const t0 = performance.now();
const label = process.argv.slice(2).join(' ');
await pretrainMlm(model, tok, train, held, {
  steps: Number(steps), batchSize: Number(batch), lr: Number(lr), maskProbability: Number(mask), seed: 0,
  evalEvery: Math.max(1, Math.floor(Number(steps) / 4)), evalBlocks: 128, progress: 'none',
  onEval: (r) => console.log(`${label} | step ${r.step} loss ${r.loss.toFixed(3)} accuracy ${(r.accuracy * 100).toFixed(2)} % after ${((performance.now() - t0) / 1000).toFixed(0)} s`),
});
model.dispose();
