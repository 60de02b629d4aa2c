/**
 * Hugging Face `tokenizer.json` (the `tokenizers` library's serialisation): read into a pipeline and
 * written back. Each component type is one entry in a table below; a type missing from its table is
 * reported with the file, the JSON path and the supported types.
 */
import { BpeModel } from './bpe.js';
import { resolveSpecials } from './build.js';
import type { TokenizerConfig } from './config.js';
import { ByteLevelDecoder, JoinDecoder, WordPieceDecoder } from './decoders.js';
import { messages, TokenizerError } from './errors.js';
import {
  BertNormalizer,
  lowercaseNormalizer,
  prependNormalizer,
  replaceNormalizer,
  SequenceNormalizer,
  stripAccentsNormalizer,
  stripNormalizer,
  unicodeNormalizer,
} from './normalize.js';
import { bertProcessor, plainProcessor, robertaProcessor, TemplatePostProcessor } from './post-process.js';
import {
  BertPreTokenizer,
  ByteLevelPreTokenizer,
  SequencePreTokenizer,
  WhitespacePreTokenizer,
  WhitespaceSplitPreTokenizer,
} from './pretokenize.js';
import { PipelineTokenizer } from './tokenizer.js';
import type {
  AddedToken,
  Decoder,
  Json,
  Model,
  Normalizer,
  PostProcessor,
  PreTokenizer,
  SpecialTokenRoles,
  TemplatePiece,
  Tokenizer,
} from './types.js';
import { isObject, vocabFromObject } from './vocab-files.js';
import { WordPieceModel } from './wordpiece.js';

type Obj = Record<string, unknown>;
type Factory<T> = (j: Obj, path: string, file: string) => T;

const bool = (v: unknown, d: boolean): boolean => (typeof v === 'boolean' ? v : d);

function fail(file: string, path: string, expected: string): never {
  throw new TokenizerError(messages.missingField(file, path, expected));
}

function str(j: Obj, key: string, path: string, file: string): string {
  const v = j[key];
  if (typeof v !== 'string') fail(file, `${path}.${key}`, 'a string');
  return v;
}

function arr(j: Obj, key: string, path: string, file: string): unknown[] {
  const v = j[key];
  if (!Array.isArray(v)) fail(file, `${path}.${key}`, 'an array');
  return v;
}

/** Looks the component's `type` up in `table`. */
function component<T>(table: Record<string, Factory<T>>, j: unknown, path: string, file: string): T {
  if (!isObject(j)) fail(file, path, 'an object');
  const type = j.type;
  if (typeof type !== 'string') fail(file, `${path}.type`, 'a string');
  const make = Object.hasOwn(table, type) ? table[type] : undefined;
  if (!make) throw new TokenizerError(messages.unsupportedComponent(file, `${path}.type`, type, Object.keys(table)));
  return make(j, path, file);
}

const NORMALIZERS: Record<string, Factory<Normalizer>> = {
  BertNormalizer: (j) =>
    new BertNormalizer({
      cleanText: bool(j.clean_text, true),
      handleChineseChars: bool(j.handle_chinese_chars, true),
      stripAccents: typeof j.strip_accents === 'boolean' ? j.strip_accents : null,
      lowercase: bool(j.lowercase, true),
    }),
  Lowercase: () => lowercaseNormalizer(),
  NFC: () => unicodeNormalizer('NFC'),
  NFD: () => unicodeNormalizer('NFD'),
  NFKC: () => unicodeNormalizer('NFKC'),
  NFKD: () => unicodeNormalizer('NFKD'),
  StripAccents: () => stripAccentsNormalizer(),
  Strip: (j) => stripNormalizer(bool(j.strip_left, true), bool(j.strip_right, true)),
  Replace: (j, path, file) => {
    const p = j.pattern;
    if (!isObject(p) || typeof p.String !== 'string') {
      const hint = 'only {"String": …} patterns; regex patterns are not supported';
      throw new TokenizerError(messages.unsupportedOption(file, `${path}.pattern`, p, hint));
    }
    return replaceNormalizer(p.String, str(j, 'content', path, file));
  },
  Prepend: (j, path, file) => prependNormalizer(str(j, 'prepend', path, file)),
  Sequence: (j, path, file) =>
    new SequenceNormalizer(arr(j, 'normalizers', path, file).map((n, i) => component(NORMALIZERS, n, `${path}.normalizers[${i}]`, file))),
};

const PRE_TOKENIZERS: Record<string, Factory<PreTokenizer>> = {
  ByteLevel: (j) =>
    new ByteLevelPreTokenizer({
      addPrefixSpace: bool(j.add_prefix_space, true),
      useRegex: bool(j.use_regex, true),
      trimOffsets: bool(j.trim_offsets, true),
    }),
  BertPreTokenizer: () => new BertPreTokenizer(),
  Whitespace: () => new WhitespacePreTokenizer(),
  WhitespaceSplit: () => new WhitespaceSplitPreTokenizer(),
  Sequence: (j, path, file) =>
    new SequencePreTokenizer(
      arr(j, 'pretokenizers', path, file).map((p, i) => component(PRE_TOKENIZERS, p, `${path}.pretokenizers[${i}]`, file)),
    ),
};

function parseMergeList(list: unknown[], path: string, file: string): Array<[string, string]> {
  return list.map((m, i) => {
    if (typeof m === 'string') {
      const parts = m.split(' ');
      if (parts.length === 2 && parts[0] && parts[1]) return [parts[0], parts[1]];
    } else if (Array.isArray(m) && m.length === 2 && typeof m[0] === 'string' && typeof m[1] === 'string') {
      return [m[0], m[1]];
    }
    return fail(file, `${path}.merges[${i}]`, 'a merge "a b" or ["a", "b"]');
  });
}

const MODELS: Record<string, Factory<Model>> = {
  BPE: (j, path, file) => {
    const off = (key: string, ok: (v: unknown) => boolean, hint: string) => {
      if (j[key] !== undefined && !ok(j[key])) throw new TokenizerError(messages.unsupportedOption(file, `${path}.${key}`, j[key], hint));
    };
    off('dropout', (v) => v === null || v === 0, 'BPE dropout samples at random; only deterministic encoding is supported');
    off('continuing_subword_prefix', (v) => v === null || v === '', 'subword prefixes are not supported for BPE');
    off('end_of_word_suffix', (v) => v === null || v === '', 'end-of-word suffixes are not supported for BPE');
    off('byte_fallback', (v) => v === false, 'byte fallback is not supported');
    const vocab = vocabFromObject(j.vocab, file, `${path}.vocab`);
    const merges = parseMergeList(arr(j, 'merges', path, file), path, file);
    return new BpeModel(vocab, merges, {
      unkToken: typeof j.unk_token === 'string' ? j.unk_token : undefined,
      fuseUnk: bool(j.fuse_unk, false),
      ignoreMerges: bool(j.ignore_merges, false),
      source: `${file} ${path}`,
    });
  },
  WordPiece: (j, path, file) =>
    new WordPieceModel(vocabFromObject(j.vocab, file, `${path}.vocab`), {
      unkToken: typeof j.unk_token === 'string' ? j.unk_token : '[UNK]',
      continuingSubwordPrefix: typeof j.continuing_subword_prefix === 'string' ? j.continuing_subword_prefix : '##',
      maxInputCharsPerWord: typeof j.max_input_chars_per_word === 'number' ? j.max_input_chars_per_word : 100,
    }),
};

function pairField(j: Obj, key: string, path: string, file: string): [string, number] {
  const v = j[key];
  if (!Array.isArray(v) || typeof v[0] !== 'string' || typeof v[1] !== 'number') fail(file, `${path}.${key}`, 'a [token, id] pair');
  return [v[0], v[1]];
}

function templatePieces(list: unknown[], specials: Obj, path: string, file: string): TemplatePiece[] {
  return list.map((item, i) => {
    const at = `${path}[${i}]`;
    if (isObject(item) && isObject(item.SpecialToken)) {
      const s = item.SpecialToken;
      const name = str(s, 'id', `${at}.SpecialToken`, file);
      const def = specials[name];
      if (!isObject(def) || !Array.isArray(def.ids)) {
        throw new TokenizerError(messages.unknownTemplateToken(file, `${at}.SpecialToken.id`, name));
      }
      return { kind: 'special', token: name, ids: def.ids as number[], typeId: Number(s.type_id ?? 0) };
    }
    if (isObject(item) && isObject(item.Sequence)) {
      const s = item.Sequence;
      const id = s.id === 'B' ? 'B' : 'A';
      return { kind: 'sequence', seq: id, typeId: Number(s.type_id ?? 0) };
    }
    return fail(file, at, 'a {"SpecialToken": …} or {"Sequence": …} item');
  });
}

const POST_PROCESSORS: Record<string, Factory<PostProcessor>> = {
  RobertaProcessing: (j, path, file) => robertaProcessor(pairField(j, 'cls', path, file), pairField(j, 'sep', path, file)),
  BertProcessing: (j, path, file) => bertProcessor(pairField(j, 'cls', path, file), pairField(j, 'sep', path, file)),
  TemplateProcessing: (j, path, file) => {
    const specials = isObject(j.special_tokens) ? j.special_tokens : {};
    const single = templatePieces(arr(j, 'single', path, file), specials, `${path}.single`, file);
    const pair = templatePieces(arr(j, 'pair', path, file), specials, `${path}.pair`, file);
    return new TemplatePostProcessor(single, pair, 'template', 1, j as Json);
  },
  ByteLevel: (j) => plainProcessor(j as Json),
  Sequence: (j, path, file) => {
    const inner = arr(j, 'processors', path, file).map((p, i) => component(POST_PROCESSORS, p, `${path}.processors[${i}]`, file));
    const real = inner.filter((p) => p.family !== 'none');
    if (real.length > 1) {
      const families = real.map((p) => p.family);
      throw new TokenizerError(
        messages.unsupportedOption(file, `${path}.processors`, families, 'at most one processor that adds special tokens'),
      );
    }
    const only = real[0];
    if (!only) return plainProcessor(j as Json);
    const t = only as TemplatePostProcessor;
    return new TemplatePostProcessor(t.single, t.pair, t.family, t.family === 'roberta' ? 0 : 1, j as Json);
  },
};

const DECODERS: Record<string, Factory<Decoder>> = {
  ByteLevel: () => new ByteLevelDecoder(),
  WordPiece: (j) => new WordPieceDecoder(typeof j.prefix === 'string' ? j.prefix : '##', bool(j.cleanup, true)),
};

function parseAddedTokens(v: unknown, file: string): AddedToken[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) fail(file, 'added_tokens', 'an array');
  return v.map((t, i) => {
    const at = `added_tokens[${i}]`;
    if (!isObject(t)) fail(file, at, 'an object');
    if (typeof t.id !== 'number' || !Number.isInteger(t.id) || t.id < 0) fail(file, `${at}.id`, 'a non-negative integer');
    return {
      id: t.id,
      content: str(t, 'content', at, file),
      special: bool(t.special, false),
      lstrip: bool(t.lstrip, false),
      rstrip: bool(t.rstrip, false),
      normalized: bool(t.normalized, !bool(t.special, false)),
      singleWord: bool(t.single_word, false),
    };
  });
}

/** Roles guessed from the post-processor, the model's unk token and well-known special names. */
function inferRoles(post: PostProcessor, model: Model, added: AddedToken[]): SpecialTokenRoles {
  const roles: SpecialTokenRoles = {};
  const specials = post instanceof TemplatePostProcessor ? post.single.filter((p) => p.kind === 'special') : [];
  if (specials.length) {
    roles.cls = (specials[0] as { token: string }).token;
    roles.sep = (specials[specials.length - 1] as { token: string }).token;
    if (post.family === 'roberta') {
      roles.bos = roles.cls;
      roles.eos = roles.sep;
    }
  }
  if (model.unkToken !== undefined) roles.unk = model.unkToken;
  const names: Array<[keyof SpecialTokenRoles, string[]]> = [
    ['pad', ['<pad>', '[PAD]']],
    ['mask', ['<mask>', '[MASK]']],
    ['unk', ['<unk>', '[UNK]', '<|endoftext|>']],
    ['bos', ['<s>', '<|endoftext|>']],
    ['eos', ['</s>', '<|endoftext|>']],
  ];
  for (const [role, candidates] of names) {
    if (roles[role] !== undefined) continue;
    const hit = candidates.find((c) => added.some((t) => t.content === c && t.special));
    if (hit !== undefined) roles[role] = hit;
  }
  return roles;
}

/**
 * Builds a tokenizer from a parsed tokenizer.json; `cfg` (tokenizer_config.json and friends) adds
 * special-token roles, the length limit and the clean-up default.
 * @param file name used in error messages
 */
export function parseTokenizerJson(json: unknown, file = 'tokenizer.json', cfg?: TokenizerConfig): Tokenizer {
  if (!isObject(json)) fail(file, 'the top level', 'an object');
  const model = component(MODELS, json.model, 'model', file);
  let normalizer = json.normalizer == null ? undefined : component(NORMALIZERS, json.normalizer, 'normalizer', file);
  if (cfg?.doLowerCase !== undefined && normalizer instanceof BertNormalizer && normalizer.lowercase !== cfg.doLowerCase) {
    // transformers' BertTokenizerFast lets do_lower_case in tokenizer_config.json override the file.
    normalizer = new BertNormalizer({ ...normalizer, lowercase: cfg.doLowerCase, stripAccents: cfg.stripAccents ?? normalizer.stripAccents });
  }
  const preTokenizer = json.pre_tokenizer == null ? undefined : component(PRE_TOKENIZERS, json.pre_tokenizer, 'pre_tokenizer', file);
  const postProcessor = json.post_processor == null ? plainProcessor() : component(POST_PROCESSORS, json.post_processor, 'post_processor', file);
  const decoder = json.decoder == null ? new JoinDecoder() : component(DECODERS, json.decoder, 'decoder', file);
  const fromFile = parseAddedTokens(json.added_tokens, file);
  const { roles, addedTokens } = resolveSpecials(model, inferRoles(postProcessor, model, fromFile), new Map(), {
    roles: cfg?.roles,
    flags: cfg?.flags,
    additionalSpecialTokens: cfg?.additionalSpecialTokens,
    addedTokens: fromFile,
  });
  return new PipelineTokenizer({
    model,
    normalizer,
    preTokenizer,
    postProcessor,
    decoder,
    addedTokens,
    roles,
    modelMaxLength: cfg?.modelMaxLength,
    cleanUpTokenizationSpaces: cfg?.cleanUpTokenizationSpaces,
  });
}

/** The tokenizer.json form of a tokenizer. */
export function tokenizerToJson(tok: PipelineTokenizer): Json {
  const p = tok.parts;
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: p.addedTokens.map((t) => ({
      id: t.id,
      content: t.content,
      single_word: t.singleWord,
      lstrip: t.lstrip,
      rstrip: t.rstrip,
      normalized: t.normalized,
      special: t.special,
    })),
    normalizer: p.normalizer?.toJSON() ?? null,
    pre_tokenizer: p.preTokenizer?.toJSON() ?? null,
    post_processor: p.postProcessor.toJSON(),
    decoder: p.decoder.toJSON(),
    model: p.model.toJSON(),
  };
}
