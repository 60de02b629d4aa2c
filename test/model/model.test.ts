/** Training-mode behaviour, heads and input checks of built models (shapes from tinyConfig). */
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { createModel, tinyConfig, type Architecture, type Model } from '../../src/model/index.js';
import { Rng, tensorCount } from '../../src/tensor/index.js';
import { maxAbsDiff, TEST_BACKENDS, useBackend } from '../helpers/backends.js';

const ARCHS: Architecture[] = ['roberta', 'bert', 'gpt2'];
const ids = () => tf.tensor2d([[0, 5, 6, 7, 2], [0, 8, 2, 1, 1]], [2, 5], 'int32');
const mask = () => tf.tensor2d([[1, 1, 1, 1, 1], [1, 1, 1, 0, 0]], [2, 5]);

function withInputs<T>(f: (i: { inputIds: tf.Tensor2D; attentionMask: tf.Tensor2D }) => T): T {
  const i = { inputIds: ids(), attentionMask: mask() };
  try {
    return f(i);
  } finally {
    tf.dispose(Object.values(i));
  }
}

describe.each(TEST_BACKENDS)('models on %s', (backend) => {
  it.each(ARCHS)('%s: gradients reach trainable parameters only, with no leak', async (arch) => {
    await useBackend(backend);
    const model = createModel(tinyConfig({ architecture: arch }), new Rng(3));
    const site = [...model.sites.values()][2];
    const ln = arch === 'gpt2' ? 'h.1.ln_2.bias' : 'encoder.layer.1.output.LayerNorm.bias';
    model.params.setTrainable(site.weightKey, true);
    model.params.setTrainable(ln, true);
    model.params.setTrainable(site.biasKey!, true);
    withInputs((i) => {
      const step = () => tf.variableGrads(() => tf.sum(tf.square(model.forward(i, { training: true, rng: new Rng(1) }))) as tf.Scalar);
      const warm = step(); // caches Wᵀ of the frozen Sites the backward pass crosses (kept by design)
      tf.dispose([warm.value, ...Object.values(warm.grads)]);
      const before = tensorCount();
      const { value, grads } = step();
      expect(Object.keys(grads).length).toBe(3);
      for (const g of Object.values(grads)) {
        const d = g.dataSync();
        expect(d.every(Number.isFinite)).toBe(true);
        expect(d.some((v) => v !== 0)).toBe(true);
      }
      tf.dispose([value, ...Object.values(grads)]);
      expect(tensorCount()).toBe(before);
    });
    model.dispose();
  });

  it.each(ARCHS)('%s: dropout only in training, reproducible from the Rng, and training needs an Rng', async (arch) => {
    await useBackend(backend);
    const model = createModel(tinyConfig({ architecture: arch }), new Rng(4));
    withInputs((i) => {
      const run = (o?: { training: boolean; rng?: Rng }) => {
        const y = model.forward(i, o);
        const d = y.dataSync().slice();
        y.dispose();
        return d;
      };
      const evalA = run(), evalB = run({ training: false, rng: new Rng(9) });
      expect(maxAbsDiff(evalA, evalB)).toBe(0);
      const t1 = run({ training: true, rng: new Rng(7) }), t2 = run({ training: true, rng: new Rng(7) });
      expect(maxAbsDiff(t1, t2)).toBe(0);
      expect(maxAbsDiff(t1, evalA)).toBeGreaterThan(1e-3);
      expect(maxAbsDiff(t1, run({ training: true, rng: new Rng(8) }))).toBeGreaterThan(1e-3);
      expect(() => model.forward(i, { training: true })).toThrow('needs options.rng');
    });
    model.dispose();
  });

  it.each(ARCHS)('%s: classification, regression and LM heads have the right shapes and head Sites', async (arch) => {
    await useBackend(backend);
    const config = tinyConfig({ architecture: arch, numLabels: 3 });
    const cls = createModel(config, new Rng(5), { head: 'sequence-classification' });
    const reg = createModel(config, new Rng(5), { head: 'sequence-classification', numLabels: 1 });
    const lm = createModel(config, new Rng(5), { head: 'lm' });
    withInputs((i) => {
      const before = tensorCount();
      const outs = [cls.logits(i), reg.logits(i), lm.logits(i)];
      expect(outs.map((o) => o.shape)).toEqual([[2, 3], [2, 1], [2, 5, 100]]);
      expect(outs.every((o) => o.dataSync().every(Number.isFinite))).toBe(true);
      tf.dispose(outs);
      expect(tensorCount()).toBe(before);
    });
    const headSites = (m: Model) => [...m.sites.values()].filter((s) => s.role === 'head').map((s) => s.name);
    expect(headSites(cls)).toEqual({ roberta: ['classifier.dense', 'classifier.out_proj'], bert: ['pooler.dense', 'classifier'], gpt2: ['score'] }[arch]);
    expect(headSites(lm)).toEqual({ roberta: ['lm_head.dense'], bert: ['cls.predictions.transform.dense'], gpt2: [] }[arch]);
    // Heads come last in model order.
    const names = [...cls.sites.keys()];
    expect(names.slice(-headSites(cls).length)).toEqual(headSites(cls));
    for (const m of [cls, reg, lm]) m.dispose();
  });

  it('GPT-2 classification reads the last non-padding token', async () => {
    await useBackend(backend);
    const model = createModel(tinyConfig({ architecture: 'gpt2', numLabels: 2 }), new Rng(6), { head: 'sequence-classification' });
    withInputs((i) => {
      const logits = model.logits(i).arraySync() as number[][];
      const h = model.forward(i);
      const score = model.sites.get('score')!;
      const last = tf.stack([tf.slice(h, [0, 4, 0], [1, 1, 32]), tf.slice(h, [1, 2, 0], [1, 1, 32])]);
      const ref = score.forward(tf.reshape(last, [2, 32])).arraySync() as number[][];
      expect(maxAbsDiff(logits.flat(), ref.flat())).toBeLessThan(1e-5);
      tf.dispose([h, last]);
    });
    model.dispose();
  });

  it('rejects bad inputs with messages naming the problem', async () => {
    await useBackend(backend);
    const enc = createModel(tinyConfig({ architecture: 'roberta' }), new Rng(1));
    const dec = createModel(tinyConfig({ architecture: 'gpt2' }), new Rng(1));
    const t = (v: number[][], dtype: 'int32' | 'float32' = 'int32') => tf.tensor2d(v, undefined, dtype);
    expect(() => enc.forward({ inputIds: t([[0, 100, 2]]) })).toThrow('inputIds: token id 100 at position 1 is outside the vocabulary [0, 100)');
    expect(() => enc.forward({ inputIds: t([[0, -1]]) })).toThrow('token id -1');
    expect(() => enc.forward({ inputIds: t([[0, 1]], 'float32') })).toThrow('inputIds must be int32, got float32');
    expect(() => enc.forward({ inputIds: t([[0, 3]]), attentionMask: t([[1, 1, 1]]) })).toThrow('attentionMask has shape [1,3], inputIds has [1,2]');
    expect(() => enc.forward({ inputIds: t([[0, 3]]), tokenTypeIds: t([[0, 1]]) })).toThrow('tokenTypeIds (type_vocab_size 1): token id 1');
    expect(() => enc.forward({ inputIds: tf.zeros([1, 39], 'int32') as tf.Tensor2D })).toThrow('sequence length 39 exceeds the model\'s maximum 38');
    expect(() => dec.forward({ inputIds: t([[0, 3]]), tokenTypeIds: t([[0, 0]]) })).toThrow('gpt2 has no token-type embeddings');
    expect(() => dec.forward({ inputIds: tf.zeros([1, 41], 'int32') as tf.Tensor2D })).toThrow('sequence length 41 exceeds');
    expect(() => enc.logits({ inputIds: t([[0, 3]]) })).toThrow('has no head');
    enc.dispose();
    dec.dispose();
  });
});
