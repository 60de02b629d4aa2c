/**
 * Byte-level BPE training: hand-derived merges, agreement with a naive full-recount trainer,
 * vocabulary layout, determinism, lossless round trips, save/load.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BYTE_TO_CHAR,
  learnByteLevelBpe,
  loadTokenizer,
  splitGpt2,
  toByteLevel,
  trainByteLevelBpe,
  type Tokenizer,
} from '../../../src/io/tokenizer/index.js';
import { brownSentences } from './corpora.js';

const SPECIALS = ['<s>', '<pad>', '</s>', '<unk>', '<mask>'];
const BYTES_BY_CODE_POINT = [...BYTE_TO_CHAR].sort((a, b) => a.charCodeAt(0) - b.charCodeAt(0));
const corpus = () => brownSentences().slice(0, 5000);
let tok: Tokenizer;
const tmp = mkdtempSync(join(tmpdir(), 'tok-train-'));

beforeAll(() => {
  tok = trainByteLevelBpe(corpus(), { vocabSize: 1500, minFrequency: 2 });
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/**
 * Independent reference: recount every pair over the word table before each merge, take the most
 * frequent, ties to the smallest (left id, right id), merge left to right in every word.
 */
function naiveMerges(texts: string[], vocabSize: number, minFrequency: number): string[] {
  const tokens = [...SPECIALS, ...BYTES_BY_CODE_POINT];
  const id = new Map(tokens.map((t, i) => [t, i]));
  const counts = new Map<string, number>();
  for (const t of texts) for (const w of splitGpt2(t)) counts.set(toByteLevel(w), (counts.get(toByteLevel(w)) ?? 0) + 1);
  const words = [...counts].map(([w, c]) => ({ syms: [...w], c }));
  const merges: string[] = [];
  while (tokens.length < vocabSize) {
    const pairs = new Map<string, { a: string; b: string; n: number }>();
    for (const { syms, c } of words) {
      for (let i = 0; i + 1 < syms.length; i++) {
        const k = `${syms[i]}\u0000${syms[i + 1]}`;
        const p = pairs.get(k) ?? { a: syms[i], b: syms[i + 1], n: 0 };
        p.n += c;
        pairs.set(k, p);
      }
    }
    let best: { a: string; b: string; n: number } | undefined;
    for (const p of pairs.values()) {
      if (!best || p.n > best.n) best = p;
      else if (p.n === best.n) {
        const [pa, pb, ba, bb] = [id.get(p.a)!, id.get(p.b)!, id.get(best.a)!, id.get(best.b)!];
        if (pa < ba || (pa === ba && pb < bb)) best = p;
      }
    }
    if (!best || best.n < minFrequency) break;
    merges.push(`${best.a} ${best.b}`);
    const m = best.a + best.b;
    if (!id.has(m)) {
      id.set(m, tokens.length);
      tokens.push(m);
    }
    for (const w of words) {
      const next: string[] = [];
      for (let i = 0; i < w.syms.length; ) {
        if (i + 1 < w.syms.length && w.syms[i] === best.a && w.syms[i + 1] === best.b) {
          next.push(m);
          i += 2;
        } else next.push(w.syms[i++]);
      }
      w.syms = next;
    }
  }
  return merges;
}

describe('trainByteLevelBpe', () => {
  it('hand-derived merges: most frequent pair first, ties to the smallest ids', () => {
    // "abab": (a,b)×2 beats (b,a)×1; then the word is "ab ab" and (ab,ab) is the only pair.
    expect(learnByteLevelBpe(['abab'], { vocabSize: 263, minFrequency: 1 }).merges).toEqual([
      ['a', 'b'],
      ['ab', 'ab'],
    ]);
    // "xy yz" → words "xy", "Ġyz"; pairs (x,y), (Ġ,y), (y,z) once each. Ids follow code points
    // (x < y < z < Ġ=U+0120), so (x,y) then (y,z); then "Ġ yz" is the only pair left.
    const { merges, vocab } = learnByteLevelBpe(['xy yz'], { vocabSize: 264, minFrequency: 1 });
    expect(merges).toEqual([
      ['x', 'y'],
      ['y', 'z'],
      ['Ġ', 'yz'],
    ]);
    expect([vocab.get('xy'), vocab.get('yz'), vocab.get('Ġyz')]).toEqual([261, 262, 263]);
  });

  it('incremental pair counts give the same merges as a naive full recount', () => {
    const texts = brownSentences().slice(0, 400);
    const fast = learnByteLevelBpe(texts, { vocabSize: 261 + 300, minFrequency: 2 }).merges.map(([a, b]) => `${a} ${b}`);
    expect(fast).toEqual(naiveMerges(texts, 261 + 300, 2));
  });

  it('layout: RoBERTa specials at 0…4, the 256 bytes by code point, then merges; size respected', () => {
    expect(tok.vocabSize).toBe(1500);
    SPECIALS.forEach((s, i) => expect(tok.idToToken(i)).toBe(s));
    BYTES_BY_CODE_POINT.forEach((c, i) => expect(tok.idToToken(5 + i)).toBe(c));
    expect(tok.idToToken(5)).toBe('!');
    expect([tok.bosId, tok.padId, tok.eosId, tok.unkId, tok.maskId]).toEqual([0, 1, 2, 3, 4]);
  });

  it('is deterministic', () => {
    const a = learnByteLevelBpe(corpus(), { vocabSize: 800 });
    const b = learnByteLevelBpe(corpus(), { vocabSize: 800 });
    expect(b.merges).toEqual(a.merges);
    expect([...b.vocab]).toEqual([...a.vocab]);
  });

  it('encodes losslessly: decode(encode(x)) === x for arbitrary text', () => {
    const texts = [
      ...corpus().slice(0, 200),
      'unseen words: qzxjv Ωμέγα 日本語 🤗 \u0000\u0007 tabs\tand\r\nnewlines   ',
      String.fromCodePoint(...Array.from({ length: 300 }, (_, i) => (i * 7919) % 0xd000 + 1)),
      '',
    ];
    for (const t of texts) {
      const e = tok.encode(t);
      expect(e.ids[0]).toBe(0);
      expect(e.ids[e.ids.length - 1]).toBe(2);
      expect(tok.decode(e.ids, { skipSpecialTokens: true })).toBe(t);
    }
  });

  it('compresses its training text and keeps <mask> whole', () => {
    const text = corpus().slice(0, 500).join(' ');
    expect(tok.encode(text).ids.length).toBeLessThan(Buffer.byteLength(text) / 3);
    expect(tok.encode('The jury said <mask>.').ids).toContain(4);
  });

  it('minFrequency stops merging; too small a vocabulary and repeated specials are refused', () => {
    const none = trainByteLevelBpe(['a b c'], { vocabSize: 1000, minFrequency: 1000 });
    expect(none.vocabSize).toBe(261);
    expect(() => trainByteLevelBpe(['x'], { vocabSize: 100 })).toThrow('vocabSize 100 is smaller than the 261');
    expect(() => trainByteLevelBpe(['x'], { vocabSize: 300, specialTokens: ['<s>', '<s>'] })).toThrow('listed twice');
  });

  it('GPT-2 style specials: no template, <|endoftext|> at id 0', () => {
    const g = trainByteLevelBpe(corpus().slice(0, 200), { vocabSize: 400, specialTokens: ['<|endoftext|>'] });
    expect(g.eosId).toBe(0);
    expect(g.numSpecialTokens(true)).toBe(0);
    expect(g.idToToken(1)).toBe('!');
  });

  it('save → loadTokenizer gives the same ids (tokenizer.json and vocab.json + merges.txt)', () => {
    tok.save(join(tmp, 'full'));
    tok.save(join(tmp, 'slow'), { tokenizerJson: false });
    const vocabText = readFileSync(join(tmp, 'slow', 'vocab.json'), 'utf8');
    expect(vocabText.startsWith('{\n  "<s>": 0,\n  "<pad>": 1,\n  "</s>": 2,\n  "<unk>": 3,\n  "<mask>": 4,\n  "!": 5,')).toBe(true);
    expect(Object.keys(JSON.parse(vocabText))).toHaveLength(1500);
    const mergeLines = readFileSync(join(tmp, 'slow', 'merges.txt'), 'utf8').trimEnd().split('\n');
    expect(mergeLines[0]).toBe('#version: 0.2');
    expect(mergeLines.length - 1).toBe(1500 - 261);
    for (const dir of ['full', 'slow']) {
      const t = loadTokenizer(join(tmp, dir));
      expect(t.vocabSize).toBe(1500);
      for (const s of [...corpus().slice(0, 100), 'The jury said <mask>.']) expect(t.encode(s, 'pair text')).toEqual(tok.encode(s, 'pair text'));
      expect(t.maskId).toBe(4);
    }
  });
});
