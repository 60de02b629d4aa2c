import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
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

const TEXTS = Array.from({ length: 40 }, (_, i) => `the cat sat on the mat number ${i % 5} and the dog ran to the park again ${i % 7}`);
const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'ghil-ckpt-'));
  dirs.push(d);
  return d;
};

/** 7 steps of MLM on a tiny RoBERTa with dropout (so the dropout stream's position matters), 5 blocks per step over 40 (reshuffles). */
async function mlm(options: { checkpoint?: { dir: string; every: number }; stopAfter?: number; microBatches?: number; lr?: number; checkpointSettings?: Record<string, string> }) {
  const tok = mlmTokenizer();
  const blocks = makeBlocks(tok, TEXTS, 12);
  const raw = configToJson(tinyConfig({ architecture: 'roberta', vocabSize: 60, hiddenSize: 16, numHeads: 2, intermediateSize: 24 }));
  const model = createModel(parseConfig(raw, 'test config'), new Rng(3), { head: 'lm' });
  try {
    const r = await pretrainMlm(model, tok, blocks, blocks.slice(0, 8), {
      steps: 7, batchSize: options.microBatches ? 6 : 5, lr: options.lr ?? 5e-3, seed: 2, evalEvery: 3, progress: 'none', checkpoint: options.checkpoint,
      microBatches: options.microBatches, workers: options.microBatches ? 2 : 1, checkpointSettings: options.checkpointSettings,
      onStep: ({ step }) => {
        if (options.stopAfter !== undefined && step > options.stopAfter) throw new Error(`killed at step ${step}`);
      },
    });
    return { history: r.history, weights: model.params.names().map((n) => Array.from(toFloat32(model.params.get(n)))) };
  } finally {
    model.dispose();
  }
}

describe('pre-training checkpoints: a resumed run ends where an uninterrupted one does', () => {
  it('MLM: killed after step 5 (last checkpoint at 4), resumed: the same weights bit for bit and the same held-out history', async () => {
    await useBackend('wasm');
    const before = tensorCount();
    const straight = await mlm({});
    const dir = tempDir();
    await expect(mlm({ checkpoint: { dir, every: 2 }, stopAfter: 5 })).rejects.toThrow(/killed at step 6/);
    const resumed = await mlm({ checkpoint: { dir, every: 2 } });
    expect(resumed.weights).toEqual(straight.weights);
    expect(resumed.history).toEqual(straight.history);
    expect(resumed.history.map((h) => h.step)).toEqual([3, 6, 7]);
    // A finished run's checkpoint resumes to the same result without a step.
    const again = await mlm({ checkpoint: { dir, every: 2 } });
    expect(again.weights).toEqual(straight.weights);
    expect(tensorCount()).toBe(before);
  }, 120_000);

  it('MLM on two threads (micro-batches): resumed equals uninterrupted', async () => {
    await useBackend('wasm');
    const straight = await mlm({ microBatches: 2 });
    const dir = tempDir();
    await expect(mlm({ checkpoint: { dir, every: 3 }, microBatches: 2, stopAfter: 4 })).rejects.toThrow(/killed/);
    expect((await mlm({ checkpoint: { dir, every: 3 }, microBatches: 2 })).weights).toEqual(straight.weights);
  }, 120_000);

  it('causal LM: resumed equals uninterrupted', async () => {
    await useBackend('wasm');
    const blocks = Array.from({ length: 40 }, (_, i) => Int32Array.from({ length: 12 }, (_, t) => ((i * 3 + t * t) % 7) * 3 + 1));
    const run = async (checkpoint?: { dir: string; every: number }, stopAfter?: number) => {
      const model = createModel(tinyConfig({ architecture: 'gpt2', vocabSize: 50, hiddenSize: 16, numHeads: 2 }), new Rng(5), { head: 'lm' });
      try {
        await pretrainClm(model, blocks.slice(0, 32), blocks.slice(32), {
          steps: 5, batchSize: 7, lr: 1e-2, progress: 'none', checkpoint,
          onStep: ({ step }) => {
            if (stopAfter !== undefined && step > stopAfter) throw new Error('killed');
          },
        });
        return Array.from(toFloat32(model.params.get('h.1.mlp.c_fc.weight')));
      } finally {
        model.dispose();
      }
    };
    const straight = await run();
    const dir = tempDir();
    await expect(run({ dir, every: 2 }, 3)).rejects.toThrow(/killed/);
    expect(await run({ dir, every: 2 })).toEqual(straight);
  }, 120_000);

  it('refuses a checkpoint written with other settings, naming the file and the field', async () => {
    await useBackend('wasm');
    const dir = tempDir();
    await expect(mlm({ checkpoint: { dir, every: 2 }, stopAfter: 2 })).rejects.toThrow(/killed/);
    await expect(mlm({ checkpoint: { dir, every: 2 }, lr: 1e-3 })).rejects.toThrow(/checkpoint\.safetensors: settings field 'lr' is 0\.005 in the checkpoint, 0\.001 in this run/);
    await expect(mlm({ checkpoint: { dir, every: 0 } })).rejects.toThrow(/checkpoint\.every must be an integer ≥ 1, got 0/);
    // The caller's own settings (the recipe's position initialisation) are checked the same way.
    const other = tempDir();
    await expect(mlm({ checkpoint: { dir: other, every: 2 }, stopAfter: 2, checkpointSettings: { positionInit: 'sinusoidal' } })).rejects.toThrow(/killed/);
    await expect(mlm({ checkpoint: { dir: other, every: 2 }, checkpointSettings: { positionInit: 'normal' } })).rejects.toThrow(/settings field 'positionInit' is "?sinusoidal"? in the checkpoint, "?normal"? in this run/);
  }, 120_000);
});
