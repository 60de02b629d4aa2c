/**
 * Tokenizers: byte-level BPE (GPT-2, RoBERTa), WordPiece (BERT), Hugging Face tokenizer.json, and a
 * byte-level BPE trainer. Everything outside src/io/tokenizer imports from here.
 */
export type {
  AddedToken,
  BatchEncoding,
  DecodeOptions,
  EncodeBatchOptions,
  EncodeOptions,
  Encoding,
  PaddingStrategy,
  SaveOptions,
  SpecialTokenRoles,
  Tokenizer,
  TokenizerKind,
  TruncationStrategy,
} from './types.js';
export { TokenizerError } from './errors.js';
export { loadTokenizer } from './load.js';
export { parseTokenizerJson } from './tokenizer-json.js';
export {
  buildByteLevelBpe,
  buildWordPiece,
  type ByteLevelBpeOptions,
  type SpecialTokenOptions,
  type WordPieceBuildOptions,
} from './build.js';
export { parseMerges, parseVocabJson, parseVocabTxt } from './vocab-files.js';
export {
  learnByteLevelBpe,
  ROBERTA_SPECIAL_TOKENS,
  trainByteLevelBpe,
  type LearnedBpe,
  type TrainBpeOptions,
} from './train-bpe.js';
export { BYTE_TO_CHAR, toByteLevel, fromByteLevel } from './bytes.js';
export { splitGpt2 } from './pretokenize.js';
