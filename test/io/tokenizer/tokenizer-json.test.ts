/**
 * tokenizer.json: hand-written fixtures must give the same ids as the file-based loaders, and
 * unsupported components fail with the file, the JSON path and the supported list.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTokenizer, parseTokenizerJson, TokenizerError } from '../../../src/io/tokenizer/index.js';
import { BERT_CASES, FIXTURES } from './corpora.js';

const readFixture = (dir: string) => JSON.parse(readFileSync(join(FIXTURES, dir, 'tokenizer.json'), 'utf8'));

describe('tokenizer.json', () => {
  it('WordPiece fixture = vocab.txt loader', () => {
    const a = loadTokenizer(join(FIXTURES, 'bert-tiny'));
    const b = loadTokenizer(join(FIXTURES, 'bert-tiny-json'));
    for (const [text] of BERT_CASES) {
      expect(b.encode(text)).toEqual(a.encode(text));
      expect(b.encode(text, 'hello world')).toEqual(a.encode(text, 'hello world'));
    }
    expect([b.padId, b.unkId, b.clsId, b.sepId, b.maskId]).toEqual([0, 1, 2, 3, 4]);
    expect(b.decode([2, 6, 7, 8, 10, 13, 12, 3])).toBe('[CLS] unaffable, hello! [SEP]');
  });

  it('BPE fixture = vocab.json + merges.txt loader', () => {
    const a = loadTokenizer(join(FIXTURES, 'roberta-tiny'));
    const b = loadTokenizer(join(FIXTURES, 'roberta-tiny-json'));
    for (const t of ['Hello world.', 'the cat sat.', 'the cat <mask>.', 'Hello!! the world']) {
      expect(b.encode(t)).toEqual(a.encode(t));
      expect(b.encode(t, 'the cat')).toEqual(a.encode(t, 'the cat'));
    }
  });

  it('normalizer and pre-tokenizer Sequences, Lowercase/NFD/StripAccents and BertProcessing', () => {
    const json = readFixture('bert-tiny-json');
    json.normalizer = { type: 'Sequence', normalizers: [{ type: 'NFD' }, { type: 'Lowercase' }, { type: 'StripAccents' }] };
    json.pre_tokenizer = { type: 'Sequence', pretokenizers: [{ type: 'WhitespaceSplit' }, { type: 'BertPreTokenizer' }] };
    json.post_processor = { type: 'BertProcessing', sep: ['[SEP]', 3], cls: ['[CLS]', 2] };
    const t = parseTokenizerJson(json);
    expect(t.encode('UNaffable, Café!', 'hello')).toEqual({
      ids: [2, 6, 7, 8, 10, 20, 12, 3, 13, 3],
      tokenTypeIds: [0, 0, 0, 0, 0, 0, 0, 0, 1, 1],
      attentionMask: new Array(10).fill(1),
    });
  });

  it('save writes a tokenizer.json that reloads to the same tokenizer', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tok-json-'));
    try {
      const cases: Array<[string, string]> = [
        ['bert-tiny-json', 'UNaffable, hello [MASK]!'],
        ['roberta-tiny-json', 'Hello world. the cat <mask>.'],
      ];
      for (const [fixture, text] of cases) {
        const t = loadTokenizer(join(FIXTURES, fixture));
        t.save(join(dir, fixture));
        const again = parseTokenizerJson(JSON.parse(readFileSync(join(dir, fixture, 'tokenizer.json'), 'utf8')));
        expect(again.encode(text, text)).toEqual(t.encode(text, text));
        expect(again.specialIds).toEqual(t.specialIds);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  const bad: Array<[string, (j: Record<string, any>) => void, string]> = [
    [
      'pre_tokenizer Metaspace',
      (j) => (j.pre_tokenizer = { type: 'Metaspace', replacement: '▁' }),
      "tokenizer.json: pre_tokenizer.type 'Metaspace' is not supported; supported: 'ByteLevel', 'BertPreTokenizer', 'Whitespace', 'WhitespaceSplit', 'Sequence'",
    ],
    [
      'nested normalizer',
      (j) => (j.normalizer = { type: 'Sequence', normalizers: [{ type: 'NFD' }, { type: 'Precompiled' }] }),
      "tokenizer.json: normalizer.normalizers[1].type 'Precompiled' is not supported",
    ],
    ['model Unigram', (j) => (j.model = { type: 'Unigram', vocab: [] }), "tokenizer.json: model.type 'Unigram' is not supported; supported: 'BPE', 'WordPiece'"],
    ['decoder Metaspace', (j) => (j.decoder = { type: 'Metaspace' }), "tokenizer.json: decoder.type 'Metaspace' is not supported; supported: 'ByteLevel', 'WordPiece'"],
    [
      'post_processor without type',
      (j) => (j.post_processor = { single: [] }),
      'tokenizer.json: post_processor.type is missing or not a string',
    ],
    [
      'template naming an undeclared special token',
      (j) => (j.post_processor.single[0].SpecialToken.id = '[BOS]'),
      'tokenizer.json: post_processor.single[0].SpecialToken.id refers to special token "[BOS]"',
    ],
  ];
  it.each(bad)('%s is rejected with its JSON path', (_name, edit, message) => {
    const json = readFixture('bert-tiny-json');
    edit(json);
    expect(() => parseTokenizerJson(json)).toThrow(TokenizerError);
    expect(() => parseTokenizerJson(json)).toThrow(message);
  });

  it('BPE dropout and byte fallback are refused', () => {
    const json = readFixture('roberta-tiny-json');
    json.model.dropout = 0.1;
    expect(() => parseTokenizerJson(json)).toThrow('tokenizer.json: model.dropout = 0.1 is not supported');
    json.model.dropout = null;
    json.model.byte_fallback = true;
    expect(() => parseTokenizerJson(json)).toThrow('model.byte_fallback');
  });
});
