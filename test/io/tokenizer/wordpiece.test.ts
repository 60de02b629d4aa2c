/**
 * BERT WordPiece on the hand-written vocabulary test/fixtures/tokenizers/bert-tiny/vocab.txt.
 * Every expected id is derived by hand from BERT's published algorithm; see the fixture README.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildWordPiece, loadTokenizer, parseVocabTxt } from '../../../src/io/tokenizer/index.js';
import { BERT_CASES, FIXTURES } from './corpora.js';

const vocabFile = join(FIXTURES, 'bert-tiny', 'vocab.txt');
const vocab = parseVocabTxt(readFileSync(vocabFile, 'utf8'), vocabFile);
const bert = loadTokenizer(join(FIXTURES, 'bert-tiny'));
const content = (text: string) => bert.encode(text, undefined, { addSpecialTokens: false }).ids;


describe('WordPiece (hand-made BERT vocabulary)', () => {
  it('vocab.txt: id = line number', () => {
    expect(vocab.size).toBe(29);
    expect(vocab.get('[PAD]')).toBe(0);
    expect(vocab.get('##ing')).toBe(28);
  });

  it.each(BERT_CASES)('%j → %j', (text, ids) => {
    expect(content(text)).toEqual(ids);
  });

  it('single: [CLS] A [SEP]; pair: [CLS] A [SEP] B [SEP] with type ids 0/1', () => {
    expect(bert.encode('UNaffable, hello!').ids).toEqual([2, 6, 7, 8, 10, 13, 12, 3]);
    const e = bert.encode('hello', 'world');
    expect(e.ids).toEqual([2, 13, 3, 14, 3]);
    expect(e.tokenTypeIds).toEqual([0, 0, 0, 1, 1]);
    expect(e.attentionMask).toEqual([1, 1, 1, 1, 1]);
  });

  it('special ids (BERT has no bos/eos: they alias cls/sep)', () => {
    expect([bert.padId, bert.unkId, bert.clsId, bert.sepId, bert.maskId]).toEqual([0, 1, 2, 3, 4]);
    expect([bert.bosId, bert.eosId]).toEqual([2, 3]);
    expect(bert.specialTokens.bos).toBeUndefined();
  });

  it('tokens', () => {
    expect(bert.tokenize('UNaffable, hello!')).toEqual(['un', '##aff', '##able', ',', 'hello', '!']);
  });

  it('decode joins ## pieces and drops the space before punctuation', () => {
    const ids = [2, 6, 7, 8, 10, 13, 12, 3];
    expect(bert.decode(ids)).toBe('[CLS] unaffable, hello! [SEP]');
    expect(bert.decode(ids, { skipSpecialTokens: true })).toBe('unaffable, hello!');
    expect(bert.decode([5, 23, 24], { cleanUpTokenizationSpaces: true })).toBe("the's");
  });

  it('do_lower_case false keeps case (and accents)', () => {
    const cased = buildWordPiece(vocab, { doLowerCase: false });
    expect(cased.encode('Hello hello', undefined, { addSpecialTokens: false }).ids).toEqual([1, 13]);
    expect(cased.encode('café', undefined, { addSpecialTokens: false }).ids).toEqual([1]);
  });

  it('words longer than maxInputCharsPerWord become [UNK]', () => {
    const short = buildWordPiece(vocab, { maxInputCharsPerWord: 5 });
    expect(short.encode('hello unaffable', undefined, { addSpecialTokens: false }).ids).toEqual([13, 1]);
    expect(content('a' + 'b'.repeat(100))).toEqual([1]); // 101 characters > 100
    expect(content('a' + 'b'.repeat(99)).length).toBe(100);
  });
});
