import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { Chip, weightsOfSites } from '../../src/crossbar/index.js';
import type { EncodedSet } from '../../src/data/index.js';
import { calibrateOnChip } from '../../src/hil/calibrate.js';
import { createModel, headLogits, selectSites, tinyConfig, type Model } from '../../src/model/index.js';
import { attachMethod } from '../../src/peft/index.js';
import { Rng, tensorCount } from '../../src/tensor/index.js';
import { useBackend } from '../helpers/backends.js';

const DAY = 86400;

/** 24 random sequences of 6–10 tokens, labelled by the digital model's own predictions (the chip should reproduce them). */
function teacherSet(model: Model): EncodedSet {
  const rng = new Rng(5, 'examples');
  const ids: Int32Array[] = [];
  for (let i = 0; i < 24; i++) {
    const len = 6 + Math.floor(rng.uniform() * 5);
    ids.push(Int32Array.from({ length: len }, (_, j) => (j === 0 ? 0 : j === len - 1 ? 2 : 3 + Math.floor(rng.uniform() * 90))));
  }
  const labels = new Float32Array(ids.length);
  for (let i = 0; i < ids.length; i++) {
    labels[i] = tf.tidy(() => headLogits(model, { inputIds: tf.tensor2d(ids[i], [1, ids[i].length], 'int32') }).argMax(-1).dataSync()[0]);
  }
  return { ids, typeIds: ids.map((r) => new Int32Array(r.length)), labels, padId: 1 };
}

function run(model: Model, chip: Chip, examples: EncodedSet, seed: number, steps: number) {
  const adapter = attachMethod(model, 'grasp', { k: 4 }, new Rng(0, 'init'));
  const state = chip.at(30 * DAY, { compensation: 'none', read: 7 });
  try {
    const r = calibrateOnChip({ model, adapter, state, kind: 'classification', examples }, { steps, batchSize: 24, lr: 0.1, seed, checkMemory: true });
    return { ...r, gamma: Array.from(adapter.trainable()[0].variable.dataSync()) };
  } finally {
    adapter.detach();
    state.dispose();
  }
}

describe('chip-in-the-loop calibration', () => {
  it('lowers the training loss on a drifted, uncompensated PCM chip; flat tensor count; same seed, same result', async () => {
    await useBackend('cpu');
    const model = createModel(tinyConfig({ architecture: 'roberta', numLabels: 3, hiddenSize: 32 }), new Rng(3), { head: 'sequence-classification' });
    // Weights 10× the fresh init (std 0.2), so the outputs depend on every layer (at std 0.02 the logits are ≈ 0 whatever the inputs).
    for (const n of model.params.names()) if (n.endsWith('.weight') && !n.includes('LayerNorm')) model.params.set(n, tf.mul(model.params.get(n), 10));
    const examples = teacherSet(model);
    const chip = Chip.program(weightsOfSites(selectSites(model, 'all-linear')), 'pcm-aihwkit', {}, 1);
    const a = run(model, chip, examples, 1, 10); // checkMemory: flat from step to step
    const after = tensorCount(); // (the first backward pass keeps each frozen W's transpose: FrozenMatrix)
    const first = a.losses[0], last = (a.losses.at(-1)! + a.losses.at(-2)!) / 2;
    expect(last).toBeLessThan(0.85 * first); // measured: 0.872 → 0.707 in 10 steps
    expect(a.mvm.calls).toBe(10 * selectSites(model, 'all-linear').length);
    expect(a.mvm.vectors).toBe(a.mvm.calls * 24 * 10 / 1); // full batch, padded to the longest row (10 tokens)
    const b = run(model, chip, examples, 1, 3);
    expect(tensorCount()).toBe(after); // and from run to run
    expect(b.losses).toEqual(a.losses.slice(0, 3));
    expect(() => calibrateOnChip({ model, adapter: attachMethod(model, 'grasp', { k: 4 }, new Rng(0)), state: chip.at(0), kind: 'classification', examples }, { steps: 0 }))
      .toThrow(/steps must be an integer ≥ 1, got 0/);
  });
});
