import { describe, expect, it } from 'vitest';
import { createModel, headLogits, tinyConfig } from '../../src/model/index.js';
import { crossEntropy, maskBatch, packBlocks, pretrain, type MlmTokenizer } from '../../src/train/index.js';
import { embed, hash32, Rng, tf, toFloat32 } from '../../src/tensor/index.js';
import { useBackend } from '../helpers/backends.js';

/** <s>=0 <pad>=1 </s>=2 <mask>=3; words hash into 4..vocab−1. */
function mlmTokenizer(vocab = 60): MlmTokenizer {
  return {
    vocabSize: vocab, padId: 1, clsId: 0, sepId: 2, maskId: 3, specialIds: new Set([0, 1, 2, 3]),
    encodeBatch: (inputs) => ({ inputIds: inputs.map((t) => String(t).split(/\s+/).filter(Boolean).map((w) => 4 + (hash32(w) % (vocab - 4)))) }),
  };
}

const TEXTS = Array.from({ length: 40 }, (_, i) => `the cat sat on the mat number ${i % 5} and the dog ran to the park again`);

describe('masked-LM pre-training', () => {
  it('packs blocks and masks 15 % of ordinary tokens (80/10/10)', async () => {
    await useBackend('cpu');
    const tok = mlmTokenizer();
    const blocks = packBlocks(tok, TEXTS, 16);
    expect(blocks.every((b) => b.length === 16 && b[0] === 0 && b[15] === 2)).toBe(true);
    const many = Array.from({ length: 200 }, () => blocks[0]);
    const batch = maskBatch(many, tok, 0.15, new Rng(1));
    const ids = batch.inputIds.dataSync();
    const share = batch.masked / (200 * 14);
    expect(share).toBeGreaterThan(0.13);
    expect(share).toBeLessThan(0.17);
    const pos = batch.positions.dataSync();
    let maskTok = 0;
    for (const p of pos) if (ids[p] === 3) maskTok++;
    expect(maskTok / batch.masked).toBeGreaterThan(0.75);
    expect(maskTok / batch.masked).toBeLessThan(0.85);
    batch.dispose();
  });

  it('the loss over picked positions equals the loss over full logits at those positions', async () => {
    await useBackend('wasm');
    const model = createModel(tinyConfig({ architecture: 'roberta', vocabSize: 60, hiddenSize: 16, numHeads: 2, intermediateSize: 24 }), new Rng(1), { head: 'lm' });
    const tok = mlmTokenizer();
    const batch = maskBatch(packBlocks(tok, TEXTS, 16).slice(0, 3), tok, 0.15, new Rng(2));
    const picked = tf.tidy(() => {
      const h = model.forward({ inputIds: batch.inputIds, attentionMask: batch.attentionMask });
      const rows = embed(tf.reshape(h, [-1, 16]) as tf.Tensor2D, batch.positions, true);
      return crossEntropy(model.head!.forward(tf.reshape(rows, [1, batch.masked, 16]) as tf.Tensor3D, { inputIds: batch.inputIds }), batch.labels).dataSync()[0];
    });
    const full = tf.tidy(() => {
      const logits = tf.reshape(headLogits(model, { inputIds: batch.inputIds, attentionMask: batch.attentionMask }), [-1, 60]);
      return crossEntropy(tf.gather(logits, batch.positions), batch.labels).dataSync()[0];
    });
    expect(picked).toBeCloseTo(full, 5);
    batch.dispose();
    model.dispose();
  });

  it('trains every parameter, lowers the loss, keeps the tensor count flat (wasm)', async () => {
    await useBackend('wasm');
    const model = createModel(tinyConfig({ architecture: 'roberta', vocabSize: 60, hiddenSize: 16, numHeads: 2, intermediateSize: 24 }), new Rng(1), { head: 'lm' });
    const before = new Map(model.params.names().map((n) => [n, toFloat32(model.params.get(n)).slice()]));
    const counts: number[] = [];
    const r = await pretrain(model, mlmTokenizer(), TEXTS, { epochs: 6, batchSize: 8, maxLength: 16, lr: 5e-3, progress: 'none', checkMemory: true, onStep: (s) => counts.push(s.tensors) });
    expect(r.epochLosses[r.epochLosses.length - 1]).toBeLessThan(r.epochLosses[0] * 0.8);
    expect(new Set(counts.slice(1)).size).toBe(1);
    expect(model.params.trainable().size).toBe(0);
    const unchanged = model.params.names().filter((n) => toFloat32(model.params.get(n)).every((v, i) => v === before.get(n)![i]));
    // The padding row of the position table gets no gradient; token types have one row, always used.
    expect(unchanged).toEqual([]);
    model.dispose();
  });
});
