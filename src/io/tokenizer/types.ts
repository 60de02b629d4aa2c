/**
 * The public tokenizer contract and the small component interfaces a tokenizer is assembled from.
 * The pipeline mirrors Hugging Face `tokenizers`:
 *   added tokens → normalizer → pre-tokenizer → model (BPE / WordPiece) → post-processor (specials)
 * and, for decoding, ids → tokens → decoder.
 */

/** One encoded text or text pair. All three arrays have the same length. */
export interface Encoding {
  ids: number[];
  /** 0 for the first segment, 1 for the second where the format uses it (BERT); all 0 for RoBERTa. */
  tokenTypeIds: number[];
  /** 1 for real tokens, 0 for padding. */
  attentionMask: number[];
}

/** A batch, row-major: one row per input. Rows have equal length unless `padding` is false. */
export interface BatchEncoding {
  inputIds: number[][];
  attentionMask: number[][];
  tokenTypeIds: number[][];
}

/** `true` means `'longest_first'`, as in Hugging Face. */
export type TruncationStrategy = boolean | 'longest_first' | 'only_first' | 'only_second';
/** `true` means `'longest'`, as in Hugging Face. */
export type PaddingStrategy = boolean | 'longest' | 'max_length';

export interface EncodeOptions {
  /** Add the format's special tokens (`<s> A </s>`, `[CLS] A [SEP]`). Default true. */
  addSpecialTokens?: boolean;
  /** Length limit including special tokens. Default: the tokenizer's `modelMaxLength` when truncating. */
  maxLength?: number;
  /** Default false for `encode`, false for `encodeBatch`. */
  truncation?: TruncationStrategy;
}

export interface EncodeBatchOptions extends EncodeOptions {
  /** Pad on the right with `padId` (attention mask 0, token type 0). Default false. */
  padding?: PaddingStrategy;
}

export interface DecodeOptions {
  /** Drop special tokens (`<s>`, `[CLS]`, `<pad>`, …). Default false. */
  skipSpecialTokens?: boolean;
  /** Remove spaces before punctuation (" ." → "."), HF `clean_up_tokenization_spaces`.
   *  Default: the tokenizer's setting (tokenizer_config.json), false when unset. */
  cleanUpTokenizationSpaces?: boolean;
}

export interface SaveOptions {
  /** Also write tokenizer.json (Hugging Face fast-tokenizer format). Default true. */
  tokenizerJson?: boolean;
}

/** Special-token roles, by content. Undefined roles are absent (GPT-2 has no pad, cls, sep or mask). */
export interface SpecialTokenRoles {
  bos?: string;
  eos?: string;
  unk?: string;
  sep?: string;
  pad?: string;
  cls?: string;
  mask?: string;
}

/** A token matched whole in the input before normalization and splitting (HF `AddedToken`). */
export interface AddedToken {
  id: number;
  content: string;
  /** Special tokens are dropped by `decode(…, {skipSpecialTokens: true})`. */
  special: boolean;
  /** Absorb whitespace on the left (RoBERTa's `<mask>`). */
  lstrip: boolean;
  /** Absorb whitespace on the right. */
  rstrip: boolean;
  /** Match against normalized text instead of raw text. */
  normalized: boolean;
  /** Match only when not inside a word. */
  singleWord: boolean;
}

/** Which family a tokenizer belongs to; decides the files `save` writes. */
export type TokenizerKind = 'bpe' | 'wordpiece';

/** What every tokenizer offers; one implementation serves GPT-2, RoBERTa and BERT. */
export interface Tokenizer {
  readonly kind: TokenizerKind;
  /** Largest id + 1 over the model vocabulary and the added tokens (HF `len(tokenizer)`). */
  readonly vocabSize: number;
  /** Length limit from tokenizer_config.json `model_max_length`; Infinity when unset. */
  readonly modelMaxLength: number;
  /** Padding id: the pad token, else the eos token (GPT-2 convention `pad_token = eos_token`), else 0. */
  readonly padId: number;
  readonly maskId: number | undefined;
  readonly unkId: number | undefined;
  /** `cls` token, falling back to `bos` (RoBERTa: both `<s>`). */
  readonly clsId: number | undefined;
  /** `bos` token, falling back to `cls`. */
  readonly bosId: number | undefined;
  /** `sep` token, falling back to `eos`. */
  readonly sepId: number | undefined;
  /** `eos` token, falling back to `sep`. */
  readonly eosId: number | undefined;
  readonly specialTokens: Readonly<SpecialTokenRoles>;
  /** Ids of every special token (roles and added tokens flagged special). */
  readonly specialIds: ReadonlySet<number>;

  encode(text: string, pair?: string, options?: EncodeOptions): Encoding;
  encodeBatch(
    inputs: ReadonlyArray<string | readonly [string, string]>,
    options?: EncodeBatchOptions,
  ): BatchEncoding;
  /** Token strings of `text` without special tokens (byte-level symbols for BPE: "Ġworld"). */
  tokenize(text: string): string[];
  decode(ids: readonly number[], options?: DecodeOptions): string;
  /** Number of special tokens `encode` adds for a single text or a pair. */
  numSpecialTokens(pair: boolean): number;
  tokenToId(token: string): number | undefined;
  idToToken(id: number): string | undefined;
  /** Writes vocab.json + merges.txt (BPE) or vocab.txt (WordPiece), tokenizer_config.json,
   *  special_tokens_map.json and, unless disabled, tokenizer.json. Creates `dir`. */
  save(dir: string, options?: SaveOptions): void;
}

// ---- components (internal contracts; each serialises to its tokenizer.json form) ----

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export interface Normalizer {
  normalize(text: string): string;
  toJSON(): Json;
}

export interface PreTokenizer {
  /** Splits each piece further; pieces never cross the input pieces' boundaries. */
  preTokenize(pieces: string[]): string[];
  toJSON(): Json;
}

export interface Model {
  readonly kind: TokenizerKind;
  /** Ids of one pre-token. */
  tokenize(piece: string): number[];
  tokenToId(token: string): number | undefined;
  idToToken(id: number): string | undefined;
  /** Largest id + 1. */
  readonly size: number;
  readonly unkToken: string | undefined;
  toJSON(): Json;
}

export interface Decoder {
  decode(tokens: string[]): string;
  toJSON(): Json;
}

/** One item of a post-processing template. */
export type TemplatePiece =
  | { kind: 'special'; token: string; ids: number[]; typeId: number }
  | { kind: 'sequence'; seq: 'A' | 'B'; typeId: number };

export interface PostProcessor {
  /** Number of ids added for a single text or a pair. */
  added(pair: boolean): number;
  /** Joins the segments' ids, adding specials when asked. */
  process(a: number[], b: number[] | undefined, addSpecialTokens: boolean): { ids: number[]; typeIds: number[] };
  /** Layout name; decides tokenizer_config.json `tokenizer_class` on save. */
  readonly family: 'none' | 'roberta' | 'bert' | 'template';
  toJSON(): Json;
}
