/**
 * Byte-level BPE training (Sennrich et al. 2016, as in Hugging Face `ByteLevelBPETokenizer.train`).
 *
 *   count   pre-tokenize every text with GPT-2's pattern; count each distinct word
 *   seed    vocabulary = special tokens (ids 0…), then the 256 byte symbols in code-point order
 *   merge   repeatedly merge the most frequent adjacent symbol pair (ties: smallest (left id, right id))
 *           until the vocabulary reaches `vocabSize` or no pair occurs `minFrequency` times
 *
 * Pair counts live in a table over the distinct words; a merge only revisits the words that hold the
 * pair and adjusts the counts of the pairs it creates or destroys, and a lazy max-heap finds the next
 * best pair. Nothing is random: the same texts and options give the same vocabulary and merges.
 */
import { BYTE_ALPHABET, toByteLevel } from './bytes.js';
import { buildByteLevelBpe } from './build.js';
import { messages, TokenizerError } from './errors.js';
import { GPT2_PATTERN } from './pretokenize.js';
import type { Tokenizer } from './types.js';

export const ROBERTA_SPECIAL_TOKENS = ['<s>', '<pad>', '</s>', '<unk>', '<mask>'] as const;

export interface TrainBpeOptions {
  /** Final vocabulary size, special tokens and the 256 byte symbols included. */
  vocabSize: number;
  /** A pair must occur at least this often to be merged. Default 2. */
  minFrequency?: number;
  /** Placed at ids 0…n−1 in this order. Default RoBERTa's: <s>, <pad>, </s>, <unk>, <mask>. */
  specialTokens?: readonly string[];
  /** Prepend a space to each text before splitting. Default false. */
  addPrefixSpace?: boolean;
  /** Stored as model_max_length. */
  modelMaxLength?: number;
  /** Called every 500 merges and at the end. */
  onProgress?: (merges: number, vocabSize: number) => void;
}

export interface LearnedBpe {
  vocab: Map<string, number>;
  merges: Array<[string, string]>;
}

/** Max-heap of (count, key), larger count first, then smaller key. */
class PairHeap {
  private counts: number[] = [];
  private keys: number[] = [];
  get size(): number {
    return this.keys.length;
  }
  private above(i: number, j: number): boolean {
    const ci = this.counts[i];
    const cj = this.counts[j];
    return ci > cj || (ci === cj && this.keys[i] < this.keys[j]);
  }
  private swap(i: number, j: number): void {
    [this.counts[i], this.counts[j]] = [this.counts[j], this.counts[i]];
    [this.keys[i], this.keys[j]] = [this.keys[j], this.keys[i]];
  }
  push(count: number, key: number): void {
    this.counts.push(count);
    this.keys.push(key);
    let i = this.keys.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.above(i, p)) break;
      this.swap(i, p);
      i = p;
    }
  }
  pop(): [number, number] {
    const top: [number, number] = [this.counts[0], this.keys[0]];
    const lastC = this.counts.pop()!;
    const lastK = this.keys.pop()!;
    if (this.keys.length) {
      this.counts[0] = lastC;
      this.keys[0] = lastK;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < this.keys.length && this.above(l, m)) m = l;
        if (r < this.keys.length && this.above(r, m)) m = r;
        if (m === i) break;
        this.swap(i, m);
        i = m;
      }
    }
    return top;
  }
}

/** Distinct byte-level words and their counts, in first-seen order. */
function countWords(texts: Iterable<string>, addPrefixSpace: boolean): Map<string, number> {
  const raw = new Map<string, number>();
  for (let text of texts) {
    if (addPrefixSpace && !text.startsWith(' ')) text = ' ' + text;
    GPT2_PATTERN.lastIndex = 0;
    for (const m of text.matchAll(GPT2_PATTERN)) raw.set(m[0], (raw.get(m[0]) ?? 0) + 1);
  }
  const words = new Map<string, number>();
  for (const [w, c] of raw) {
    const b = toByteLevel(w);
    words.set(b, (words.get(b) ?? 0) + c);
  }
  return words;
}

/** Learns the vocabulary and merge list; see the file comment for the algorithm. */
export function learnByteLevelBpe(texts: Iterable<string>, o: TrainBpeOptions): LearnedBpe {
  const specials = [...(o.specialTokens ?? ROBERTA_SPECIAL_TOKENS)];
  const minFrequency = o.minFrequency ?? 2;
  if (new Set(specials).size !== specials.length) {
    throw new TokenizerError(messages.trainDuplicateSpecial(specials.find((s, i) => specials.indexOf(s) !== i)!));
  }
  const base = specials.length + BYTE_ALPHABET.length;
  if (!Number.isInteger(o.vocabSize) || o.vocabSize < base) throw new TokenizerError(messages.trainVocabTooSmall(o.vocabSize, base));

  const tokens: string[] = [...specials, ...BYTE_ALPHABET.filter((c) => !specials.includes(c))];
  const idOf = new Map<string, number>(tokens.map((t, i) => [t, i]));
  const K = Math.max(o.vocabSize, tokens.length) + 1; // pair key = a * K + b
  const merges: Array<[string, string]> = [];

  // Words as symbol-id arrays with their counts.
  const counted = countWords(texts, o.addPrefixSpace ?? false);
  const words: number[][] = [];
  const freq: number[] = [];
  for (const [w, c] of counted) {
    const syms: number[] = [];
    for (const ch of w) syms.push(idOf.get(ch)!);
    if (syms.length < 2) continue;
    words.push(syms);
    freq.push(c);
  }

  const pairCount = new Map<number, number>();
  const where = new Map<number, number[]>();
  for (let w = 0; w < words.length; w++) {
    const s = words[w];
    for (let i = 0; i + 1 < s.length; i++) {
      const key = s[i] * K + s[i + 1];
      const prev = pairCount.get(key);
      pairCount.set(key, (prev ?? 0) + freq[w]);
      const list = where.get(key);
      if (!list) where.set(key, [w]);
      else if (list[list.length - 1] !== w) list.push(w);
    }
  }
  const heap = new PairHeap();
  for (const [key, c] of pairCount) heap.push(c, key);

  const stamp = new Int32Array(words.length).fill(-1);
  while (tokens.length < o.vocabSize && heap.size) {
    const [count, key] = heap.pop();
    if (pairCount.get(key) !== count) continue; // stale entry
    if (count < minFrequency || count <= 0) break;
    const a = Math.floor(key / K);
    const b = key % K;
    const merged = tokens[a] + tokens[b];
    let c = idOf.get(merged);
    if (c === undefined) {
      c = tokens.length;
      tokens.push(merged);
      idOf.set(merged, c);
    }
    merges.push([tokens[a], tokens[b]]);

    const delta = new Map<number, number>();
    const bump = (k: number, d: number) => delta.set(k, (delta.get(k) ?? 0) + d);
    const stampId = merges.length;
    for (const w of where.get(key) ?? []) {
      if (stamp[w] === stampId) continue;
      stamp[w] = stampId;
      const s = words[w];
      const f = freq[w];
      const next: number[] = [];
      let changed = false;
      for (let i = 0; i < s.length; ) {
        if (i + 1 < s.length && s[i] === a && s[i + 1] === b) {
          next.push(c);
          i += 2;
          changed = true;
        } else {
          next.push(s[i]);
          i++;
        }
      }
      if (!changed) continue;
      for (let i = 0; i + 1 < s.length; i++) bump(s[i] * K + s[i + 1], -f);
      for (let i = 0; i + 1 < next.length; i++) {
        const k = next[i] * K + next[i + 1];
        bump(k, f);
        if (next[i] === c || next[i + 1] === c) {
          const list = where.get(k);
          if (!list) where.set(k, [w]);
          else if (list[list.length - 1] !== w) list.push(w);
        }
      }
      words[w] = next;
    }
    where.delete(key);
    for (const [k, d] of delta) {
      if (d === 0) continue;
      const n = (pairCount.get(k) ?? 0) + d;
      if (n > 0) {
        pairCount.set(k, n);
        heap.push(n, k);
      } else {
        pairCount.delete(k);
      }
    }
    if (o.onProgress && merges.length % 500 === 0) o.onProgress(merges.length, tokens.length);
  }
  o.onProgress?.(merges.length, tokens.length);
  return { vocab: idOf, merges };
}

/**
 * Trains a byte-level BPE tokenizer. With the default special tokens it uses RoBERTa's layout
 * (`<s> A </s>`, `<mask>` matched whole with its leading space absorbed); without `<s>`/`</s>` it
 * adds no special tokens, like GPT-2. Save it with `tokenizer.save(dir)`.
 */
export function trainByteLevelBpe(texts: Iterable<string>, o: TrainBpeOptions): Tokenizer {
  const { vocab, merges } = learnByteLevelBpe(texts, o);
  const specials = [...(o.specialTokens ?? ROBERTA_SPECIAL_TOKENS)];
  const roberta = specials.includes('<s>') && specials.includes('</s>');
  return buildByteLevelBpe(vocab, merges, {
    layout: roberta ? 'roberta' : 'gpt2',
    additionalSpecialTokens: specials,
    addPrefixSpace: o.addPrefixSpace ?? false,
    modelMaxLength: o.modelMaxLength,
    source: 'trainByteLevelBpe',
  });
}
