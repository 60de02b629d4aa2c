import { statSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadModel } from '../../src/io/index.js';
import { loadTokenizer } from '../../src/io/tokenizer/index.js';
import { tensorCount } from '../../src/tensor/index.js';
import { corpusTexts, DEEP_ROBERTA_RECIPE, evaluateMlm, makeBlocks, type MlmTokenizer } from '../../src/train/index.js';
import { useBackend } from '../helpers/backends.js';

const dir = fileURLToPath(new URL('../../models/deep-roberta', import.meta.url));

describe('the shipped models/deep-roberta', () => {
  it('is the 8-layer model its recipe and PRETRAINING.json describe, ≤ 20 MB, with the tokenizer of tiny-roberta', () => {
    const report = JSON.parse(readFileSync(`${dir}/PRETRAINING.json`, 'utf8'));
    const { init, ...recipe } = report.recipe;
    expect(init ?? null).toBeNull();
    expect(recipe).toEqual(DEEP_ROBERTA_RECIPE);
    const config = JSON.parse(readFileSync(`${dir}/config.json`, 'utf8'));
    expect([config.num_hidden_layers, config.hidden_size, config.vocab_size]).toEqual([8, 128, 8192]);
    // Pre-trained without dropout; fine-tuning uses RoBERTa's 0.1.
    expect([config.hidden_dropout_prob, config.attention_probs_dropout_prob]).toEqual([0.1, 0.1]);
    expect(statSync(`${dir}/model.safetensors`).size).toBeLessThan(20e6);
    expect(readFileSync(`${dir}/vocab.json`, 'utf8')).toBe(readFileSync(fileURLToPath(new URL('../../models/tiny-roberta/vocab.json', import.meta.url)), 'utf8'));
  });

  it('its f16 weights reproduce the recorded held-out masked-LM accuracy, above tiny-roberta\'s, on the fixed masks', async () => {
    await useBackend('wasm');
    const report = JSON.parse(readFileSync(`${dir}/PRETRAINING.json`, 'utf8'));
    const before = tensorCount();
    const model = await loadModel(dir, { withHead: 'lm' });
    const tok = loadTokenizer(dir) as unknown as MlmTokenizer;
    const held = makeBlocks(tok, corpusTexts('validation'), DEEP_ROBERTA_RECIPE.seqLength).slice(0, 256);
    const e = evaluateMlm(model, tok, held, 32, DEEP_ROBERTA_RECIPE.seed);
    model.dispose();
    expect(e.maskedTokens).toBe(report.result.final.maskedTokens);
    expect(Math.abs(e.accuracy - report.result.final.accuracy)).toBeLessThan(0.005);
    const tiny = JSON.parse(readFileSync(fileURLToPath(new URL('../../models/tiny-roberta/PRETRAINING.json', import.meta.url)), 'utf8'));
    expect(e.accuracy).toBeGreaterThan(tiny.result.final.accuracy + 0.02);
    expect(tensorCount()).toBe(before);
  }, 120_000);
});
