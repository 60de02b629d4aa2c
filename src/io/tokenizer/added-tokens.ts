/**
 * Added tokens (special tokens and user-added words) are found in the input before anything else and
 * kept whole, the way Hugging Face `AddedVocabulary` does: leftmost-longest match, optional
 * single-word check, then `lstrip`/`rstrip` absorb neighbouring whitespace (RoBERTa's `<mask>` eats
 * the space before it).
 */
import type { AddedToken } from './types.js';

/** A piece of input: plain text still to tokenize, or a matched added token. */
export type Segment = { text: string; id?: undefined } | { id: number; text?: undefined };

/** Escapes regex syntax characters (only these may be escaped under the `u` flag). */
const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
const WORD_CHAR = /[\p{L}\p{N}_]/u;

export class AddedTokenMatcher {
  private readonly re: RegExp | undefined;
  private readonly byContent: Map<string, AddedToken>;

  /** `tokens` are matched on their `content` (already normalized by the caller when needed). */
  constructor(tokens: ReadonlyArray<AddedToken & { match?: string }>) {
    this.byContent = new Map();
    for (const t of tokens) if ((t.match ?? t.content).length) this.byContent.set(t.match ?? t.content, t);
    const keys = [...this.byContent.keys()].sort((a, b) => b.length - a.length || (a < b ? -1 : a > b ? 1 : 0));
    this.re = keys.length ? new RegExp(keys.map(escape).join('|'), 'gu') : undefined;
  }

  get empty(): boolean {
    return this.re === undefined;
  }

  /** Splits `text` into plain-text segments and added-token segments. Empty text segments are dropped. */
  split(text: string): Segment[] {
    if (!this.re || !text) return text ? [{ text }] : [];
    const out: Segment[] = [];
    let offset = 0;
    this.re.lastIndex = 0;
    for (const m of text.matchAll(this.re)) {
      const tok = this.byContent.get(m[0])!;
      let start = m.index!;
      if (start < offset) continue; // inside whitespace a previous rstrip token absorbed
      let stop = start + m[0].length;
      if (tok.singleWord) {
        const before = start > 0 && WORD_CHAR.test(lastChar(text, start));
        const after = stop < text.length && WORD_CHAR.test(firstChar(text, stop));
        if (before || after) continue;
      }
      if (tok.lstrip) {
        let s = start;
        while (s > offset && /\s/u.test(text[s - 1])) s--;
        start = s;
      }
      if (tok.rstrip) {
        while (stop < text.length && /\s/u.test(text[stop])) stop++;
      }
      if (start > offset) out.push({ text: text.slice(offset, start) });
      out.push({ id: tok.id });
      offset = stop;
    }
    if (offset < text.length) out.push({ text: text.slice(offset) });
    return out;
  }
}

function lastChar(s: string, end: number): string {
  const c = s.charCodeAt(end - 1);
  return c >= 0xdc00 && c <= 0xdfff && end >= 2 ? s.slice(end - 2, end) : s[end - 1];
}

function firstChar(s: string, start: number): string {
  return String.fromCodePoint(s.codePointAt(start)!);
}
