/**
 * Pre-tokenizers (Hugging Face `tokenizers.pre_tokenizers`): split normalized text into the words the
 * model tokenizes one at a time.
 */
import { toByteLevel } from './bytes.js';
import type { Json, PreTokenizer } from './types.js';
import { isPunctuation, isWhitespace } from './unicode.js';

/**
 * GPT-2's pattern (openai/gpt-2 encoder.py): contractions, optional-space letter runs, digit runs,
 * other-symbol runs, trailing whitespace kept apart from the next word's leading space.
 */
export const GPT2_PATTERN = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;

/** Splits `text` with GPT-2's pattern (no byte mapping). */
export function splitGpt2(text: string): string[] {
  return text.match(GPT2_PATTERN) ?? [];
}

export interface ByteLevelOptions {
  /** Prepend a space to each piece that does not start with one, so the first word reads like the others. */
  addPrefixSpace?: boolean;
  /** Split with GPT-2's pattern before mapping to bytes. Default true. */
  useRegex?: boolean;
  /** Kept for tokenizer.json round trips; offsets are not computed here. */
  trimOffsets?: boolean;
}

/** GPT-2 split + UTF-8 bytes → byte symbols ("Hello world" → ["Hello", "Ġworld"]). */
export class ByteLevelPreTokenizer implements PreTokenizer {
  readonly addPrefixSpace: boolean;
  readonly useRegex: boolean;
  readonly trimOffsets: boolean;

  constructor(o: ByteLevelOptions = {}) {
    this.addPrefixSpace = o.addPrefixSpace ?? false;
    this.useRegex = o.useRegex ?? true;
    this.trimOffsets = o.trimOffsets ?? true;
  }

  preTokenize(pieces: string[]): string[] {
    const out: string[] = [];
    for (let p of pieces) {
      if (this.addPrefixSpace && !p.startsWith(' ')) p = ' ' + p;
      if (!this.useRegex) {
        if (p.length) out.push(toByteLevel(p));
        continue;
      }
      GPT2_PATTERN.lastIndex = 0;
      for (const m of p.matchAll(GPT2_PATTERN)) out.push(toByteLevel(m[0]));
    }
    return out;
  }

  toJSON(): Json {
    return { type: 'ByteLevel', add_prefix_space: this.addPrefixSpace, trim_offsets: this.trimOffsets, use_regex: this.useRegex };
  }
}

/** BERT: split on whitespace (dropped) and punctuation (each mark its own word). */
export class BertPreTokenizer implements PreTokenizer {
  preTokenize(pieces: string[]): string[] {
    const out: string[] = [];
    for (const p of pieces) {
      let word = '';
      for (const ch of p) {
        if (isWhitespace(ch) || /\s/u.test(ch)) {
          if (word) out.push(word);
          word = '';
        } else if (isPunctuation(ch)) {
          if (word) out.push(word);
          out.push(ch);
          word = '';
        } else {
          word += ch;
        }
      }
      if (word) out.push(word);
    }
    return out;
  }
  toJSON(): Json {
    return { type: 'BertPreTokenizer' };
  }
}

const WORD = /[\p{L}\p{M}\p{Nd}\p{Pc}]+|[^\p{L}\p{M}\p{Nd}\p{Pc}\s]+/gu;

/** `\w+|[^\w\s]+` with Unicode word characters. */
export class WhitespacePreTokenizer implements PreTokenizer {
  preTokenize(pieces: string[]): string[] {
    const out: string[] = [];
    for (const p of pieces) for (const m of p.matchAll(WORD)) out.push(m[0]);
    return out;
  }
  toJSON(): Json {
    return { type: 'Whitespace' };
  }
}

/** Split on whitespace only. */
export class WhitespaceSplitPreTokenizer implements PreTokenizer {
  preTokenize(pieces: string[]): string[] {
    const out: string[] = [];
    for (const p of pieces) for (const w of p.split(/\s+/u)) if (w) out.push(w);
    return out;
  }
  toJSON(): Json {
    return { type: 'WhitespaceSplit' };
  }
}

export class SequencePreTokenizer implements PreTokenizer {
  constructor(readonly preTokenizers: PreTokenizer[]) {}
  preTokenize(pieces: string[]): string[] {
    let out = pieces;
    for (const p of this.preTokenizers) out = p.preTokenize(out);
    return out;
  }
  toJSON(): Json {
    return { type: 'Sequence', pretokenizers: this.preTokenizers.map((p) => p.toJSON()) };
  }
}
