/**
 * Greedy decoding and beam search against golden ids from scripts/make_generation_fixtures.py: an
 * independent PyTorch GPT-2 forward without a cache and a re-implementation of Hugging Face
 * `generate`'s greedy and beam-search semantics, on test/fixtures/tiny-gpt2-random/lm-head.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generate, type GenerationOptions } from '../../src/generate/index.js';
import { loadModel } from '../../src/io/index.js';
import { tensorCount } from '../../src/tensor/index.js';
import { TEST_BACKENDS, useBackend } from '../helpers/backends.js';

const FIX = new URL('../fixtures/', import.meta.url).pathname;
const MODEL = `${FIX}tiny-gpt2-random/lm-head`;

interface Case {
  name: string;
  prompts: number[][];
  settings: Record<string, number | boolean | string>;
  sequences: number[][];
  scores: (number | null)[];
  min_margin: number;
}

const CASES = (JSON.parse(readFileSync(`${FIX}generation/golden.json`, 'utf8')) as { cases: Case[] }).cases;

/** HF GenerationConfig names → GenerationOptions. */
function options(s: Case['settings']): GenerationOptions {
  const o: GenerationOptions = { maxNewTokens: s.max_new_tokens as number };
  if (s.num_beams !== undefined) o.numBeams = s.num_beams as number;
  if (s.length_penalty !== undefined) o.lengthPenalty = s.length_penalty as number;
  if (s.early_stopping !== undefined) o.earlyStopping = s.early_stopping as boolean | 'never';
  if (s.no_repeat_ngram_size !== undefined) o.noRepeatNgramSize = s.no_repeat_ngram_size as number;
  if (s.num_return_sequences !== undefined) o.numReturnSequences = s.num_return_sequences as number;
  if (s.eos_token_id !== undefined) o.eosTokenId = s.eos_token_id as number;
  if (s.pad_token_id !== undefined) o.padTokenId = s.pad_token_id as number;
  return o;
}

describe.each(TEST_BACKENDS)('generate on %s', (backend) => {
  it.each(CASES.map((c) => [c.name, c] as const))('%s: golden ids and scores, cached and recomputed', async (_name, c) => {
    await useBackend(backend);
    const model = await loadModel(MODEL);
    try {
      for (const useCache of [true, false]) {
        const out = generate(model, c.prompts, { ...options(c.settings), useCache });
        expect(out.sequences, `useCache ${useCache}`).toEqual(c.sequences);
        if (c.scores[0] === null) expect(out.scores).toBeNull();
        else out.scores!.forEach((s, i) => expect(Math.abs(s - c.scores[i]!)).toBeLessThan(1e-4));
      }
    } finally {
      model.dispose();
    }
  });
});

describe('generate bookkeeping', () => {
  it('tokens stop at eos; tensor count is flat across calls; same call, same ids', async () => {
    await useBackend('cpu');
    const model = await loadModel(MODEL);
    const c = CASES.find((x) => x.name.startsWith('greedy, batch of three'))!;
    const first = generate(model, c.prompts, options(c.settings));
    const before = tensorCount();
    for (const numBeams of [1, 3]) generate(model, c.prompts, { ...options(c.settings), numBeams });
    expect(tensorCount()).toBe(before);
    expect(generate(model, c.prompts, options(c.settings))).toEqual(first);
    expect(first.promptLength).toBe(6);
    // Row 2 emitted eos (46) first and then padding; its tokens end at eos.
    expect(first.tokens[1]).toEqual([46]);
    expect(first.tokens[0]).toHaveLength(10);
    model.dispose();
  });

  it('rejects bad options and prompts before any forward pass, naming the field', async () => {
    await useBackend('cpu');
    const model = await loadModel(MODEL);
    const bare = await loadModel(`${FIX}tiny-gpt2-random`);
    try {
      expect(() => generate(model, [[1, 2]], { maxNewTokens: 0 })).toThrow(/\/maxNewTokens must be an integer ≥ 1/);
      expect(() => generate(model, [[1, 2]], { maxNewTokens: 3, numBeams: 2, numReturnSequences: 3 })).toThrow(/\/numReturnSequences \(3\) must not exceed \/numBeams/);
      expect(() => generate(model, [[1, 2]], { maxNewTokens: 3, earlyStopping: 'always' as never })).toThrow(/\/earlyStopping must be true, false or "never"/);
      expect(() => generate(model, [[1, 2]], { maxNewTokens: 3, eosTokenId: 100 })).toThrow(/\/eosTokenId must be a token id in \[0, 100\)/);
      expect(() => generate(model, [[1, 2], [3, 100]], { maxNewTokens: 3 })).toThrow(/prompt \/1\/1 is 100/);
      expect(() => generate(model, [[1, 2], []], { maxNewTokens: 3 })).toThrow(/prompt \/1 must be a non-empty array/);
      expect(() => generate(model, [[1, 2]], { maxNewTokens: 39 })).toThrow(/plus maxNewTokens \(39\) exceeds the model's 40 positions/);
      expect(() => generate(bare, [[1, 2]], { maxNewTokens: 3 })).toThrow(/no LM head; load it with \{ withHead: 'lm' \}/);
    } finally {
      model.dispose();
      bare.dispose();
    }
  });
});
