/**
 * Byte-pair encoding model (Sennrich et al. 2016; GPT-2's byte-level variant). A word starts as its
 * characters; the adjacent pair with the lowest merge rank is merged everywhere in the word, left to
 * right, until no pair has a rank. Results are cached per word.
 */
import { messages, TokenizerError } from './errors.js';
import type { Json, Model } from './types.js';
import { VocabModel } from './vocab-model.js';

export interface BpeOptions {
  /** Token used for characters missing from the vocabulary (char-level BPE); none for byte-level. */
  unkToken?: string;
  /** Merge consecutive unknown characters into one unk (HF `fuse_unk`). */
  fuseUnk?: boolean;
  /** Look a whole word up in the vocabulary before merging (HF `ignore_merges`). */
  ignoreMerges?: boolean;
  /** Source name used in error messages. */
  source?: string;
  /** Max cached words; the cache is cleared when full. Default 100 000. */
  cacheSize?: number;
}

const MAX_IDS = 1 << 21;

export class BpeModel extends VocabModel implements Model {
  readonly kind = 'bpe' as const;
  readonly unkToken: string | undefined;
  /** pair key (a * MAX_IDS + b) → merge rank. */
  private readonly ranks = new Map<number, number>();
  /** rank → id of the merged symbol. */
  private readonly results: Int32Array;
  private readonly mergeList: Array<readonly [string, string]>;
  private readonly unkId: number | undefined;
  private readonly fuseUnk: boolean;
  private readonly ignoreMerges: boolean;

  /**
   * @param vocab token → id
   * @param merges merge list in rank order (rank = index)
   * @throws TokenizerError when a merge names a symbol (or produces a token) missing from `vocab`
   */
  constructor(vocab: ReadonlyMap<string, number>, merges: ReadonlyArray<readonly [string, string]>, o: BpeOptions = {}) {
    super(vocab, o.cacheSize ?? 100_000);
    const source = o.source ?? 'merges';
    if (this.size - 1 >= MAX_IDS) throw new TokenizerError(messages.tooManyIds(this.size - 1));
    this.mergeList = merges.map(([a, b]) => [a, b] as const);
    this.results = new Int32Array(merges.length);
    merges.forEach(([a, b], rank) => {
      const where = `merge ${rank + 1} (${JSON.stringify(`${a} ${b}`)})`;
      const ia = this.vocab.get(a);
      if (ia === undefined) throw new TokenizerError(messages.mergeUnknownSymbol(source, where, a, 'symbol'));
      const ib = this.vocab.get(b);
      if (ib === undefined) throw new TokenizerError(messages.mergeUnknownSymbol(source, where, b, 'symbol'));
      const ic = this.vocab.get(a + b);
      if (ic === undefined) throw new TokenizerError(messages.mergeUnknownSymbol(source, where, a + b, 'merged token'));
      this.ranks.set(ia * MAX_IDS + ib, rank); // a repeated merge keeps its last rank, as in HF
      this.results[rank] = ic;
    });
    this.unkToken = o.unkToken ?? undefined;
    this.unkId = this.unkToken !== undefined ? this.vocab.get(this.unkToken) : undefined;
    this.fuseUnk = o.fuseUnk ?? false;
    this.ignoreMerges = o.ignoreMerges ?? false;
  }

  get merges(): ReadonlyArray<readonly [string, string]> {
    return this.mergeList;
  }

  protected encodeWord(word: string): number[] {
    return this.merge(word);
  }

  private merge(word: string): number[] {
    if (this.ignoreMerges) {
      const whole = this.vocab.get(word);
      if (whole !== undefined) return [whole];
    }
    let syms: number[] = [];
    let lastUnk = false;
    for (const ch of word) {
      const id = this.vocab.get(ch);
      if (id !== undefined) {
        syms.push(id);
        lastUnk = false;
      } else if (this.unkId !== undefined) {
        if (!(this.fuseUnk && lastUnk)) syms.push(this.unkId);
        lastUnk = true;
      } else {
        throw new TokenizerError(messages.unknownSymbol(ch, word));
      }
    }
    while (syms.length > 1) {
      let best = -1;
      let bestRank = Infinity;
      for (let i = 0; i + 1 < syms.length; i++) {
        const r = this.ranks.get(syms[i] * MAX_IDS + syms[i + 1]);
        if (r !== undefined && r < bestRank) {
          bestRank = r;
          best = i;
        }
      }
      if (best < 0) break;
      const a = syms[best];
      const b = syms[best + 1];
      const c = this.results[bestRank];
      const next: number[] = syms.slice(0, best);
      for (let i = best; i < syms.length; ) {
        if (i + 1 < syms.length && syms[i] === a && syms[i + 1] === b) {
          next.push(c);
          i += 2;
        } else {
          next.push(syms[i]);
          i++;
        }
      }
      syms = next;
    }
    return syms;
  }

  toJSON(): Json {
    const vocab: { [k: string]: number } = {};
    for (let id = 0; id < this.tokens.length; id++) if (this.tokens[id] !== undefined) vocab[this.tokens[id]] = id;
    return {
      type: 'BPE',
      dropout: null,
      unk_token: this.unkToken ?? null,
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: this.fuseUnk,
      byte_fallback: false,
      ignore_merges: this.ignoreMerges,
      vocab,
      merges: this.mergeList.map(([a, b]) => [a, b]),
    };
  }
}
