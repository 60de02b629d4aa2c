/**
 * Generation settings, named as Hugging Face's GenerationConfig (camelCase), validated before any
 * forward pass. Defaults are `transformers`' defaults: one beam (greedy), length_penalty 1,
 * early_stopping false, no n-gram blocking, one returned sequence, pad = eos when no pad is given.
 */
import type { TransformerConfig } from '../model/index.js';

export type EarlyStopping = boolean | 'never';

export interface GenerationOptions {
  /** New tokens to generate at most (HF max_new_tokens). Required. */
  maxNewTokens: number;
  /** Beams; 1 is greedy decoding. Default 1. */
  numBeams?: number;
  /** Finished-beam score = Σ log p / (generated length incl. eos) ** lengthPenalty. Default 1. */
  lengthPenalty?: number;
  /** true: stop a row at numBeams finished beams; false: HF's heuristic; 'never': canonical bound. Default false. */
  earlyStopping?: EarlyStopping;
  /** Ban any token that would repeat an n-gram of this size already in the row (0: off). Default 0. */
  noRepeatNgramSize?: number;
  /** Sequences returned per prompt (≤ numBeams; greedy: 1). Default 1. */
  numReturnSequences?: number;
  /** End-of-sequence id; default the config's eos_token_id; null: never stop early. */
  eosTokenId?: number | null;
  /** Id for left padding of prompts and after eos; default eosTokenId (as HF for GPT-2), else 0. */
  padTokenId?: number;
  /** Use the key/value cache (one token's forward per step). Default true; false recomputes the prefix each step. */
  useCache?: boolean;
}

export interface ResolvedOptions {
  maxNewTokens: number;
  numBeams: number;
  lengthPenalty: number;
  earlyStopping: EarlyStopping;
  noRepeatNgramSize: number;
  numReturnSequences: number;
  eosTokenId: number | null;
  padTokenId: number;
  useCache: boolean;
}

function int(value: unknown, field: string, min: number, what: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new Error(`generate: option /${field} must be an integer ≥ ${min} (${what}), got ${JSON.stringify(value)}`);
  }
  return value;
}

function tokenId(value: unknown, field: string, vocab: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value >= vocab) {
    throw new Error(`generate: option /${field} must be a token id in [0, ${vocab}), got ${JSON.stringify(value)}`);
  }
  return value;
}

/** Fills defaults and checks every field against `config`; errors name the field and what it accepts. */
export function resolveOptions(options: GenerationOptions, config: TransformerConfig): ResolvedOptions {
  if (options === null || typeof options !== 'object') throw new Error('generate: options must be an object with at least maxNewTokens');
  const maxNewTokens = int(options.maxNewTokens, 'maxNewTokens', 1, 'new tokens to generate');
  const numBeams = int(options.numBeams ?? 1, 'numBeams', 1, '1 for greedy decoding');
  const lengthPenalty = options.lengthPenalty ?? 1;
  if (typeof lengthPenalty !== 'number' || !Number.isFinite(lengthPenalty)) throw new Error(`generate: option /lengthPenalty must be a finite number, got ${JSON.stringify(lengthPenalty)}`);
  const earlyStopping = options.earlyStopping ?? false;
  if (earlyStopping !== true && earlyStopping !== false && earlyStopping !== 'never') {
    throw new Error(`generate: option /earlyStopping must be true, false or "never", got ${JSON.stringify(earlyStopping)}`);
  }
  const noRepeatNgramSize = int(options.noRepeatNgramSize ?? 0, 'noRepeatNgramSize', 0, '0 turns it off');
  const numReturnSequences = int(options.numReturnSequences ?? 1, 'numReturnSequences', 1, 'sequences per prompt');
  if (numReturnSequences > numBeams) throw new Error(`generate: option /numReturnSequences (${numReturnSequences}) must not exceed /numBeams (${numBeams}); raise numBeams`);
  const vocab = config.vocabSize;
  if (numBeams > 1 && 2 * numBeams > vocab) throw new Error(`generate: option /numBeams (${numBeams}) needs 2·numBeams ≤ vocabulary size ${vocab}`);
  const eosRaw = options.eosTokenId === undefined ? (config.eosTokenId ?? null) : options.eosTokenId;
  const eosTokenId = eosRaw === null ? null : tokenId(eosRaw, 'eosTokenId', vocab);
  const padTokenId = tokenId(options.padTokenId ?? eosTokenId ?? 0, 'padTokenId', vocab);
  const useCache = options.useCache ?? true;
  if (typeof useCache !== 'boolean') throw new Error(`generate: option /useCache must be true or false, got ${JSON.stringify(useCache)}`);
  return { maxNewTokens, numBeams, lengthPenalty, earlyStopping, noRepeatNgramSize, numReturnSequences, eosTokenId, padTokenId, useCache };
}

/** Checks prompts (non-empty id lists inside the vocabulary, room for maxNewTokens) and left-pads them. */
export function padPrompts(prompts: readonly (readonly number[])[], o: ResolvedOptions, config: TransformerConfig): { rows: number[][]; mask: number[][] } {
  if (!Array.isArray(prompts) || prompts.length === 0) throw new Error('generate: prompts must be a non-empty array of token-id arrays');
  let longest = 0;
  prompts.forEach((p, i) => {
    if (!Array.isArray(p) || p.length === 0) throw new Error(`generate: prompt /${i} must be a non-empty array of token ids`);
    p.forEach((t, j) => {
      if (!Number.isInteger(t) || t < 0 || t >= config.vocabSize) throw new Error(`generate: prompt /${i}/${j} is ${t}, outside the vocabulary [0, ${config.vocabSize})`);
    });
    longest = Math.max(longest, p.length);
  });
  if (longest + o.maxNewTokens > config.maxPositions) {
    throw new Error(`generate: the longest prompt (${longest} tokens) plus maxNewTokens (${o.maxNewTokens}) exceeds the model's ${config.maxPositions} positions; shorten one of them`);
  }
  const rows = prompts.map((p) => [...new Array<number>(longest - p.length).fill(o.padTokenId), ...p]);
  const mask = prompts.map((p) => [...new Array<number>(longest - p.length).fill(0), ...new Array<number>(p.length).fill(1)]);
  return { rows, mask };
}
