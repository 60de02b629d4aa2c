/**
 * Reference points for the masked-LM accuracy of the shipped encoders, on the same held-out evaluation
 * the pre-training recipe reports (the first 256 validation blocks of 128 tokens, masks from seed 0):
 *
 *   unigram      always predict the most frequent training token; cross-entropy of the training
 *                unigram distribution (unseen tokens counted ½)
 *   left bigram  predict the most frequent training successor of the token to the left (the unigram
 *                answer when the left token is itself masked or unseen); cross-entropy of
 *                ½·p_bigram(token | left) + ½·p_unigram(token) (Jelinek–Mercer, λ = ½)
 *   both sides   predict the most frequent training token between the left and the right token (the
 *                left-bigram answer when that pair was never seen in training): what a model that
 *                looks at its two neighbours reaches without any further context
 *
 * With a model folder as the second argument, also the model's masked-LM loss and accuracy on the same
 * held-out blocks and on 256 training blocks spread evenly over the training set (same masking stream):
 * a model whose training loss is as high as its held-out loss is under-trained, not short of data.
 *
 *   node --import tsx scripts/mlm-baselines.ts [tokenizerDir] [modelDir]
 *     (default models/tiny-roberta's tokenizer; e.g. models/deep-roberta models/deep-roberta)
 */
import { loadTokenizer } from '../src/io/tokenizer/index.js';
import { Rng } from '../src/tensor/index.js';
import { loadModel } from '../src/io/index.js';
import { initBackend } from '../src/tensor/index.js';
import { corpusTexts, makeBlocks, maskBlocks, TINY_ROBERTA_RECIPE, type MlmTokenizer } from '../src/train/index.js';
import { evaluateMlm } from '../src/train/mlm.js';

const dir = process.argv[2] ?? 'models/tiny-roberta';
const modelDir = process.argv[3];
const tok = loadTokenizer(dir) as unknown as MlmTokenizer;
const L = TINY_ROBERTA_RECIPE.seqLength;
const train = makeBlocks(tok, corpusTexts('train'), L);
const held = makeBlocks(tok, corpusTexts('validation'), L).slice(0, 256);

const unigram = new Map<number, number>();
const successors = new Map<number, Map<number, number>>();
const between = new Map<number, Map<number, number>>();
const bump = (m: Map<number, number>, k: number) => m.set(k, (m.get(k) ?? 0) + 1);
for (const b of train) {
  for (let i = 1; i < b.length - 1; i++) {
    bump(unigram, b[i]);
    const m = successors.get(b[i - 1]) ?? new Map<number, number>();
    bump(m, b[i]);
    successors.set(b[i - 1], m);
    const key = b[i - 1] * 65536 + b[i + 1];
    const around = between.get(key) ?? new Map<number, number>();
    bump(around, b[i]);
    between.set(key, around);
  }
}
const argmax = (m: Map<number, number>) => [...m.entries()].reduce((a, b) => (b[1] > a[1] ? b : a))[0];
const top = argmax(unigram);
const next = new Map([...successors.entries()].map(([k, m]) => [k, argmax(m)]));

// The evaluation's masks: one stream over the blocks in batches, as evaluateMlm draws them.
const rng = new Rng(TINY_ROBERTA_RECIPE.seed, 'mlm/eval-masks');
let total = 0;
for (const c of unigram.values()) total += c;
const pUni = (t: number) => (unigram.get(t) ?? 0.5) / total;
const pBi = (left: number, t: number) => {
  const m = successors.get(left);
  if (!m) return pUni(t);
  let c = 0;
  for (const v of m.values()) c += v;
  return 0.5 * (m.get(t) ?? 0) / c + 0.5 * pUni(t);
};
let n = 0, uni = 0, bi = 0, both = 0, ceUni = 0, ceBi = 0;
for (let s = 0; s < held.length; s += 32) {
  const batch = maskBlocks(held.slice(s, s + 32), tok, rng);
  batch.positions.forEach((p, j) => {
    const label = batch.labels[j];
    n++;
    if (label === top) uni++;
    const leftGuess = next.get(batch.inputIds[p - 1]) ?? top;
    if (leftGuess === label) bi++;
    const around = between.get(batch.inputIds[p - 1] * 65536 + batch.inputIds[p + 1]);
    if ((around ? argmax(around) : leftGuess) === label) both++;
    ceUni -= Math.log(pUni(label));
    ceBi -= Math.log(pBi(batch.inputIds[p - 1], label));
  });
}
const pct = (x: number) => `${(100 * x).toFixed(2)} %`;
console.log(`${n} held-out masked tokens: unigram ${pct(uni / n)}, ${(ceUni / n).toFixed(3)} nats; left bigram ${pct(bi / n)}, ${(ceBi / n).toFixed(3)} nats; both sides ${pct(both / n)}`);

if (modelDir) {
  await initBackend('wasm');
  const model = await loadModel(modelDir, { withHead: 'lm' });
  const spread = Array.from({ length: 256 }, (_, i) => train[Math.floor((i * train.length) / 256)]);
  for (const [name, blocks] of [['held-out', held], ['training', spread]] as const) {
    const e = evaluateMlm(model, tok, blocks, 32, TINY_ROBERTA_RECIPE.seed);
    console.log(`${modelDir} on ${blocks.length} ${name} blocks: ${pct(e.accuracy)}, ${e.loss.toFixed(3)} nats (${e.maskedTokens} masked tokens)`);
  }
}
