/**
 * Batches: padding, truncation (Hugging Face longest_first / only_first / only_second), pairs and
 * attention masks, on the hand-made BERT and RoBERTa fixtures.
 */
import { mkdtempSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTokenizer } from '../../../src/io/tokenizer/index.js';
import { truncateIds } from '../../../src/io/tokenizer/truncate.js';
import { FIXTURES } from './corpora.js';

const bert = loadTokenizer(join(FIXTURES, 'bert-tiny')); // the=5 hello=13 world=14 !=12 [CLS]=2 [SEP]=3 [PAD]=0
const roberta = loadTokenizer(join(FIXTURES, 'roberta-tiny'));
const words = (w: string, n: number) => new Array(n).fill(w).join(' ');

describe('encodeBatch', () => {
  it("padding 'longest' pads on the right with padId, mask 0, type 0", () => {
    expect(bert.encodeBatch(['hello', 'hello world !'], { padding: 'longest' })).toEqual({
      inputIds: [
        [2, 13, 3, 0, 0],
        [2, 13, 14, 12, 3],
      ],
      attentionMask: [
        [1, 1, 1, 0, 0],
        [1, 1, 1, 1, 1],
      ],
      tokenTypeIds: [
        [0, 0, 0, 0, 0],
        [0, 0, 0, 0, 0],
      ],
    });
    expect(bert.encodeBatch(['hello'], { padding: true }).inputIds).toEqual([[2, 13, 3]]);
  });

  it("padding 'max_length' and no padding", () => {
    const b = bert.encodeBatch(['hello', 'hello world !'], { padding: 'max_length', maxLength: 7 });
    expect(b.inputIds).toEqual([
      [2, 13, 3, 0, 0, 0, 0],
      [2, 13, 14, 12, 3, 0, 0],
    ]);
    expect(b.attentionMask[1]).toEqual([1, 1, 1, 1, 1, 0, 0]);
    expect(bert.encodeBatch(['hello', 'hello world !']).inputIds.map((r) => r.length)).toEqual([3, 5]);
  });

  it('truncation keeps room for the special tokens', () => {
    expect(bert.encodeBatch(['hello world !'], { truncation: true, maxLength: 4 }).inputIds).toEqual([[2, 13, 14, 3]]);
    expect(bert.encode('hello world !', undefined, { truncation: true, maxLength: 4 }).ids).toEqual([2, 13, 14, 3]);
    expect(roberta.encodeBatch(['Hello world.'], { truncation: 'longest_first', maxLength: 3 }).inputIds).toEqual([[0, 34, 2]]);
  });

  it('pairs: longest_first cuts the longer text first, type ids follow, padding after', () => {
    // contents 4 + 8 with room for 7 (maxLength 10 − 3 specials) → 3 + 4 (HF tokenizers' rule)
    const b = bert.encodeBatch([[words('the', 4), words('hello', 8)], ['hello', 'world']], {
      truncation: true,
      maxLength: 10,
      padding: 'longest',
    });
    expect(b.inputIds).toEqual([
      [2, 5, 5, 5, 3, 13, 13, 13, 13, 3],
      [2, 13, 3, 14, 3, 0, 0, 0, 0, 0],
    ]);
    expect(b.tokenTypeIds).toEqual([
      [0, 0, 0, 0, 0, 1, 1, 1, 1, 1],
      [0, 0, 0, 1, 1, 0, 0, 0, 0, 0],
    ]);
    expect(b.attentionMask[1]).toEqual([1, 1, 1, 1, 1, 0, 0, 0, 0, 0]);
  });

  it('RoBERTa pairs pad with <pad>=1 and keep every type id 0', () => {
    const b = roberta.encodeBatch([['Hello world.', 'the cat'], ['Hello', 'the']], { padding: 'longest' });
    expect(b.inputIds).toEqual([
      [0, 34, 29, 16, 2, 2, 14, 21, 32, 2],
      [0, 34, 2, 2, 14, 21, 2, 1, 1, 1],
    ]);
    expect(b.tokenTypeIds.flat().every((t) => t === 0)).toBe(true);
    expect(b.attentionMask[1]).toEqual([1, 1, 1, 1, 1, 1, 1, 0, 0, 0]);
  });

  it('only_first and only_second cut only the named text', () => {
    expect(bert.encode(words('the', 4), 'hello hello', { truncation: 'only_first', maxLength: 7 }).ids).toEqual([2, 5, 5, 3, 13, 13, 3]);
    expect(bert.encode('the', words('hello', 4), { truncation: 'only_second', maxLength: 6 }).ids).toEqual([2, 5, 3, 13, 13, 3]);
  });

  it('refuses impossible truncations and padding without a length', () => {
    expect(() => bert.encode('the', words('hello', 4), { truncation: 'only_first', maxLength: 5 })).toThrow(
      "truncation 'only_first': the sequence to truncate has 1 tokens but 3 must be removed",
    );
    expect(() => bert.encode('the the', undefined, { truncation: 'only_second', maxLength: 3 })).toThrow('needs a pair');
    expect(() => bert.encode('the', 'the', { truncation: true, maxLength: 2 })).toThrow('leaves no room');
    expect(() => bert.encodeBatch(['the'], { padding: 'max_length' })).toThrow("padding 'max_length' needs maxLength");
    expect(() => bert.encodeBatch(['the'], { truncation: 'bogus' as never, maxLength: 3 })).toThrow('option truncation');
    expect(() => bert.encodeBatch(['the'], { padding: 'left' as never })).toThrow('option padding');
    expect(() => bert.encode('the', undefined, { maxLength: -1, truncation: true })).toThrow('option maxLength');
  });

  it('model_max_length from tokenizer_config.json is the default limit', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tok-batch-'));
    try {
      copyFileSync(join(FIXTURES, 'bert-tiny', 'vocab.txt'), join(dir, 'vocab.txt'));
      writeFileSync(join(dir, 'tokenizer_config.json'), JSON.stringify({ model_max_length: 4, do_lower_case: true }));
      const t = loadTokenizer(dir);
      expect(t.modelMaxLength).toBe(4);
      expect(t.encodeBatch(['hello world !'], { truncation: true }).inputIds).toEqual([[2, 13, 14, 3]]);
      expect(t.encodeBatch(['hello'], { padding: 'max_length' }).inputIds).toEqual([[2, 13, 3, 0]]);
      expect(t.encode('hello world !').ids).toHaveLength(5); // encode does not truncate unless asked
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('truncateIds longest_first', () => {
  // Golden table from Hugging Face tokenizers' own unit test (utils/truncation.rs,
  // truncate_encodings_longest_first): content limit 7, lengths 0/2/4/8.
  const table: Array<[number, number, number, number]> = [
    [0, 0, 0, 0], [0, 2, 0, 2], [0, 4, 0, 4], [0, 8, 0, 7],
    [2, 0, 2, 0], [2, 2, 2, 2], [2, 4, 2, 4], [2, 8, 2, 5],
    [4, 0, 4, 0], [4, 2, 4, 2], [4, 4, 3, 4], [4, 8, 3, 4],
    [8, 0, 7, 0], [8, 2, 5, 2], [8, 4, 4, 3], [8, 8, 3, 4],
  ];
  it.each(table)('(%i, %i) → (%i, %i)', (n1, n2, e1, e2) => {
    const [a, b] = truncateIds(new Array(n1).fill(1), new Array(n2).fill(2), 7, 'longest_first');
    expect([a.length, b!.length]).toEqual([e1, e2]);
  });
  it('keeps the left end of each text', () => {
    expect(truncateIds([1, 2, 3, 4], [5, 6, 7, 8, 9], 5, 'longest_first')).toEqual([
      [1, 2],
      [5, 6, 7],
    ]);
  });
});
