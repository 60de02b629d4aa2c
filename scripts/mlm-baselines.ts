/**
 * Reference points for the masked-LM accuracy of the shipped encoders, on the same held-out evaluation
 * the pre-training recipe reports (the first 256 validation blocks of 128 tokens, masks from seed 0):
 *
 *   unigram      always predict the most frequent training token
 *   left bigram  predict the most frequent training successor of the token to the left (the unigram
 *                answer when the left token is itself masked or unseen)
 *
 *   node --import tsx scripts/mlm-baselines.ts [modelDir]     (default models/tiny-roberta's tokenizer)
 */
import { loadTokenizer } from '../src/io/tokenizer/index.js';
import { Rng } from '../src/tensor/index.js';
import { corpusTexts, makeBlocks, maskBlocks, TINY_ROBERTA_RECIPE, type MlmTokenizer } from '../src/train/index.js';

const dir = process.argv[2] ?? 'models/tiny-roberta';
const tok = loadTokenizer(dir) as unknown as MlmTokenizer;
const L = TINY_ROBERTA_RECIPE.seqLength;
const train = makeBlocks(tok, corpusTexts('train'), L);
const held = makeBlocks(tok, corpusTexts('validation'), L).slice(0, 256);

const unigram = new Map<number, number>();
const successors = new Map<number, Map<number, number>>();
const bump = (m: Map<number, number>, k: number) => m.set(k, (m.get(k) ?? 0) + 1);
for (const b of train) {
  for (let i = 1; i < b.length - 1; i++) {
    bump(unigram, b[i]);
    const m = successors.get(b[i - 1]) ?? new Map<number, number>();
    bump(m, b[i]);
    successors.set(b[i - 1], m);
  }
}
const argmax = (m: Map<number, number>) => [...m.entries()].reduce((a, b) => (b[1] > a[1] ? b : a))[0];
const top = argmax(unigram);
const next = new Map([...successors.entries()].map(([k, m]) => [k, argmax(m)]));

// The evaluation's masks: one stream over the blocks in batches, as evaluateMlm draws them.
const rng = new Rng(TINY_ROBERTA_RECIPE.seed, 'mlm/eval-masks');
let n = 0, uni = 0, bi = 0;
for (let s = 0; s < held.length; s += 32) {
  const batch = maskBlocks(held.slice(s, s + 32), tok, rng);
  batch.positions.forEach((p, j) => {
    const label = batch.labels[j];
    n++;
    if (label === top) uni++;
    if ((next.get(batch.inputIds[p - 1]) ?? top) === label) bi++;
  });
}
console.log(`${n} masked tokens: unigram ${(100 * uni / n).toFixed(2)} %, left bigram ${(100 * bi / n).toFixed(2)} %`);
