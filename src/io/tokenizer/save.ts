/**
 * Writes a tokenizer in the Hugging Face layout, so both this project and `transformers` can load it:
 *   BPE:        vocab.json + merges.txt     WordPiece: vocab.txt
 *   always:     tokenizer_config.json + special_tokens_map.json
 *   by default: tokenizer.json (complete pipeline; loadTokenizer prefers it)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BpeModel } from './bpe.js';
import { ROLE_KEYS, ROLE_NAMES } from './config.js';
import { BertNormalizer } from './normalize.js';
import { ByteLevelPreTokenizer } from './pretokenize.js';
import type { PipelineTokenizer } from './tokenizer.js';
import { tokenizerToJson } from './tokenizer-json.js';
import type { Json, SaveOptions } from './types.js';
import { formatMerges, formatVocabJson, formatVocabTxt } from './vocab-files.js';
import { WordPieceModel } from './wordpiece.js';

const CLASS_BY_FAMILY = {
  none: 'GPT2Tokenizer',
  roberta: 'RobertaTokenizer',
  bert: 'BertTokenizer',
  template: 'PreTrainedTokenizerFast',
} as const;

const json = (v: unknown): string => JSON.stringify(v, null, 2) + '\n';

export function saveTokenizer(tok: PipelineTokenizer, dir: string, options: SaveOptions = {}): void {
  mkdirSync(dir, { recursive: true });
  const p = tok.parts;
  const config: Record<string, Json> = {};
  if (p.model instanceof BpeModel) {
    writeFileSync(join(dir, 'vocab.json'), formatVocabJson(p.model.vocabulary));
    writeFileSync(join(dir, 'merges.txt'), formatMerges(p.model.merges));
    if (p.preTokenizer instanceof ByteLevelPreTokenizer) config.add_prefix_space = p.preTokenizer.addPrefixSpace;
  } else if (p.model instanceof WordPieceModel) {
    writeFileSync(join(dir, 'vocab.txt'), formatVocabTxt(p.model.vocabulary, join(dir, 'vocab.txt')));
    if (p.normalizer instanceof BertNormalizer) {
      config.do_lower_case = p.normalizer.lowercase;
      config.strip_accents = p.normalizer.stripAccents;
      config.tokenize_chinese_chars = p.normalizer.handleChineseChars;
    }
  }
  config.tokenizer_class = CLASS_BY_FAMILY[p.postProcessor.family];
  if (Number.isFinite(tok.modelMaxLength)) config.model_max_length = tok.modelMaxLength;
  config.clean_up_tokenization_spaces = p.cleanUpTokenizationSpaces ?? false;
  const map: Record<string, Json> = {};
  for (const r of ROLE_NAMES) {
    const content = tok.specialTokens[r];
    if (content === undefined) continue;
    config[ROLE_KEYS[r]] = content;
    const t = p.addedTokens.find((a) => a.content === content);
    map[ROLE_KEYS[r]] = {
      content,
      lstrip: t?.lstrip ?? false,
      normalized: t?.normalized ?? false,
      rstrip: t?.rstrip ?? false,
      single_word: t?.singleWord ?? false,
    };
  }
  const decoder: Record<string, Json> = {};
  for (const t of p.addedTokens) {
    decoder[String(t.id)] = {
      content: t.content,
      lstrip: t.lstrip,
      normalized: t.normalized,
      rstrip: t.rstrip,
      single_word: t.singleWord,
      special: t.special,
    };
  }
  config.added_tokens_decoder = decoder;
  writeFileSync(join(dir, 'tokenizer_config.json'), json(config));
  writeFileSync(join(dir, 'special_tokens_map.json'), json(map));
  if (options.tokenizerJson ?? true) writeFileSync(join(dir, 'tokenizer.json'), json(tokenizerToJson(tok)));
}
