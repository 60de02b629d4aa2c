/**
 * Normalizers (Hugging Face `tokenizers.normalizers`): text → text, applied to the parts of the input
 * that are not added tokens.
 */
import type { Json, Normalizer } from './types.js';
import { isCjk, isControl, isWhitespace, stripAccents } from './unicode.js';

export interface BertNormalizerOptions {
  /** Remove control characters and map whitespace to ' '. Default true. */
  cleanText?: boolean;
  /** Put spaces around CJK ideographs so each becomes a word. Default true. */
  handleChineseChars?: boolean;
  /** Strip accents; null (default) follows `lowercase`, as in BERT. */
  stripAccents?: boolean | null;
  /** Default true. */
  lowercase?: boolean;
}

/** BERT's BasicTokenizer normalization: clean → CJK spacing → strip accents → lowercase. */
export class BertNormalizer implements Normalizer {
  readonly cleanText: boolean;
  readonly handleChineseChars: boolean;
  readonly stripAccents: boolean | null;
  readonly lowercase: boolean;

  constructor(o: BertNormalizerOptions = {}) {
    this.cleanText = o.cleanText ?? true;
    this.handleChineseChars = o.handleChineseChars ?? true;
    this.stripAccents = o.stripAccents ?? null;
    this.lowercase = o.lowercase ?? true;
  }

  normalize(text: string): string {
    let s = text;
    if (this.cleanText || this.handleChineseChars) {
      let out = '';
      for (const ch of s) {
        const cp = ch.codePointAt(0)!;
        if (this.cleanText) {
          if (cp === 0 || cp === 0xfffd || isControl(ch)) continue;
          if (isWhitespace(ch)) {
            out += ' ';
            continue;
          }
        }
        out += this.handleChineseChars && isCjk(cp) ? ` ${ch} ` : ch;
      }
      s = out;
    }
    if (this.stripAccents ?? this.lowercase) s = stripAccents(s);
    if (this.lowercase) s = s.toLowerCase();
    return s;
  }

  toJSON(): Json {
    return {
      type: 'BertNormalizer',
      clean_text: this.cleanText,
      handle_chinese_chars: this.handleChineseChars,
      strip_accents: this.stripAccents,
      lowercase: this.lowercase,
    };
  }
}

/** A normalizer that is one string function. */
class FnNormalizer implements Normalizer {
  constructor(
    private readonly fn: (s: string) => string,
    private readonly json: Json,
  ) {}
  normalize(text: string): string {
    return this.fn(text);
  }
  toJSON(): Json {
    return this.json;
  }
}

export const lowercaseNormalizer = (): Normalizer => new FnNormalizer((s) => s.toLowerCase(), { type: 'Lowercase' });
export const unicodeNormalizer = (form: 'NFC' | 'NFD' | 'NFKC' | 'NFKD'): Normalizer =>
  new FnNormalizer((s) => s.normalize(form), { type: form });
export const stripAccentsNormalizer = (): Normalizer => new FnNormalizer(stripAccents, { type: 'StripAccents' });
export const stripNormalizer = (left: boolean, right: boolean): Normalizer =>
  new FnNormalizer(
    (s) => (left && right ? s.trim() : left ? s.trimStart() : right ? s.trimEnd() : s),
    { type: 'Strip', strip_left: left, strip_right: right },
  );
export const replaceNormalizer = (pattern: string, content: string): Normalizer =>
  new FnNormalizer((s) => s.split(pattern).join(content), { type: 'Replace', pattern: { String: pattern }, content });
export const prependNormalizer = (prepend: string): Normalizer =>
  new FnNormalizer((s) => (s.length ? prepend + s : s), { type: 'Prepend', prepend });

export class SequenceNormalizer implements Normalizer {
  constructor(readonly normalizers: Normalizer[]) {}
  normalize(text: string): string {
    let s = text;
    for (const n of this.normalizers) s = n.normalize(s);
    return s;
  }
  toJSON(): Json {
    return { type: 'Sequence', normalizers: this.normalizers.map((n) => n.toJSON()) };
  }
}
