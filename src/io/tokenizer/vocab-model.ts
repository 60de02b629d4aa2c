/**
 * What BPE and WordPiece models share: the vocabulary both ways and a bounded cache of word → ids.
 * A model only says how one word becomes ids (`encodeWord`).
 */

export abstract class VocabModel {
  /** Number of ids (max id + 1). */
  readonly size: number;
  protected readonly vocab: Map<string, number>;
  protected readonly tokens: string[];
  private readonly cache = new Map<string, number[]>();

  /** @param cacheSize max cached words; the cache is cleared when full. */
  protected constructor(vocab: ReadonlyMap<string, number>, private readonly cacheSize = 100_000) {
    this.vocab = new Map(vocab);
    this.tokens = [];
    let max = -1;
    for (const [t, id] of this.vocab) {
      this.tokens[id] = t;
      if (id > max) max = id;
    }
    this.size = max + 1;
  }

  get vocabulary(): ReadonlyMap<string, number> {
    return this.vocab;
  }

  tokenToId(token: string): number | undefined {
    return this.vocab.get(token);
  }

  idToToken(id: number): string | undefined {
    return this.tokens[id];
  }

  /** Ids of one pre-tokenized word (cached). */
  tokenize(word: string): number[] {
    const hit = this.cache.get(word);
    if (hit) return hit;
    const ids = this.encodeWord(word);
    if (this.cache.size >= this.cacheSize) this.cache.clear();
    this.cache.set(word, ids);
    return ids;
  }

  protected abstract encodeWord(word: string): number[];
}
