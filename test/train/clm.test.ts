import { describe, expect, it } from 'vitest';
import { createModel, headLogits, tinyConfig } from '../../src/model/index.js';
import { attachMethod, listMethods } from '../../src/peft/index.js';
import { blockBatch, clmLoss, crossEntropy, evaluateClm, packClmBlocks, pretrainClm, promptTargetBatch, trainGeneration } from '../../src/train/index.js';
import { brownSplits } from '../../src/data/index.js';
import { loadModel } from '../../src/io/index.js';
import { loadTokenizer } from '../../src/io/tokenizer/index.js';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Rng, tensorCount, tf } from '../../src/tensor/index.js';
import { useBackend } from '../helpers/backends.js';

const config = () => tinyConfig({ architecture: 'gpt2', vocabSize: 50, hiddenSize: 16, numHeads: 2, intermediateSize: 32, maxPositions: 24 });

describe('causal-LM loss', () => {
  it('packs texts with eos after each into full blocks; block batches predict every next token', () => {
    const tok = { eosId: 49, encode: (t: string) => ({ ids: t.split(' ').map((w) => w.length) }) };
    const blocks = packClmBlocks(tok, ['a bb ccc', 'dddd e'], 3);
    expect(blocks.map((b) => Array.from(b))).toEqual([[1, 2, 3], [49, 4, 1]]);
    const b = blockBatch(blocks);
    expect(Array.from(b.positions)).toEqual([0, 1, 3, 4]);
    expect(Array.from(b.labels)).toEqual([2, 3, 4, 1]);
  });

  it('prompt + target rows: only the target tokens count, each predicted from the position before it', async () => {
    await useBackend('wasm');
    const model = createModel(config(), new Rng(3), { head: 'lm' });
    const rows = [{ prompt: [5, 6, 7], target: [8, 9, 49] }, { prompt: [10], target: [11, 49] }];
    const batch = promptTargetBatch(rows, 49);
    expect(batch.length).toBe(6);
    expect(Array.from(batch.positions)).toEqual([2, 3, 4, 6, 7]);
    expect(Array.from(batch.labels)).toEqual([8, 9, 49, 11, 49]);
    expect(Array.from(batch.attentionMask)).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0]);
    // Independent: full logits of each row alone (no padding), cross-entropy at the target positions.
    const picked = tf.tidy(() => clmLoss(model, batch, false).dataSync()[0]);
    const full = tf.tidy(() => {
      const losses = rows.map((r) => {
        const ids = [...r.prompt, ...r.target];
        const logits = tf.reshape(headLogits(model, { inputIds: tf.tensor2d([ids], [1, ids.length], 'int32') }), [ids.length, 50]);
        const at = tf.tensor1d(r.target.map((_, j) => r.prompt.length - 1 + j), 'int32');
        return tf.mul(crossEntropy(tf.gather(logits, at), tf.tensor1d(r.target, 'int32')), r.target.length);
      });
      return tf.div(tf.addN(losses), 5).dataSync()[0];
    });
    expect(picked).toBeCloseTo(full, 5);
    expect(() => promptTargetBatch([{ prompt: [], target: [1] }], 0)).toThrow(/empty prompt/);
    model.dispose();
  });

  it('LoRA, GRASP and StochGRASP on the Conv1D Sites lower the target loss; nothing else changes; tensor count stays flat', async () => {
    await useBackend('wasm');
    // A toy data-to-text task: the target repeats the MR's two words in reverse.
    const words = ['red', 'blue', 'green', 'cat', 'dog', 'fish'];
    const vocab = new Map(words.map((w, i) => [w, i + 1]));
    const tok = {
      eosId: 49,
      encode: (t: string) => ({ ids: t.split(/[\s,[\]|]+/).filter(Boolean).map((w) => vocab.get(w) ?? 40) }),
      decode: (ids: readonly number[]) => ids.map((i) => words[i - 1] ?? '?').join(' '),
    };
    const ex = (a: string, b: string) => ({ input: `x[${a}], y[${b}]`, label: 0, references: [`${b} ${a}`] });
    const train = words.flatMap((a) => words.filter((b) => b !== a).map((b) => ex(a, b)));
    const data = { train, evaluation: { validation: train.slice(0, 8) } };
    const task = { id: 'toy', description: '', kind: 'generation' as const, metrics: ['BLEU' as const], primaryMetric: 'BLEU' as const, evalSplits: ['validation'], needsDataDir: false, load: () => data };
    const startCount = tensorCount();
    expect(listMethods().map((m) => m.name as string)).toEqual(expect.arrayContaining(['lora', 'grasp', 'stochgrasp']));
    for (const [method, options] of [['lora', { rank: 4, sites: 'all-linear' }], ['grasp', { k: 4, sites: 'all-linear' }], ['stochgrasp', { k: 4, rows: 'all', sites: 'all-linear', sigmaTarget: 0.003 }]] as const) {
      const model = createModel(config(), new Rng(1), { head: 'lm' });
      // Trained-scale output embeddings (the random init's σ 0.02 caps every logit near 0.3).
      model.params.set('wte.weight', tf.mul(model.params.get('wte.weight'), 10));
      const before = model.params.get('h.0.attn.c_attn.weight').dataSync().slice();
      const adapter = attachMethod(model, method, options, new Rng(0));
      const sites = adapter.sites;
      expect(sites).toEqual(expect.arrayContaining(['h.0.attn.c_attn', 'h.0.attn.c_proj', 'h.0.mlp.c_fc', 'h.0.mlp.c_proj']));
      const counts: number[] = [], losses: number[] = [];
      const r = await trainGeneration({ model, adapter, task, data, tokenizer: tok }, {
        maxSteps: 40, batchSize: 8, lr: 3e-2, progress: 'none', evalEvery: 'end', checkMemory: true, onStep: (i) => { counts.push(i.tensors); losses.push(i.loss); },
      });
      const first = r.history.length ? r.history[0] : null;
      expect(first).not.toBeNull();
      expect(r.trainableParams).toBe(adapter.parameterCount());
      expect(r.headParams).toBe(0);
      expect(new Set(counts.slice(1)).size).toBe(1);
      expect(Array.from(model.params.get('h.0.attn.c_attn.weight').dataSync())).toEqual(Array.from(before));
      adapter.detach();
      model.dispose();
      const start = (losses[0] + losses[1] + losses[2]) / 3;
      expect({ method, start, end: r.final.validation.loss }).toEqual({ method, start, end: expect.toSatisfy((v: number) => v < start - 0.25) });
    }
    expect(tensorCount()).toBe(startCount);
  });

  it('pre-training lowers the held-out loss, is deterministic per seed, and keeps the tensor count flat', async () => {
    await useBackend('wasm');
    const blocks = Array.from({ length: 40 }, (_, i) => Int32Array.from({ length: 12 }, (_, t) => ((i + t) % 7) * 3 + 1));
    const run = async () => {
      const model = createModel(config(), new Rng(5), { head: 'lm' });
      const counts: number[] = [];
      const r = await pretrainClm(model, blocks.slice(0, 32), blocks.slice(32), { steps: 30, batchSize: 8, lr: 1e-2, evalEvery: 30, progress: 'none', onStep: (i) => counts.push(i.tensors) });
      const w = Array.from(model.params.get('h.1.mlp.c_fc.weight').dataSync());
      model.dispose();
      return { r, w, counts };
    };
    const a = await run(), b = await run();
    expect(a.r.final.loss).toBeLessThan(Math.log(50) - 1);
    expect(b.w).toEqual(a.w);
    expect(new Set(a.counts.slice(1)).size).toBe(1);
  });

  it('the shipped models/tiny-gpt2 is the pre-trained decoder PRETRAINING.json describes', async () => {
    await useBackend('wasm');
    const dir = fileURLToPath(new URL('../../models/tiny-gpt2', import.meta.url));
    const report = JSON.parse(readFileSync(`${dir}/PRETRAINING.json`, 'utf8'));
    const model = await loadModel(dir);
    const tok = loadTokenizer(dir);
    expect([model.config.numLayers, model.config.hiddenSize, model.config.vocabSize, model.params.count()]).toEqual([2, 96, 2048, 429696]);
    // The first held-out blocks (the same the recipe evaluated first): loss near the recorded final value (f16 weights).
    const held = packClmBlocks(tok, brownSplits().validation.slice(0, 60).map((e) => e.input as string), 96).slice(0, 8);
    const e = evaluateClm(model, [blockBatch(held)]);
    expect(e.loss).toBeLessThan(report.result.final.loss + 0.5);
    expect(e.loss).toBeGreaterThan(report.result.final.loss - 1);
    model.dispose();
  });
});

