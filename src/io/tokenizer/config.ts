/**
 * tokenizer_config.json, special_tokens_map.json and added_tokens.json: the Hugging Face files that
 * name special tokens, their matching flags, casing and the model's length limit.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { isObject, readJson } from './vocab-files.js';
import type { AddedToken, SpecialTokenRoles } from './types.js';

export const ROLE_KEYS = {
  bos: 'bos_token',
  eos: 'eos_token',
  unk: 'unk_token',
  sep: 'sep_token',
  pad: 'pad_token',
  cls: 'cls_token',
  mask: 'mask_token',
} as const satisfies Record<keyof SpecialTokenRoles, string>;

export type RoleName = keyof typeof ROLE_KEYS;
export const ROLE_NAMES = Object.keys(ROLE_KEYS) as RoleName[];

/** Matching flags of a special token, as a partial AddedToken. */
export type TokenFlags = Partial<Pick<AddedToken, 'lstrip' | 'rstrip' | 'normalized' | 'singleWord'>>;

export interface TokenizerConfig {
  roles: SpecialTokenRoles;
  /** Flags given for special tokens in object form ({"content": "<mask>", "lstrip": true}). */
  flags: Map<string, TokenFlags>;
  additionalSpecialTokens: string[];
  /** From added_tokens_decoder (tokenizer_config.json) and added_tokens.json. */
  addedTokens: AddedToken[];
  modelMaxLength?: number;
  doLowerCase?: boolean;
  stripAccents?: boolean | null;
  tokenizeChineseChars?: boolean;
  addPrefixSpace?: boolean;
  cleanUpTokenizationSpaces?: boolean;
  tokenizerClass?: string;
  /** Names of the files that were read. */
  files: string[];
}

/** HF stores "no limit" as int(1e30). */
const VERY_LARGE = 1e20;

function tokenValue(v: unknown): { content: string; flags: TokenFlags } | undefined {
  if (typeof v === 'string') return { content: v, flags: {} };
  if (isObject(v) && typeof v.content === 'string') {
    const flags: TokenFlags = {};
    if (typeof v.lstrip === 'boolean') flags.lstrip = v.lstrip;
    if (typeof v.rstrip === 'boolean') flags.rstrip = v.rstrip;
    if (typeof v.normalized === 'boolean') flags.normalized = v.normalized;
    if (typeof v.single_word === 'boolean') flags.singleWord = v.single_word;
    return { content: v.content, flags };
  }
  return undefined;
}

function applyRoles(cfg: TokenizerConfig, obj: Record<string, unknown>): void {
  for (const r of ROLE_NAMES) {
    const t = tokenValue(obj[ROLE_KEYS[r]]);
    if (t) {
      cfg.roles[r] = t.content;
      cfg.flags.set(t.content, { ...cfg.flags.get(t.content), ...t.flags });
    }
  }
  const extra = obj.additional_special_tokens;
  if (Array.isArray(extra)) {
    for (const e of extra) {
      const t = tokenValue(e);
      if (!t) continue;
      if (!cfg.additionalSpecialTokens.includes(t.content)) cfg.additionalSpecialTokens.push(t.content);
      cfg.flags.set(t.content, { ...cfg.flags.get(t.content), ...t.flags });
    }
  }
}

/** Reads whichever of the three files exist in `dir`; a missing file contributes nothing. */
export function readTokenizerConfig(dir: string): TokenizerConfig {
  const cfg: TokenizerConfig = { roles: {}, flags: new Map(), additionalSpecialTokens: [], addedTokens: [], files: [] };
  const configFile = join(dir, 'tokenizer_config.json');
  if (existsSync(configFile)) {
    const obj = readJson(configFile);
    cfg.files.push('tokenizer_config.json');
    if (isObject(obj)) {
      applyRoles(cfg, obj);
      const m = obj.model_max_length;
      if (typeof m === 'number' && m > 0) cfg.modelMaxLength = m >= VERY_LARGE ? Infinity : m;
      if (typeof obj.do_lower_case === 'boolean') cfg.doLowerCase = obj.do_lower_case;
      if (typeof obj.strip_accents === 'boolean' || obj.strip_accents === null) cfg.stripAccents = obj.strip_accents;
      if (typeof obj.tokenize_chinese_chars === 'boolean') cfg.tokenizeChineseChars = obj.tokenize_chinese_chars;
      if (typeof obj.add_prefix_space === 'boolean') cfg.addPrefixSpace = obj.add_prefix_space;
      if (typeof obj.clean_up_tokenization_spaces === 'boolean') cfg.cleanUpTokenizationSpaces = obj.clean_up_tokenization_spaces;
      if (typeof obj.tokenizer_class === 'string') cfg.tokenizerClass = obj.tokenizer_class;
      const dec = obj.added_tokens_decoder;
      if (isObject(dec)) {
        for (const [k, v] of Object.entries(dec)) {
          const t = tokenValue(v);
          const id = Number(k);
          if (!t || !Number.isInteger(id) || id < 0) continue;
          cfg.addedTokens.push({
            id,
            content: t.content,
            special: isObject(v) && v.special === true,
            lstrip: t.flags.lstrip ?? false,
            rstrip: t.flags.rstrip ?? false,
            normalized: t.flags.normalized ?? !(isObject(v) && v.special === true),
            singleWord: t.flags.singleWord ?? false,
          });
        }
      }
    }
  }
  const mapFile = join(dir, 'special_tokens_map.json');
  if (existsSync(mapFile)) {
    const obj = readJson(mapFile);
    cfg.files.push('special_tokens_map.json');
    if (isObject(obj)) applyRoles(cfg, obj);
  }
  const addedFile = join(dir, 'added_tokens.json');
  if (existsSync(addedFile)) {
    const obj = readJson(addedFile);
    cfg.files.push('added_tokens.json');
    if (isObject(obj)) {
      for (const [content, id] of Object.entries(obj)) {
        if (typeof id !== 'number' || cfg.addedTokens.some((t) => t.id === id)) continue;
        const special = Object.values(cfg.roles).includes(content) || cfg.additionalSpecialTokens.includes(content);
        cfg.addedTokens.push({ id, content, special, lstrip: false, rstrip: false, normalized: !special, singleWord: false });
      }
    }
  }
  return cfg;
}
