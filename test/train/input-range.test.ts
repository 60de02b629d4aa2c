/**
 * Learned DAC input ranges (src/train/input-range.ts), against aihwkit's rule worked by hand:
 * the clip and its x-gradient, the r-gradient, the data initialisation, the decay through the trainer,
 * and flat tensor counts.
 */
import { describe, expect, it } from 'vitest';
import { attachMethod } from '../../src/peft/index.js';
import { InputRangeLearning, inputRangeClip, resolveHwaOptions, train, type InputRangeRule } from '../../src/train/index.js';
import { selectSites } from '../../src/model/index.js';
import { randomNormalTensor, Rng, tensorCount, tf, toFloat32 } from '../../src/tensor/index.js';
import { useBackend } from '../helpers/backends.js';
import { tinyModel } from '../peft/helpers.js';
import { hashTokenizer, toyTask } from './helpers.js';

const RULE: InputRangeRule = { decay: 0, inputMinPercentage: 0.95, gradientScale: 1, gradientRelative: true, bits: null };
const SITE = 'encoder.layer.0.attention.self.query';

/** d/dx and d/dr of Σ w ⊙ clip(x, r). */
function grads(x: number[], r: number, w: number[], rule: InputRangeRule): { value: number[]; dx: number[]; dr: number } {
  return tf.tidy(() => {
    const xt = tf.tensor1d(x), rt = tf.scalar(r), wt = tf.tensor1d(w);
    const value = Array.from(toFloat32(inputRangeClip(xt, rt, rule)));
    const [dx, dr] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(inputRangeClip(a, b, rule), wt)))([xt, rt]);
    return { value, dx: Array.from(toFloat32(dx)), dr: toFloat32(dr)[0] };
  });
}

describe('learned input ranges (input-range.ts)', () => {
  it('clips at ±r and passes the x-gradient only inside [−r, r]', async () => {
    await useBackend('cpu');
    const x = [-3, -1.5, -1, 0.5, 1.5, 2, 4];
    const w = [1, 2, 3, 4, 5, 6, 7];
    const g = grads(x, 1.5, w, RULE);
    expect(g.value).toEqual([-1.5, -1.5, -1, 0.5, 1.5, 1.5, 1.5]);
    // torch.clamp's gradient: 1 where −r ≤ x ≤ r, else 0.
    expect(g.dx).toEqual([0, 2, 3, 4, 5, 0, 0]);
    // The range's sign is ignored, as aihwkit's clamp(…, −|r|, |r|).
    expect(grads(x, -1.5, w, RULE).value).toEqual(g.value);
    // DAC rounding (3 bits: L = 3 levels per sign), straight-through: x = 0.26, r = 1 → round(0.78)/3.
    const q = grads([0.26, -0.9, 5], 1, [1, 1, 1], { ...RULE, bits: 3 });
    expect(q.value[0]).toBeCloseTo(1 / 3, 6);
    expect(q.value[1]).toBeCloseTo(-1, 6);
    expect(q.value[2]).toBeCloseTo(1, 6);
    expect(q.dx).toEqual([1, 1, 0]);
  });

  it("gives r aihwkit's gradient: clipped inputs asking for a larger range, relative to r, plus the decay while few inputs clip", async () => {
    await useBackend('cpu');
    // x = [−3, −1, 0.5, 2, 4], r = 1.5, dy = [0.2, −1, 3, −0.5, 0.7]:
    // upper (x ≥ r): x = 2 (dy −0.5), x = 4 (dy 0.7) → Σ min(dy, 0) = −0.5
    // lower (x ≤ −r): x = −3 (dy 0.2) → Σ max(dy, 0) = 0.2
    // g = −0.5 − 0.2 = −0.7; relative: × r = −1.05; × gradientScale 2 = −2.1
    // decay 0.1: unclipped fraction 2/5 = 0.4; above inputMinPercentage 0.3 → + 0.1·1.5 = 0.15
    const x = [-3, -1, 0.5, 2, 4], dy = [0.2, -1, 3, -0.5, 0.7];
    expect(grads(x, 1.5, dy, RULE).dr).toBeCloseTo(-1.05, 6);
    expect(grads(x, 1.5, dy, { ...RULE, gradientScale: 2 }).dr).toBeCloseTo(-2.1, 6);
    expect(grads(x, 1.5, dy, { ...RULE, gradientRelative: false }).dr).toBeCloseTo(-0.7, 6);
    expect(grads(x, 1.5, dy, { ...RULE, decay: 0.1, inputMinPercentage: 0.3 }).dr).toBeCloseTo(-0.9, 6);
    expect(grads(x, 1.5, dy, { ...RULE, decay: 0.1, inputMinPercentage: 0.5 }).dr).toBeCloseTo(-1.05, 6);
    // Gradients that ask for a smaller range never pull r down (only the decay does).
    expect(grads(x, 1.5, [-0.2, 1, 1, 0.5, 0.7], RULE).dr).toBeCloseTo(0, 6);
  });

  it('initialises r as the running mean of initStdAlpha·std(x) (unbiased) over the first initFromData batches', async () => {
    await useBackend('cpu');
    const model = tinyModel('roberta', 3, 2);
    const site = model.sites.get(SITE)!;
    const before = tensorCount();
    const ranges = new InputRangeLearning([site], { initFromData: 2, initStdAlpha: 2.5, learn: false });
    expect(site.attachedOwners()).toEqual(['input-range']);
    const batch = (seed: number, scale: number) => tf.tidy(() => tf.mul(randomNormalTensor([3, 5, site.inFeatures], new Rng(seed, 'x')), scale));
    const unbiasedStd = (t: tf.Tensor) => {
      const v = Array.from(toFloat32(t));
      const m = v.reduce((a, b) => a + b, 0) / v.length;
      return Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / (v.length - 1));
    };
    const [x1, x2, x3] = [batch(1, 0.5), batch(2, 2), batch(3, 40)];
    // Not active (evaluation): no initialisation, no clip.
    tf.tidy(() => { site.forward(x3); });
    expect(ranges.ranges()[SITE]).toBe(3);
    ranges.setActive(true);
    tf.tidy(() => { site.forward(x1); });
    const r1 = 2.5 * unbiasedStd(x1);
    expect(ranges.ranges()[SITE]).toBeCloseTo(r1, 5);
    tf.tidy(() => { site.forward(x2); });
    const r2 = (r1 + 2.5 * unbiasedStd(x2)) / 2;
    expect(ranges.ranges()[SITE]).toBeCloseTo(r2, 5);
    // After initFromData batches the range stays; the forward pass sees clip(x, −r, r).
    const y = tf.tidy(() => Array.from(toFloat32(site.forward(x3))));
    expect(ranges.ranges()[SITE]).toBeCloseTo(r2, 5);
    const expected = tf.tidy(() => Array.from(toFloat32(site.base(tf.clipByValue(x3, -r2, r2)))));
    y.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 4));
    ranges.detach();
    expect(site.attachedOwners()).toEqual([]);
    tf.dispose([x1, x2, x3]);
    expect(tensorCount()).toBe(before);
    model.dispose();
  });

  it('with inputs well inside the range, shrinks r by η·decay·r per step through the trainer, with a flat tensor count', async () => {
    await useBackend('cpu');
    const model = tinyModel('roberta', 3, 2);
    const task = toyTask();
    const adapter = attachMethod(model, 'grasp', { k: 4 }, new Rng(0));
    const counts: number[] = [];
    const inputRange = { initFromData: 0, initValue: 1000, decay: 0.01, learningRate: 0.5 };
    const result = await train({ model, adapter, task, data: task.load(), tokenizer: hashTokenizer() },
      { epochs: 1, batchSize: 16, lr: 5e-2, seed: 7, progress: 'none', checkMemory: true, hwa: { type: 'none', inputRange }, onStep: (s) => counts.push(s.tensors) });
    expect(result.steps).toBe(6);
    // No input reaches ±1000, so only the decay acts: r_k = r_0·(1 − η·decay)^k.
    const expected = 1000 * (1 - 0.5 * 0.01) ** 6;
    const ranges = result.inputRanges!;
    expect(Object.keys(ranges).sort()).toEqual(selectSites(model, 'all-linear').map((s) => s.name).sort());
    for (const r of Object.values(ranges)) expect(r / expected).toBeCloseTo(1, 5);
    expect(new Set(counts).size).toBe(1);
    expect(model.sites.get(SITE)!.attachedOwners()).toEqual(['grasp']);
    expect(resolveHwaOptions({ inputRange: {} }).inputRange).toMatchObject({ learn: true, initValue: 3, initFromData: 100, initStdAlpha: 3, decay: 0.001, inputMinPercentage: 0.95 });
    expect(() => resolveHwaOptions({ inputRange: { decay: -1 } })).toThrow('training.hwa/inputRange/decay: expected a number ≥ 0');
    expect(() => resolveHwaOptions({ inputRange: { initFromData: 1.5 } as never })).toThrow('training.hwa/inputRange/initFromData');
    expect(() => resolveHwaOptions({ inputRange: { manageOutputClipping: true } as never })).toThrow('training.hwa/inputRange/manageOutputClipping: expected no such option');
    adapter.detach();
    model.dispose();
  });
});
