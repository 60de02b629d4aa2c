import { describe, expect, it } from 'vitest';
import { headLogits } from '../../src/model/index.js';
import { attachMethod } from '../../src/peft/index.js';
import { crossEntropy, HardwareAwareTraining, resolveHwaOptions, train } from '../../src/train/index.js';
import { randomNormalTensor, Rng, tf, toFloat32 } from '../../src/tensor/index.js';
import { useBackend } from '../helpers/backends.js';
import { disposeInputs, tinyInputs, tinyModel } from '../peft/helpers.js';
import { hashTokenizer, toyTask } from './helpers.js';

const SITE = 'encoder.layer.0.attention.self.query';
const std = (xs: number[]) => {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1));
};

describe('hardware-aware training (hwa.ts)', () => {
  it('with stdDev 0 trains bit-identically to plain training (same seed); with noise it does not', async () => {
    await useBackend('cpu');
    const run = async (hwa?: { stdDev: number }) => {
      const model = tinyModel('roberta', 3, 2);
      const task = toyTask();
      const adapter = attachMethod(model, 'grasp', { k: 4 }, new Rng(0));
      const losses: number[] = [];
      const result = await train({ model, adapter, task, data: task.load(), tokenizer: hashTokenizer() },
        { epochs: 1, batchSize: 16, lr: 5e-2, seed: 7, progress: 'none', hwa, onStep: (s) => losses.push(s.loss) });
      const state = [...adapter.state().values()].map((t) => [...t.data]);
      expect(model.sites.get(SITE)!.attachedOwners()).toEqual(['grasp']);
      adapter.detach();
      model.dispose();
      return { losses, state, acc: result.final.validation.accuracy };
    };
    const plain = await run();
    const zero = await run({ stdDev: 0 });
    expect(zero.losses).toEqual(plain.losses);
    expect(zero.state).toEqual(plain.state);
    const noisy = await run({ stdDev: 0.05 });
    expect(noisy.losses[0]).not.toBe(plain.losses[0]);
  });

  it('adds x·N to a Site with an adapter: noise on the effective weights, Var = σ²·|x|², σ = stdDev·max|W|', async () => {
    await useBackend('cpu');
    const model = tinyModel('roberta', 3, 2);
    const adapter = attachMethod(model, 'grasp', { k: 4 }, new Rng(0));
    // γ = 2, β = 0.3: an innermost hook would add x̃·N with x̃ = (x − 0.3)/2, not x·N.
    for (const t of adapter.trainable()) t.variable.assign(tf.fill(t.variable.shape, t.key.endsWith('scale') ? 2 : 0.3));
    const hwa = new HardwareAwareTraining(model, { stdDev: 0.04 });
    const site = model.sites.get(SITE)!;
    expect(site.attachedOwners()).toEqual(['hwa', 'grasp']);
    const wmax = Math.max(...toFloat32(site.weightTensor()).map(Math.abs));
    expect(hwa.noiseStd()[SITE]).toBeCloseTo(0.04 * wmax, 7);
    const x = randomNormalTensor([400, site.inFeatures], new Rng(5, 'x')) as tf.Tensor2D;
    const clean = toFloat32(site.forward(x));
    hwa.beginStep(new Rng(1, 'step'));
    const noisy = toFloat32(site.forward(x));
    const d = Array.from(noisy, (v, i) => v - clean[i]);
    // Per row r: d_r = x_r·N, each element N(0, σ²·|x_r|²); normalised, they are N(0, 1).
    const xs = toFloat32(x), din = site.inFeatures, dout = site.outFeatures, sigma = hwa.noiseStd()[SITE];
    const z: number[] = [];
    for (let r = 0; r < 400; r++) {
      let n2 = 0;
      for (let j = 0; j < din; j++) n2 += xs[r * din + j] ** 2;
      for (let c = 0; c < dout; c++) z.push(d[r * dout + c] / (sigma * Math.sqrt(n2)));
    }
    // 6400 normalised values, but only 256 independent noise entries: allow ±15 %.
    expect(std(z)).toBeGreaterThan(0.85);
    expect(std(z)).toBeLessThan(1.15);
    // Straight-through: dx of Σy is the row sums of (W_eff + N)ᵀ, i.e. the clean gradient plus N's row sums.
    const gNoisy = toFloat32(tf.grad((v: tf.Tensor) => tf.sum(site.forward(v)))(x));
    hwa.endStep();
    const gClean = toFloat32(tf.grad((v: tf.Tensor) => tf.sum(site.forward(v)))(x));
    // The noise's row sums, recovered from the forward difference on unit inputs.
    const eye = tf.eye(din);
    hwa.beginStep(new Rng(1, 'step'));
    const n = toFloat32(tf.sub(site.forward(eye), (hwa.endStep(), site.forward(eye))));
    const rowSum = Array.from({ length: din }, (_, j) => n.slice(j * dout, (j + 1) * dout).reduce((a, b) => a + b, 0));
    for (let j = 0; j < din; j++) expect(gNoisy[j] - gClean[j]).toBeCloseTo(rowSum[j], 4);
    expect(Math.max(...rowSum.map(Math.abs))).toBeGreaterThan(1e-3);
    hwa.detach();
    expect(site.attachedOwners()).toEqual(['grasp']);
    adapter.detach();
    model.dispose();
  });

  it('reaches the loss: two draws give two losses, and the spread over draws scales with stdDev', async () => {
    await useBackend('cpu');
    const model = tinyModel('roberta', 3, 3);
    const adapter = attachMethod(model, 'lora', { rank: 2 }, new Rng(0));
    const inputs = tinyInputs(2, 6, 7);
    const labels = tf.tensor1d([0, 1, 2, 0, 1, 2], 'int32');
    const lossesAt = (stdDev: number) => {
      const hwa = new HardwareAwareTraining(model, { stdDev });
      const out: number[] = [];
      for (let s = 0; s < 24; s++) {
        hwa.beginStep(new Rng(3, `step${s}`));
        out.push(tf.tidy(() => crossEntropy(headLogits(model, inputs), labels).dataSync()[0]));
      }
      hwa.detach();
      return out;
    };
    const clean = tf.tidy(() => crossEntropy(headLogits(model, inputs), labels).dataSync()[0]);
    const small = lossesAt(0.002), large = lossesAt(0.004);
    expect(small[0]).not.toBe(small[1]);
    expect(Math.abs(small[0] - clean)).toBeGreaterThan(0);
    // First order in σ: the loss moves by Σ g·N, so its spread doubles with σ (same draws, scaled).
    expect(std(large) / std(small)).toBeGreaterThan(1.9);
    expect(std(large) / std(small)).toBeLessThan(2.1);
    expect(std(small)).toBeGreaterThan(1e-4);
    labels.dispose();
    disposeInputs(inputs);
    adapter.detach();
    model.dispose();
  });

  it('keeps the tensor count flat over HWA training steps, and frees everything on detach', async () => {
    await useBackend('cpu');
    const model = tinyModel('roberta', 3, 2);
    const task = toyTask();
    const adapter = attachMethod(model, 'lora', { rank: 2 }, new Rng(0));
    const before = tf.memory().numTensors;
    const counts: number[] = [];
    await train({ model, adapter, task, data: task.load(), tokenizer: hashTokenizer() },
      { maxSteps: 8, batchSize: 16, seed: 1, progress: 'none', checkMemory: true, hwa: { clip: { type: 'fixed-value', fixedValue: 0.05 } }, onStep: (s) => counts.push(s.tensors) });
    expect(new Set(counts.slice(1)).size).toBe(1);
    // Training keeps the head's state and the frozen weights' transposes; nothing from HWA.
    expect(model.sites.get(SITE)!.attachedOwners()).toEqual(['lora']);
    for (const t of adapter.trainable()) expect(Math.max(...toFloat32(t.variable).map(Math.abs))).toBeLessThanOrEqual(0.05 + 1e-7);
    expect(tf.memory().numTensors).toBeLessThan(before + 40);
    adapter.detach();
    model.dispose();
  });

  it('evaluates without noise during training (the noise lives for one step)', async () => {
    await useBackend('cpu');
    const model = tinyModel('roberta', 3, 2);
    const task = toyTask();
    const adapter = attachMethod(model, 'bitfit', {}, new Rng(0));
    const site = model.sites.get(SITE)!;
    const x = randomNormalTensor([4, site.inFeatures], new Rng(2, 'x'));
    const gaps: number[] = [], owners: string[] = [];
    await train({ model, adapter, task, data: task.load(), tokenizer: hashTokenizer() }, {
      maxSteps: 2, batchSize: 16, seed: 1, progress: 'none', hwa: { stdDev: 0.5 },
      onEvaluate: () => {
        owners.push(...site.attachedOwners());
        gaps.push(tf.tidy(() => tf.max(tf.abs(tf.sub(site.forward(x), site.base(x)))).dataSync()[0]));
      },
    });
    expect(owners).toEqual(['hwa']);
    expect(site.attachedOwners()).toEqual([]);
    expect(gaps).toEqual([0]);
    x.dispose();
    adapter.detach();
    model.dispose();
  });

  it('clips weight-like variables as aihwkit does and leaves scales alone', async () => {
    await useBackend('cpu');
    const model = tinyModel('roberta', 3, 2);
    const w = tf.variable(tf.tensor1d([0, 0, 0, 0, 0, 0, 0, 0, 0, 10]));
    const gamma = tf.variable(tf.tensor1d([1, 1, 5]));
    const hwa = new HardwareAwareTraining(model, { type: 'none', clip: { type: 'layer-gaussian', sigma: 1 } });
    hwa.clip([{ variable: w, decay: true }, { variable: gamma, decay: false }]);
    // std of (0 ×9, 10) = 3 (population); σ·std = 3.
    expect(Array.from(toFloat32(w))).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 3]);
    expect(Array.from(toFloat32(gamma))).toEqual([1, 1, 5]);
    expect(model.sites.get(SITE)!.attachedOwners()).toEqual([]);
    hwa.detach();
    w.dispose();
    gamma.dispose();
    model.dispose();
  });

  it('rejects bad options naming the field and what is expected', () => {
    expect(() => resolveHwaOptions({ stdDev: -1 })).toThrow(/training\.hwa\/stdDev: expected a number ≥ 0/);
    expect(() => resolveHwaOptions({ type: 'pcm' as never })).toThrow(/training\.hwa\/type: expected one of additive-constant, none/);
    expect(() => resolveHwaOptions({ clip: { type: 'fixed-value', fixedValue: 0 } })).toThrow(/training\.hwa\/clip\/fixedValue/);
    expect(() => resolveHwaOptions({ std_dev: 0.1 } as never)).toThrow(/training\.hwa\/std_dev: expected no such option \(options: sites, type, stdDev/);
    expect(resolveHwaOptions({}).stdDev).toBe(0.0175);
  });
});
