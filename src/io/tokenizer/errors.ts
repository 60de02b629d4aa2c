/**
 * Every user-facing tokenizer message lives here, so that wording stays consistent and each one
 * names the file, the field and what to do about it.
 */

/** Error raised for bad tokenizer files, unsupported components and invalid calls. */
export class TokenizerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TokenizerError';
  }
}

const list = (xs: readonly string[]): string => xs.map((x) => `'${x}'`).join(', ');

export const messages = {
  noTokenizerFiles: (dir: string, present: readonly string[]) =>
    `no tokenizer found in ${dir}: looked for tokenizer.json, vocab.json + merges.txt (byte-level BPE), ` +
    `vocab.txt (WordPiece)` +
    (present.length ? `; the directory holds ${list(present.slice(0, 12))}` : '; the directory is empty or missing') +
    `. Save a tokenizer there (tokenizer.save(dir)) or point at a Hugging Face checkpoint folder.`,
  missingPartner: (dir: string, have: string, missing: string) =>
    `${dir}: found ${have} but not ${missing}; a byte-level BPE tokenizer needs both files (or a tokenizer.json)`,
  unreadable: (file: string, detail: string) => `${file}: cannot read file (${detail})`,
  badJson: (file: string, detail: string) => `${file}: not valid JSON (${detail})`,
  notObject: (file: string, path: string, what: string) => `${file}: ${path} must be ${what}`,
  badVocabEntry: (file: string, token: string, value: unknown) =>
    `${file}: id of token ${JSON.stringify(token)} must be a non-negative integer, got ${JSON.stringify(value)}`,
  duplicateVocabId: (file: string, id: number, a: string, b: string) =>
    `${file}: id ${id} is used by both ${JSON.stringify(a)} and ${JSON.stringify(b)}; every id must name one token`,
  emptyVocab: (file: string) => `${file}: the vocabulary is empty`,
  badMergeLine: (file: string, line: number, text: string) =>
    `${file}: line ${line} must hold two symbols separated by one space, got ${JSON.stringify(text)}`,
  mergeUnknownSymbol: (file: string, where: string, symbol: string, role: string) =>
    `${file}: ${where} uses ${role} ${JSON.stringify(symbol)}, which is not in the vocabulary; ` +
    `merges.txt and vocab.json must come from the same tokenizer`,
  unsupportedComponent: (file: string, path: string, type: string, supported: readonly string[]) =>
    `${file}: ${path} '${type}' is not supported; supported: ${list(supported)}`,
  unsupportedOption: (file: string, path: string, value: unknown, hint: string) =>
    `${file}: ${path} = ${JSON.stringify(value)} is not supported (${hint})`,
  missingField: (file: string, path: string, expected: string) => `${file}: ${path} is missing or not ${expected}`,
  unknownTemplateToken: (file: string, path: string, token: string) =>
    `${file}: ${path} refers to special token ${JSON.stringify(token)}, which is not listed in post_processor.special_tokens`,
  unknownSymbol: (symbol: string, word: string) =>
    `BPE: symbol ${JSON.stringify(symbol)} (in ${JSON.stringify(word)}) is not in the vocabulary and the model has no unk_token`,
  tooManyIds: (count: number) => `BPE: vocabulary ids up to ${count} exceed the supported 2^21`,
  truncationTooShort: (strategy: string, len: number, remove: number) =>
    `truncation '${strategy}': the sequence to truncate has ${len} tokens but ${remove} must be removed to fit maxLength; ` +
    `use truncation 'longest_first' or a larger maxLength`,
  truncationNeedsPair: (strategy: string) => `truncation '${strategy}' needs a pair of texts`,
  maxLengthTooSmall: (maxLength: number, special: number) =>
    `maxLength ${maxLength} leaves no room for content after the ${special} special tokens`,
  paddingNeedsMaxLength: () =>
    `padding 'max_length' needs maxLength (or a tokenizer with a finite model_max_length)`,
  badOption: (name: string, value: unknown, allowed: string) =>
    `option ${name} = ${JSON.stringify(value)} is invalid; expected ${allowed}`,
  saveGaps: (file: string, id: number) =>
    `cannot write ${file}: no token has id ${id}; vocab.txt needs contiguous ids (write tokenizer.json instead)`,
  trainVocabTooSmall: (vocabSize: number, minimum: number) =>
    `trainByteLevelBpe: vocabSize ${vocabSize} is smaller than the ${minimum} special and byte symbols`,
  trainDuplicateSpecial: (token: string) => `trainByteLevelBpe: special token ${JSON.stringify(token)} is listed twice`,
} as const;
