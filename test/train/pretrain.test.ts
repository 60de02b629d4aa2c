import { describe, expect, it } from 'vitest';
import { createModel, headLogits, tinyConfig } from '../../src/model/index.js';
import { crossEntropy, evaluateMlm, makeBlocks, maskBlocks, pretrainMlm, sinusoidalPositions, type MlmTokenizer } from '../../src/train/index.js';
import { embed, hash32, Rng, tf, toFloat32 } from '../../src/tensor/index.js';
import { useBackend } from '../helpers/backends.js';

/** <s>=0 <pad>=1 </s>=2 <mask>=3; words hash into 4..vocab−1. */
function mlmTokenizer(vocab = 60): MlmTokenizer {
  return {
    vocabSize: vocab, padId: 1, bosId: 0, eosId: 2, maskId: 3, specialIds: new Set([0, 1, 2, 3]),
    encode: (text: string) => ({ ids: text.split(/\s+/).filter(Boolean).map((w) => 4 + (hash32(w) % (vocab - 4))) }),
  };
}

const TEXTS = Array.from({ length: 40 }, (_, i) => `the cat sat on the mat number ${i % 5} and the dog ran to the park again`);
const config = () => tinyConfig({ architecture: 'roberta', vocabSize: 60, hiddenSize: 16, numHeads: 2, intermediateSize: 24 });

describe('masked-LM pre-training', () => {
  it('packs blocks and masks 15 % of ordinary tokens (80/10/10), never specials', () => {
    const tok = mlmTokenizer();
    const blocks = makeBlocks(tok, TEXTS, 16);
    expect(blocks.length).toBe(Math.floor((TEXTS.length * 16) / 14));
    expect(blocks.every((b) => b.length === 16 && b[0] === 0 && b[15] === 2)).toBe(true);
    const many = Array.from({ length: 200 }, () => blocks[0]);
    const batch = maskBlocks(many, tok, new Rng(1), 0.15);
    const share = batch.positions.length / (200 * 14);
    expect(share).toBeGreaterThan(0.13);
    expect(share).toBeLessThan(0.17);
    let maskTok = 0;
    for (const p of batch.positions) {
      expect(p % 16).not.toBe(0);
      expect(p % 16).not.toBe(15);
      if (batch.inputIds[p] === 3) maskTok++;
    }
    expect(maskTok / batch.positions.length).toBeGreaterThan(0.75);
    expect(maskTok / batch.positions.length).toBeLessThan(0.85);
  });

  it('the loss over picked positions equals the loss over full logits at those positions', async () => {
    await useBackend('wasm');
    const model = createModel(config(), new Rng(1), { head: 'lm' });
    const tok = mlmTokenizer();
    const blocks = makeBlocks(tok, TEXTS, 16).slice(0, 3);
    const batch = maskBlocks(blocks, tok, new Rng(2));
    const ids = tf.tensor2d(batch.inputIds, [3, 16], 'int32');
    const labels = tf.tensor1d(batch.labels, 'int32');
    const positions = tf.tensor1d(batch.positions, 'int32');
    const M = batch.positions.length;
    const picked = tf.tidy(() => {
      const h = model.forward({ inputIds: ids });
      const rows = embed(tf.reshape(h, [-1, 16]) as tf.Tensor2D, positions, true);
      return crossEntropy(model.head!.forward(tf.reshape(rows, [1, M, 16]) as tf.Tensor3D, { inputIds: ids }), labels).dataSync()[0];
    });
    const full = tf.tidy(() => {
      const logits = tf.reshape(headLogits(model, { inputIds: ids }), [-1, 60]);
      return crossEntropy(tf.gather(logits, positions), labels).dataSync()[0];
    });
    expect(picked).toBeCloseTo(full, 5);
    tf.dispose([ids, labels, positions]);
    model.dispose();
  });

  it('trains every parameter, lowers the held-out loss, keeps the tensor count flat, refreezes (wasm)', async () => {
    await useBackend('wasm');
    const model = createModel(config(), new Rng(1), { head: 'lm' });
    const tok = mlmTokenizer();
    const blocks = makeBlocks(tok, TEXTS, 16);
    const before = new Map(model.params.names().map((n) => [n, toFloat32(model.params.get(n)).slice()]));
    const start = evaluateMlm(model, tok, blocks, 8, 0);
    const counts: number[] = [];
    const r = await pretrainMlm(model, tok, blocks, blocks, { steps: 30, batchSize: 8, lr: 5e-3, progress: 'none', onStep: (s) => counts.push(s.tensors) });
    expect(r.final.loss).toBeLessThan(start.loss * 0.8);
    expect(new Set(counts.slice(1)).size).toBe(1);
    expect(model.params.trainable().size).toBe(0);
    const unchanged = model.params.names().filter((n) => toFloat32(model.params.get(n)).every((v, i) => v === before.get(n)![i]));
    // The padding row of the position table gets no gradient; token types have one row, always used.
    expect(unchanged).toEqual([]);
    model.dispose();
  });

  it('masks the chosen share of tokens when asked for another rate, and refuses a rate outside (0, 1)', async () => {
    const tok = mlmTokenizer();
    const many = Array.from({ length: 200 }, () => makeBlocks(tok, TEXTS, 16)[0]);
    const share = maskBlocks(many, tok, new Rng(1), 0.4).positions.length / (200 * 14);
    expect(share).toBeGreaterThan(0.38);
    expect(share).toBeLessThan(0.42);
    await useBackend('wasm');
    const model = createModel(config(), new Rng(1), { head: 'lm' });
    await expect(pretrainMlm(model, tok, many, many, { steps: 1, batchSize: 8, maskProbability: 1, progress: 'none' })).rejects.toThrow(/maskProbability must be in \(0, 1\), got 1/);
    model.dispose();
  });

  it('sinusoidal position table: sin/cos pairs at 10000^(−2i/d), root-mean-square value as asked, padding row 0', () => {
    const t = sinusoidalPositions(130, 128, 0.02, 1);
    const v = toFloat32(t);
    t.dispose();
    const a = 0.02 * Math.SQRT2;
    expect(v[5 * 128 + 0]).toBeCloseTo(a * Math.sin(5), 7);
    expect(v[5 * 128 + 1]).toBeCloseTo(a * Math.cos(5), 7);
    expect(v[7 * 128 + 2 * 10]).toBeCloseTo(a * Math.sin(7 * 10000 ** (-20 / 128)), 7);
    expect(v[7 * 128 + 2 * 10 + 1]).toBeCloseTo(a * Math.cos(7 * 10000 ** (-20 / 128)), 7);
    expect(Array.from(v.subarray(128, 256)).every((x) => x === 0)).toBe(true);
    const rows = Array.from(v).filter((_, i) => Math.floor(i / 128) !== 1);
    expect(Math.sqrt(rows.reduce((s, x) => s + x * x, 0) / rows.length)).toBeCloseTo(0.02, 9);
    expect(() => sinusoidalPositions(4, 5, 0.02, null)).toThrow(/even hidden size, got 5/);
  });
});
