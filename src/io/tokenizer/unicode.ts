/**
 * Character classes of BERT's BasicTokenizer (google-research/bert tokenization.py), as used by the
 * Hugging Face BertNormalizer and BertPreTokenizer. Arguments are single code points as strings.
 */

const P = /\p{P}/u;
const ZS = /\p{Zs}/u;
const C = /\p{C}/u;
const MN = /\p{Mn}/u;

/** ASCII non-alphanumerics count as punctuation even when Unicode says symbol ("$", "^", "`"). */
export function isPunctuation(ch: string): boolean {
  const cp = ch.codePointAt(0)!;
  if ((cp >= 33 && cp <= 47) || (cp >= 58 && cp <= 64) || (cp >= 91 && cp <= 96) || (cp >= 123 && cp <= 126)) {
    return true;
  }
  return cp >= 0x80 && P.test(ch);
}

/** Space, tab, newline, carriage return, or Unicode category Zs. */
export function isWhitespace(ch: string): boolean {
  if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r') return true;
  return ch.charCodeAt(0) >= 0x80 && ZS.test(ch);
}

/** Unicode category C*, except tab, newline and carriage return (those count as whitespace). */
export function isControl(ch: string): boolean {
  if (ch === '\t' || ch === '\n' || ch === '\r') return false;
  return C.test(ch);
}

/** CJK Unified Ideographs blocks (not Hangul, Hiragana or Katakana), as in BERT. */
export function isCjk(cp: number): boolean {
  return (
    (cp >= 0x4e00 && cp <= 0x9fff) ||
    (cp >= 0x3400 && cp <= 0x4dbf) ||
    (cp >= 0x20000 && cp <= 0x2a6df) ||
    (cp >= 0x2a700 && cp <= 0x2b73f) ||
    (cp >= 0x2b740 && cp <= 0x2b81f) ||
    (cp >= 0x2b820 && cp <= 0x2ceaf) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0x2f800 && cp <= 0x2fa1f)
  );
}

/** NFD, then drop non-spacing marks ("Héllo" → "Hello"). */
export function stripAccents(text: string): string {
  if (/^[\x00-\x7f]*$/.test(text)) return text;
  const nfd = text.normalize('NFD');
  let out = '';
  for (const ch of nfd) if (!MN.test(ch)) out += ch;
  return out;
}
