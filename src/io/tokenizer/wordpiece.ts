/**
 * WordPiece model (Schuster & Nakajima 2012; BERT, google-research/bert tokenization.py
 * `WordpieceTokenizer`): greedy longest-match-first over the word's characters; pieces after the
 * first carry the `##` prefix; a word longer than `maxInputCharsPerWord` characters, or one with a
 * part no vocabulary entry matches, becomes the single unknown token.
 */
import type { Json, Model } from './types.js';
import { VocabModel } from './vocab-model.js';

export interface WordPieceOptions {
  unkToken?: string;
  continuingSubwordPrefix?: string;
  maxInputCharsPerWord?: number;
}

export class WordPieceModel extends VocabModel implements Model {
  readonly kind = 'wordpiece' as const;
  readonly unkToken: string;
  readonly prefix: string;
  readonly maxInputCharsPerWord: number;
  private readonly unkId: number | undefined;

  constructor(vocab: ReadonlyMap<string, number>, o: WordPieceOptions = {}) {
    super(vocab);
    this.unkToken = o.unkToken ?? '[UNK]';
    this.prefix = o.continuingSubwordPrefix ?? '##';
    this.maxInputCharsPerWord = o.maxInputCharsPerWord ?? 100;
    this.unkId = this.vocab.get(this.unkToken);
  }

  protected encodeWord(word: string): number[] {
    return this.pieces(word);
  }

  private pieces(word: string): number[] {
    const chars = Array.from(word);
    const unk = this.unkId !== undefined ? [this.unkId] : [];
    if (chars.length > this.maxInputCharsPerWord) return unk;
    const out: number[] = [];
    let start = 0;
    while (start < chars.length) {
      let end = chars.length;
      let found: number | undefined;
      while (start < end) {
        let sub = chars.slice(start, end).join('');
        if (start > 0) sub = this.prefix + sub;
        found = this.vocab.get(sub);
        if (found !== undefined) break;
        end--;
      }
      if (found === undefined) return unk;
      out.push(found);
      start = end;
    }
    return out;
  }

  toJSON(): Json {
    const vocab: { [k: string]: number } = {};
    for (let id = 0; id < this.tokens.length; id++) if (this.tokens[id] !== undefined) vocab[this.tokens[id]] = id;
    return {
      type: 'WordPiece',
      unk_token: this.unkToken,
      continuing_subword_prefix: this.prefix,
      max_input_chars_per_word: this.maxInputCharsPerWord,
      vocab,
    };
  }
}
