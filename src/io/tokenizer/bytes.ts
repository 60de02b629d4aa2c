/**
 * GPT-2's reversible byte ↔ unicode map (openai/gpt-2 encoder.py `bytes_to_unicode`): printable
 * Latin-1 bytes stand for themselves; the other 68 bytes are shifted to U+0100…U+0143 so that every
 * byte is a visible character and BPE never sees whitespace or control characters.
 */

function buildByteToChar(): string[] {
  const bs: number[] = [];
  for (let b = 0x21; b <= 0x7e; b++) bs.push(b);
  for (let b = 0xa1; b <= 0xac; b++) bs.push(b);
  for (let b = 0xae; b <= 0xff; b++) bs.push(b);
  const cs = bs.slice();
  let n = 0;
  for (let b = 0; b < 256; b++) {
    if (!bs.includes(b)) {
      bs.push(b);
      cs.push(256 + n);
      n++;
    }
  }
  const out = new Array<string>(256);
  for (let i = 0; i < 256; i++) out[bs[i]] = String.fromCharCode(cs[i]);
  return out;
}

/** BYTE_TO_CHAR[b] is the character standing for byte b. */
export const BYTE_TO_CHAR: readonly string[] = buildByteToChar();

/** Character (one UTF-16 unit, all are in the BMP) → byte. */
export const CHAR_TO_BYTE: ReadonlyMap<string, number> = new Map(BYTE_TO_CHAR.map((c, b) => [c, b]));

/** The 256 byte symbols ordered by code point, as the Hugging Face trainer adds its alphabet. */
export const BYTE_ALPHABET: readonly string[] = [...BYTE_TO_CHAR].sort((a, b) => a.charCodeAt(0) - b.charCodeAt(0));

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: false });

/** Maps a string's UTF-8 bytes to byte symbols ("hé" → "hÃ©", " a" → "Ġa"). */
export function toByteLevel(text: string): string {
  let ascii = true;
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) >= 0x80) {
      ascii = false;
      break;
    }
  }
  let out = '';
  if (ascii) {
    for (let i = 0; i < text.length; i++) out += BYTE_TO_CHAR[text.charCodeAt(i)];
    return out;
  }
  const bytes = utf8.encode(text);
  for (let i = 0; i < bytes.length; i++) out += BYTE_TO_CHAR[bytes[i]];
  return out;
}

/**
 * Byte symbols → bytes, token by token, the way the Hugging Face ByteLevel decoder does: a token
 * all of whose characters are byte symbols contributes those bytes; any other token (an added token
 * such as "<mask>" with characters outside the map) contributes its own UTF-8 bytes. Invalid UTF-8
 * becomes U+FFFD.
 */
export function fromByteLevel(tokens: readonly string[]): string {
  const bytes: number[] = [];
  for (const t of tokens) {
    let ok = true;
    const start = bytes.length;
    for (let i = 0; i < t.length; i++) {
      const b = CHAR_TO_BYTE.get(t[i]);
      if (b === undefined) {
        ok = false;
        break;
      }
      bytes.push(b);
    }
    if (!ok) {
      bytes.length = start;
      for (const b of utf8.encode(t)) bytes.push(b);
    }
  }
  return utf8Decoder.decode(new Uint8Array(bytes));
}
