/**
 * Assembles the standard tokenizers from vocabularies: GPT-2 and RoBERTa (byte-level BPE) and BERT
 * (WordPiece), with Hugging Face's default special tokens, which tokenizer_config.json /
 * special_tokens_map.json may override.
 */
import { BpeModel } from './bpe.js';
import type { TokenFlags } from './config.js';
import { ByteLevelDecoder, WordPieceDecoder } from './decoders.js';
import { BertNormalizer } from './normalize.js';
import { bertProcessor, gpt2Processor, plainProcessor, robertaProcessor } from './post-process.js';
import { BertPreTokenizer, ByteLevelPreTokenizer } from './pretokenize.js';
import { PipelineTokenizer } from './tokenizer.js';
import type { AddedToken, Model, PostProcessor, SpecialTokenRoles, Tokenizer } from './types.js';
import { WordPieceModel } from './wordpiece.js';

export interface SpecialTokenOptions {
  /** Roles given explicitly (config files); they replace the family defaults and are added if absent. */
  roles?: SpecialTokenRoles;
  /** Matching flags per special token content. */
  flags?: ReadonlyMap<string, TokenFlags>;
  additionalSpecialTokens?: readonly string[];
  /** Added tokens with fixed ids (added_tokens_decoder, added_tokens.json). */
  addedTokens?: readonly AddedToken[];
  /** Infinity when unknown. */
  modelMaxLength?: number;
  cleanUpTokenizationSpaces?: boolean;
}

export const GPT2_ROLES: SpecialTokenRoles = { bos: '<|endoftext|>', eos: '<|endoftext|>', unk: '<|endoftext|>' };
export const ROBERTA_ROLES: SpecialTokenRoles = {
  bos: '<s>',
  eos: '</s>',
  sep: '</s>',
  cls: '<s>',
  unk: '<unk>',
  pad: '<pad>',
  mask: '<mask>',
};
export const BERT_ROLES: SpecialTokenRoles = { unk: '[UNK]', sep: '[SEP]', pad: '[PAD]', cls: '[CLS]', mask: '[MASK]' };
/** RoBERTa's `<mask>` swallows the space before it ("is <mask>." → "is", "<mask>", "."). */
const ROBERTA_FLAGS = new Map<string, TokenFlags>([['<mask>', { lstrip: true }]]);

/**
 * Roles and added tokens: defaults kept only when the vocabulary has them; explicit roles and
 * additional special tokens missing from the vocabulary get the next free id, as in Hugging Face.
 */
export function resolveSpecials(
  model: Model,
  defaults: SpecialTokenRoles,
  defaultFlags: ReadonlyMap<string, TokenFlags>,
  o: SpecialTokenOptions,
): { roles: SpecialTokenRoles; addedTokens: AddedToken[] } {
  const added = new Map<string, AddedToken>();
  for (const t of o.addedTokens ?? []) added.set(t.content, { ...t });
  const has = (t: string) => added.has(t) || model.tokenToId(t) !== undefined;
  const roles: SpecialTokenRoles = {};
  for (const [r, t] of Object.entries(defaults) as Array<[keyof SpecialTokenRoles, string]>) if (has(t)) roles[r] = t;
  Object.assign(roles, o.roles ?? {});
  let next = Math.max(model.size, ...[...added.values()].map((t) => t.id + 1));
  const specials = [...new Set([...Object.values(roles), ...(o.additionalSpecialTokens ?? [])])] as string[];
  for (const content of specials) {
    const flags = { ...defaultFlags.get(content), ...o.flags?.get(content) };
    const prev = added.get(content);
    if (prev) {
      added.set(content, { ...prev, special: true, ...flags });
      continue;
    }
    const id = model.tokenToId(content) ?? next++;
    added.set(content, {
      id,
      content,
      special: true,
      lstrip: flags.lstrip ?? false,
      rstrip: flags.rstrip ?? false,
      normalized: flags.normalized ?? false,
      singleWord: flags.singleWord ?? false,
    });
  }
  return { roles, addedTokens: [...added.values()].sort((a, b) => a.id - b.id) };
}

function idOf(content: string | undefined, model: Model, added: AddedToken[]): [string, number] | undefined {
  if (content === undefined) return undefined;
  const id = added.find((t) => t.content === content)?.id ?? model.tokenToId(content);
  return id === undefined ? undefined : [content, id];
}

export interface ByteLevelBpeOptions extends SpecialTokenOptions {
  /** 'roberta': `<s> A </s>` with RoBERTa's specials; 'gpt2': no specials added. */
  layout: 'gpt2' | 'roberta';
  /** Treat the first word like the others (" Hello"). Default false, as in GPT-2 and RoBERTa. */
  addPrefixSpace?: boolean;
  /** File name for error messages. */
  source?: string;
}

export function buildByteLevelBpe(
  vocab: ReadonlyMap<string, number>,
  merges: ReadonlyArray<readonly [string, string]>,
  o: ByteLevelBpeOptions,
): Tokenizer {
  const roberta = o.layout === 'roberta';
  const defaults = roberta ? ROBERTA_ROLES : GPT2_ROLES;
  // Like transformers' slow GPT2Tokenizer/RobertaTokenizer, symbols missing from the vocabulary
  // become the unk token (never happens with a complete byte alphabet).
  const unk = o.roles?.unk ?? (defaults.unk !== undefined && vocab.has(defaults.unk) ? defaults.unk : undefined);
  const model = new BpeModel(vocab, merges, { source: o.source, unkToken: unk !== undefined && vocab.has(unk) ? unk : undefined });
  const { roles, addedTokens } = resolveSpecials(model, defaults, roberta ? ROBERTA_FLAGS : new Map(), o);
  let post: PostProcessor = gpt2Processor();
  if (roberta) {
    const cls = idOf(roles.cls ?? roles.bos, model, addedTokens);
    const sep = idOf(roles.sep ?? roles.eos, model, addedTokens);
    post = cls && sep ? robertaProcessor(cls, sep) : plainProcessor();
  }
  return new PipelineTokenizer({
    model,
    preTokenizer: new ByteLevelPreTokenizer({ addPrefixSpace: o.addPrefixSpace ?? false }),
    postProcessor: post,
    decoder: new ByteLevelDecoder(),
    addedTokens,
    roles,
    modelMaxLength: o.modelMaxLength,
    cleanUpTokenizationSpaces: o.cleanUpTokenizationSpaces,
  });
}

export interface WordPieceBuildOptions extends SpecialTokenOptions {
  /** Default true (bert-base-uncased). */
  doLowerCase?: boolean;
  /** null/undefined: follow doLowerCase. */
  stripAccents?: boolean | null;
  /** Default true. */
  tokenizeChineseChars?: boolean;
  maxInputCharsPerWord?: number;
}

export function buildWordPiece(vocab: ReadonlyMap<string, number>, o: WordPieceBuildOptions = {}): Tokenizer {
  const unk = o.roles?.unk ?? '[UNK]';
  const model = new WordPieceModel(vocab, { unkToken: unk, maxInputCharsPerWord: o.maxInputCharsPerWord });
  const { roles, addedTokens } = resolveSpecials(model, BERT_ROLES, new Map(), o);
  const cls = idOf(roles.cls, model, addedTokens);
  const sep = idOf(roles.sep, model, addedTokens);
  return new PipelineTokenizer({
    model,
    normalizer: new BertNormalizer({
      lowercase: o.doLowerCase ?? true,
      stripAccents: o.stripAccents ?? null,
      handleChineseChars: o.tokenizeChineseChars ?? true,
    }),
    preTokenizer: new BertPreTokenizer(),
    postProcessor: cls && sep ? bertProcessor(cls, sep) : plainProcessor(),
    decoder: new WordPieceDecoder('##', true),
    addedTokens,
    roles,
    modelMaxLength: o.modelMaxLength,
    cleanUpTokenizationSpaces: o.cleanUpTokenizationSpaces,
  });
}
