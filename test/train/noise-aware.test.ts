import { describe, expect, it } from 'vitest';
import { attachMethod, isNoiseAware } from '../../src/peft/index.js';
import { Rng, tensorCount } from '../../src/tensor/index.js';
import { sigmaReport, train } from '../../src/train/index.js';
import { useBackend } from '../helpers/backends.js';
import { tinyModel } from '../peft/helpers.js';
import { hashTokenizer, toyTask } from './helpers.js';

/**
 * StochGRASP's noise-aware loss through the trainer, at the trainer's default learning rate (1e-3):
 * σ starts in [0.001, 0.005] (σ/σ_target ≈ 0.15 for σ_target 0.02); with λ > 0 the penalty brings the
 * Sites' mean σ/σ_target into [0.8, 1.25]; with λ = 0 σ stays near its initialisation. Dropping the
 * penalty from the trainer's loss makes the first half fail.
 */
describe('noise-aware loss end to end', () => {
  const TARGET = 0.02;
  const run = async (lambda: number) => {
    const model = tinyModel('roberta', 3, 2);
    const task = toyTask();
    const adapter = attachMethod(model, 'stochgrasp', { k: 4, lambda, sigmaTarget: TARGET }, new Rng(0));
    if (!isNoiseAware(adapter)) throw new Error('stochgrasp is not noise-aware');
    const before = sigmaReport(adapter)!;
    const penalties: number[] = [];
    const result = await train(
      { model, adapter, task, data: task.load(), tokenizer: hashTokenizer() },
      { maxSteps: 120, batchSize: 16, seed: 7, progress: 'none', evalEvery: 'end', checkMemory: true, onStep: (s) => penalties.push(s.penalty) },
    );
    adapter.detach();
    model.dispose();
    return { before, after: result.sigma!, penalties };
  };

  it('λ > 0: σ/σ_target goes from its initial range into [0.8, 1.25] at the default learning rate', async () => {
    await useBackend('cpu');
    const tensors = tensorCount();
    const { before, after, penalties } = await run(0.1);
    expect(before.meanRatio).toBeGreaterThan(0.05);
    expect(before.meanRatio).toBeLessThan(0.25);
    expect(after.meanRatio).toBeGreaterThanOrEqual(0.8);
    expect(after.meanRatio).toBeLessThanOrEqual(1.25);
    expect(after.warning).toBeNull();
    expect(penalties[penalties.length - 1]).toBeLessThan(penalties[0] / 10);
    expect(tensorCount()).toBe(tensors);
  }, 240_000);

  it('λ = 0: σ stays near its initialisation', async () => {
    await useBackend('cpu');
    const { before, after, penalties } = await run(0);
    expect(penalties.every((p) => p === 0)).toBe(true);
    expect(after.meanRatio / before.meanRatio).toBeGreaterThan(0.5);
    expect(after.meanRatio / before.meanRatio).toBeLessThan(2);
    expect(after.meanRatio).toBeLessThan(0.4);
  }, 240_000);
});
