import { describe, expect, it } from 'vitest';
import { attachMethod, headParamNames } from '../../src/peft/index.js';
import { train, TrainingDivergedError, linearWarmupDecay, AdamW } from '../../src/train/index.js';
import { Rng, tf, toFloat32 } from '../../src/tensor/index.js';
import { useBackend } from '../helpers/backends.js';
import { tinyModel } from '../peft/helpers.js';
import { hashTokenizer, toyExamples, toyTask } from './helpers.js';

describe('trainer', () => {
  it('learns a toy task with GRASP, trains only adapter + head, keeps the tensor count flat, repeats exactly', async () => {
    await useBackend('cpu');
    const run = async () => {
      const model = tinyModel('roberta', 3, 2);
      const task = toyTask();
      const before = new Map(model.params.names().map((n) => [n, toFloat32(model.params.get(n)).slice()]));
      const adapter = attachMethod(model, 'grasp', { k: 4 }, new Rng(0));
      const counts: number[] = [];
      const losses: number[] = [];
      const result = await train(
        { model, adapter, task, data: task.load(), tokenizer: hashTokenizer() },
        { epochs: 6, batchSize: 16, lr: 5e-2, seed: 7, progress: 'none', checkMemory: true, onStep: (s) => { counts.push(s.tensors); losses.push(s.loss); } },
      );
      const heads = new Set(headParamNames(model));
      for (const n of model.params.names()) {
        const changed = toFloat32(model.params.get(n)).some((v, i) => v !== before.get(n)![i]);
        expect(changed, n).toBe(heads.has(n));
      }
      adapter.detach();
      model.dispose();
      return { result, counts, losses };
    };
    const a = await run();
    expect(new Set(a.counts.slice(1)).size).toBe(1);
    expect(a.result.steps).toBe(36);
    expect(a.result.history).toHaveLength(6);
    const mean = (xs: number[]) => xs.reduce((x, y) => x + y, 0) / xs.length;
    expect(mean(a.losses.slice(-6))).toBeLessThan(mean(a.losses.slice(0, 6)));
    expect(a.result.best!.metrics.accuracy).toBe(a.result.final.validation.accuracy);
    expect(a.result.best!.metrics.accuracy).toBe(Math.max(...a.result.history.map((h) => h.metrics.accuracy)));
    expect(a.result.headParams).toBe(16 * 16 + 16 + 16 * 2 + 2);
    expect(a.result.trainableParams).toBe(2 * 4 * 12);
    const b = await run();
    expect(b.losses).toEqual(a.losses);
  });

  it('reaches full accuracy on a separable task with full fine-tuning', async () => {
    await useBackend('cpu');
    const model = tinyModel('roberta', 3, 2);
    const ex = (n: number) => Array.from({ length: n }, (_, i) => ({ input: i % 2 ? 'great' : 'awful', label: i % 2 }));
    const task = toyTask();
    const adapter = attachMethod(model, 'full', {}, new Rng(0));
    const result = await train({ model, adapter, task, data: { train: ex(64), evaluation: { validation: ex(16) } }, tokenizer: hashTokenizer() },
      { epochs: 5, batchSize: 16, lr: 1e-2, progress: 'none' });
    expect(result.final.validation.accuracy).toBe(1);
    expect(result.trainableParams).toBe(model.params.count((n) => !headParamNames(model).includes(n)));
    adapter.detach();
    model.dispose();
  });

  it('stops with a clear message on a non-finite loss', async () => {
    await useBackend('cpu');
    const model = tinyModel('roberta', 3, 1);
    const task = toyTask({ kind: 'regression', labels: [], metrics: ['pearson'], primaryMetric: 'pearson' });
    const data = { train: toyExamples(8, 1).map((e, i) => ({ ...e, label: i === 3 ? NaN : e.label })), evaluation: {} };
    const adapter = attachMethod(model, 'lora', { rank: 2 }, new Rng(0));
    await expect(train({ model, adapter, task, data, tokenizer: hashTokenizer() }, { epochs: 1, batchSize: 8, progress: 'none' }))
      .rejects.toThrow(TrainingDivergedError);
    // (The first run also filled the frozen weights' transpose caches.)
    const before = tf.memory().numTensors;
    await expect(train({ model, adapter, task, data, tokenizer: hashTokenizer() }, { epochs: 1, batchSize: 8, progress: 'none' }))
      .rejects.toThrow(/step 1 \(epoch 1\) gave loss NaN .* Lower the learning rate/);
    expect(tf.memory().numTensors).toBe(before);
    adapter.detach();
    model.dispose();
  });

  it('rejects a head whose width does not fit the task', async () => {
    await useBackend('cpu');
    const model = tinyModel('roberta', 3, 3);
    const adapter = attachMethod(model, 'bitfit', {}, new Rng(0));
    const task = toyTask();
    await expect(train({ model, adapter, task, data: task.load(), tokenizer: hashTokenizer() }, { progress: 'none' }))
      .rejects.toThrow(/head has 3 outputs, task toy needs 2/);
    adapter.detach();
    model.dispose();
  });
});

describe('schedule and AdamW', () => {
  it('warms up linearly and decays to zero', () => {
    const lrs = Array.from({ length: 10 }, (_, s) => linearWarmupDecay(s, 10, 2, 1));
    expect(lrs.slice(0, 3)).toEqual([0.5, 1, 0.875]);
    expect(lrs[9]).toBe(0);
  });

  it('matches PyTorch AdamW on a quadratic (first two steps by hand)', async () => {
    await useBackend('cpu');
    const v = tf.variable(tf.tensor1d([1, -2]));
    const opt = new AdamW([{ variable: v, decay: true }], { weightDecay: 0.1 });
    for (let i = 0; i < 2; i++) {
      tf.tidy(() => {
        const { grads } = tf.variableGrads(() => tf.sum(tf.square(v)) as tf.Scalar, [v]);
        opt.step(grads, 0.1);
      });
    }
    // Step 1: p = p(1 − 0.01) − 0.1·sign(g) → [0.89, −1.88]; step 2: m̂/√v̂ from g1 = 2p0, g2 = 2p1.
    const p1 = [0.89, -1.88];
    const g1 = [2, -4], g2 = p1.map((x) => 2 * x);
    const expected = p1.map((p, i) => {
      const m = (0.9 * 0.1 * g1[i] + 0.1 * g2[i]) / (1 - 0.81);
      const vv = (0.999 * 0.001 * g1[i] ** 2 + 0.001 * g2[i] ** 2) / (1 - 0.999 ** 2);
      return p * (1 - 0.01) - (0.1 * m) / (Math.sqrt(vv) + 1e-8);
    });
    const got = toFloat32(v);
    expected.forEach((e, i) => expect(got[i]).toBeCloseTo(e, 5));
    opt.dispose();
    v.dispose();
  });

  it('updates small parameters as one flat vector exactly as one by one', async () => {
    await useBackend('wasm');
    const make = () => [tf.variable(tf.tensor1d([1, -2, 3])), tf.variable(tf.tensor2d([[0.5, 0.1], [-1, 2]])), tf.variable(tf.tensor1d([4]))];
    const settings = [{ decay: true }, { decay: false, lrScale: 3 }, { decay: true, lrScale: 0.5 }];
    const a = make(), b = make();
    const fused = new AdamW(a.map((variable, i) => ({ variable, ...settings[i] })), { weightDecay: 0.1 });
    const single = b.map((variable, i) => new AdamW([{ variable, ...settings[i] }], { weightDecay: 0.1 }));
    const loss = (vs: tf.Variable[]) => () => tf.addN(vs.map((v, i) => tf.sum(tf.mul(tf.square(v), i + 1)))) as tf.Scalar;
    for (let s = 0; s < 3; s++) {
      tf.tidy(() => fused.step(tf.variableGrads(loss(a), a).grads, 0.1, 0.7));
      tf.tidy(() => {
        const { grads } = tf.variableGrads(loss(b), b);
        single.forEach((o) => o.step(grads, 0.1, 0.7));
      });
    }
    a.forEach((v, i) => expect(Array.from(toFloat32(v)).map((x) => +x.toFixed(5))).toEqual(Array.from(toFloat32(b[i])).map((x) => +x.toFixed(5))));
    fused.dispose();
    single.forEach((o) => o.dispose());
  });
});
