import { describe, expect, it } from 'vitest';
import { configToJson, createModel, parseConfig, tinyConfig } from '../../src/model/index.js';
import { makeBlocks, pretrainClm, pretrainMlm, type MlmTokenizer } from '../../src/train/index.js';
import { hash32, Rng, tensorCount, toFloat32 } from '../../src/tensor/index.js';
import { useBackend } from '../helpers/backends.js';

function mlmTokenizer(vocab = 60): MlmTokenizer {
  return {
    vocabSize: vocab, padId: 1, bosId: 0, eosId: 2, maskId: 3, specialIds: new Set([0, 1, 2, 3]),
    encode: (text: string) => ({ ids: text.split(/\s+/).filter(Boolean).map((w) => 4 + (hash32(w) % (vocab - 4))) }),
  };
}

const TEXTS = Array.from({ length: 40 }, (_, i) => `the cat sat on the mat number ${i % 5} and the dog ran to the park again ${i % 3}`);

/** A tiny RoBERTa, optionally without dropout (so micro-batching changes nothing but the summation). */
function config(dropout: boolean) {
  const raw = configToJson(tinyConfig({ architecture: 'roberta', vocabSize: 60, hiddenSize: 16, numHeads: 2, intermediateSize: 24 }));
  if (!dropout) Object.assign(raw, { hidden_dropout_prob: 0, attention_probs_dropout_prob: 0 });
  return parseConfig(raw, 'test config');
}

async function train(options: { microBatches?: number; workers?: number; dropout?: boolean }) {
  const tok = mlmTokenizer();
  const blocks = makeBlocks(tok, TEXTS, 16);
  const model = createModel(config(options.dropout ?? true), new Rng(3), { head: 'lm' });
  const counts: number[] = [];
  const r = await pretrainMlm(model, tok, blocks, blocks.slice(0, 8), {
    steps: 8, batchSize: 8, lr: 5e-3, seed: 2, progress: 'none', microBatches: options.microBatches, workers: options.workers, onStep: (s) => counts.push(s.tensors),
  });
  const weights = model.params.names().map((n) => Array.from(toFloat32(model.params.get(n))));
  model.dispose();
  return { r, weights, counts };
}

describe('data-parallel pre-training (micro-batches over threads)', () => {
  it('the same weights, bit for bit, from 1 thread and from 2 threads', async () => {
    await useBackend('wasm');
    const before = tensorCount();
    const one = await train({ microBatches: 2, workers: 1 });
    const two = await train({ microBatches: 2, workers: 2 });
    expect(two.weights).toEqual(one.weights);
    expect(two.r.final.loss).toBe(one.r.final.loss);
    expect(new Set(two.counts.slice(1)).size).toBe(1);
    expect(tensorCount()).toBe(before);
  }, 120_000);

  it('without dropout, micro-batches average to the whole batch (token-weighted), within float rounding', async () => {
    await useBackend('wasm');
    const whole = await train({ dropout: false });
    const parts = await train({ microBatches: 4, workers: 2, dropout: false });
    let worst = 0;
    whole.weights.forEach((w, i) => w.forEach((v, j) => { worst = Math.max(worst, Math.abs(v - parts.weights[i][j])); }));
    expect(worst).toBeLessThan(2e-5);
    // Averaging the parts unweighted (each part's mean loss counted equally) moves them by ≈ 0.02.
  }, 120_000);

  it('refuses a micro-batch count that does not divide the batch, and more threads than micro-batches', async () => {
    await useBackend('wasm');
    await expect(train({ microBatches: 3 })).rejects.toThrow(/microBatches must be an integer ≥ 1 dividing the batch size 8, got 3/);
    await expect(train({ microBatches: 2, workers: 3 })).rejects.toThrow(/workers must be an integer from 1 to microBatches \(2\), got 3/);
  });

  it('causal LM runs on two threads too, the same as on one', async () => {
    await useBackend('wasm');
    const blocks = Array.from({ length: 40 }, (_, i) => Int32Array.from({ length: 12 }, (_, t) => ((i + t) % 7) * 3 + 1));
    const run = async (workers: number) => {
      const model = createModel(tinyConfig({ architecture: 'gpt2', vocabSize: 50, hiddenSize: 16, numHeads: 2 }), new Rng(5), { head: 'lm' });
      await pretrainClm(model, blocks.slice(0, 32), blocks.slice(32), { steps: 4, batchSize: 8, lr: 1e-2, progress: 'none', microBatches: 2, workers });
      const w = Array.from(toFloat32(model.params.get('h.1.mlp.c_fc.weight')));
      model.dispose();
      return w;
    };
    expect(await run(2)).toEqual(await run(1));
  }, 120_000);
});
