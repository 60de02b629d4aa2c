/**
 * loadTokenizer(dir): finds the tokenizer files of a Hugging Face checkpoint folder.
 *   1. tokenizer.json                      (any supported pipeline)
 *   2. vocab.json + merges.txt             (GPT-2 or RoBERTa byte-level BPE)
 *   3. vocab.txt                           (BERT WordPiece)
 * tokenizer_config.json / special_tokens_map.json / added_tokens.json, when present, give special
 * tokens, casing (do_lower_case), add_prefix_space and model_max_length.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { buildByteLevelBpe, buildWordPiece } from './build.js';
import { readTokenizerConfig, type TokenizerConfig } from './config.js';
import { messages, TokenizerError } from './errors.js';
import { parseTokenizerJson } from './tokenizer-json.js';
import type { Tokenizer } from './types.js';
import { parseMerges, parseVocabJson, parseVocabTxt, readJson, readText } from './vocab-files.js';

function listDir(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
}

/** RoBERTa layout when the config says so, or when the vocabulary has `<s>` and `</s>`. */
function byteLevelLayout(cfg: TokenizerConfig, vocab: ReadonlyMap<string, number>): 'gpt2' | 'roberta' {
  const cls = cfg.tokenizerClass?.toLowerCase() ?? '';
  if (cls.startsWith('gpt2')) return 'gpt2';
  if (cls.startsWith('roberta') || cls.startsWith('bart') || cls.startsWith('longformer')) return 'roberta';
  if (cfg.roles.cls !== undefined && cfg.roles.sep !== undefined) return 'roberta';
  return vocab.has('<s>') && vocab.has('</s>') ? 'roberta' : 'gpt2';
}

const common = (cfg: TokenizerConfig) => ({
  roles: cfg.roles,
  flags: cfg.flags,
  additionalSpecialTokens: cfg.additionalSpecialTokens,
  addedTokens: cfg.addedTokens,
  modelMaxLength: cfg.modelMaxLength,
  cleanUpTokenizationSpaces: cfg.cleanUpTokenizationSpaces,
});

/**
 * Loads the tokenizer saved in `dir` (a Hugging Face checkpoint folder or one written by `save`).
 * @throws TokenizerError naming the directory and the files looked for when none is usable
 */
export function loadTokenizer(dir: string): Tokenizer {
  const has = (f: string) => existsSync(join(dir, f));
  if (!has('tokenizer.json') && !has('vocab.json') && !has('merges.txt') && !has('vocab.txt')) {
    throw new TokenizerError(messages.noTokenizerFiles(dir, listDir(dir)));
  }
  const cfg = readTokenizerConfig(dir);
  if (has('tokenizer.json')) {
    const file = join(dir, 'tokenizer.json');
    return parseTokenizerJson(readJson(file), file, cfg);
  }
  if (has('vocab.json') || has('merges.txt')) {
    if (!has('merges.txt')) throw new TokenizerError(messages.missingPartner(dir, 'vocab.json', 'merges.txt'));
    if (!has('vocab.json')) throw new TokenizerError(messages.missingPartner(dir, 'merges.txt', 'vocab.json'));
    const vocabFile = join(dir, 'vocab.json');
    const mergesFile = join(dir, 'merges.txt');
    const vocab = parseVocabJson(readText(vocabFile), vocabFile);
    const merges = parseMerges(readText(mergesFile), mergesFile);
    return buildByteLevelBpe(vocab, merges, {
      ...common(cfg),
      layout: byteLevelLayout(cfg, vocab),
      addPrefixSpace: cfg.addPrefixSpace,
      source: mergesFile,
    });
  }
  const vocabFile = join(dir, 'vocab.txt');
  return buildWordPiece(parseVocabTxt(readText(vocabFile), vocabFile), {
    ...common(cfg),
    doLowerCase: cfg.doLowerCase,
    stripAccents: cfg.stripAccents,
    tokenizeChineseChars: cfg.tokenizeChineseChars,
  });
}
