/**
 * RoBERTa layout on the hand-written fixture test/fixtures/tokenizers/roberta-tiny (expected ids
 * derived by hand in its README).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTokenizer, parseTokenizerJson } from '../../../src/io/tokenizer/index.js';
import { FIXTURES } from './corpora.js';

const slow = loadTokenizer(join(FIXTURES, 'roberta-tiny'));
const fast = loadTokenizer(join(FIXTURES, 'roberta-tiny-json'));

describe('RoBERTa byte-level BPE (hand-made fixture)', () => {
  for (const [name, tok] of [['vocab.json + merges.txt', slow], ['tokenizer.json', fast]] as const) {
    describe(name, () => {
      it('single: <s> A </s>', () => {
        expect(tok.encode('Hello world.').ids).toEqual([0, 34, 29, 16, 2]);
        expect(tok.encode('the cat sat.', undefined, { addSpecialTokens: false }).ids).toEqual([14, 21, 32, 4, 13, 31, 16]);
      });

      it('pair: <s> A </s></s> B </s>, all token types 0', () => {
        const e = tok.encode('Hello world.', 'the cat');
        expect(e.ids).toEqual([0, 34, 29, 16, 2, 2, 14, 21, 32, 2]);
        expect(e.tokenTypeIds).toEqual(new Array(10).fill(0));
        expect(e.attentionMask).toEqual(new Array(10).fill(1));
        expect(tok.numSpecialTokens(false)).toBe(2);
        expect(tok.numSpecialTokens(true)).toBe(4);
      });

      it('<mask> in text is one token and absorbs the space before it', () => {
        expect(tok.encode('the cat <mask>.').ids).toEqual([0, 14, 21, 32, 35, 16, 2]);
        expect(tok.tokenize('the cat <mask>.')).toEqual(['t', 'he', 'Ġcat', '<mask>', '.']);
      });

      it('special ids', () => {
        expect([tok.bosId, tok.clsId, tok.padId, tok.eosId, tok.sepId, tok.unkId, tok.maskId]).toEqual([0, 0, 1, 2, 2, 3, 35]);
        expect(tok.vocabSize).toBe(36);
        expect(tok.specialTokens).toMatchObject({ bos: '<s>', pad: '<pad>', eos: '</s>', unk: '<unk>', mask: '<mask>' });
      });

      it('decode keeps or skips specials', () => {
        expect(tok.decode([0, 34, 29, 16, 2])).toBe('<s>Hello world.</s>');
        expect(tok.decode([0, 34, 29, 16, 2, 1, 1], { skipSpecialTokens: true })).toBe('Hello world.');
      });

      it('characters missing from the vocabulary: <unk> when the model names one, else a clear error', () => {
        // vocab.json + merges.txt follow transformers' slow RobertaTokenizer (unknown → unk_token);
        // this tokenizer.json has model.unk_token null, where HF would silently drop the character.
        if (tok === slow) expect(tok.encode('zz', undefined, { addSpecialTokens: false }).ids).toEqual([3, 3]);
        else expect(() => tok.encode('zz')).toThrow('symbol "z" (in "zz") is not in the vocabulary and the model has no unk_token');
      });
    });
  }

  it('merges written as "a b" strings in tokenizer.json load the same', () => {
    const json = JSON.parse(readFileSync(join(FIXTURES, 'roberta-tiny-json', 'tokenizer.json'), 'utf8'));
    json.model.merges = json.model.merges.map((m: string[]) => m.join(' '));
    expect(parseTokenizerJson(json).encode('Hello world.').ids).toEqual([0, 34, 29, 16, 2]);
  });
});
