/**
 * Decoders (Hugging Face `tokenizers.decoders`): token strings → text.
 */
import { fromByteLevel } from './bytes.js';
import type { Decoder, Json } from './types.js';

/**
 * Spaces before punctuation and contractions removed, HF `clean_up_tokenization`. With `rust` the
 * Hugging Face WordPiece decoder's list is used, which also turns " do not" into " don't".
 */
export function cleanUpTokenization(text: string, rust = false): string {
  let s = text
    .replaceAll(' .', '.')
    .replaceAll(' ?', '?')
    .replaceAll(' !', '!')
    .replaceAll(' ,', ',')
    .replaceAll(" ' ", "'")
    .replaceAll(" n't", "n't")
    .replaceAll(" 'm", "'m");
  if (rust) s = s.replaceAll(' do not', " don't");
  return s.replaceAll(" 's", "'s").replaceAll(" 've", "'ve").replaceAll(" 're", "'re");
}

/** Byte symbols back to UTF-8 text. */
export class ByteLevelDecoder implements Decoder {
  decode(tokens: string[]): string {
    return fromByteLevel(tokens);
  }
  toJSON(): Json {
    return { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true };
  }
}

/** Joins pieces with spaces, gluing `##` continuations to the previous piece. */
export class WordPieceDecoder implements Decoder {
  constructor(
    readonly prefix = '##',
    readonly cleanup = true,
  ) {}
  decode(tokens: string[]): string {
    let out = '';
    tokens.forEach((t, i) => {
      let piece = t;
      if (i !== 0) piece = t.startsWith(this.prefix) ? t.slice(this.prefix.length) : ' ' + t;
      out += this.cleanup ? cleanUpTokenization(piece, true) : piece;
    });
    return out;
  }
  toJSON(): Json {
    return { type: 'WordPiece', prefix: this.prefix, cleanup: this.cleanup };
  }
}

/** No decoder in tokenizer.json: tokens joined by spaces, as Hugging Face does. */
export class JoinDecoder implements Decoder {
  decode(tokens: string[]): string {
    return tokens.join(' ');
  }
  toJSON(): Json {
    return null;
  }
}
