import { describe, expect, it, vi } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { Chip, weightsOfSites } from '../../src/crossbar/index.js';
import { attachChip, swapAdapter } from '../../src/hil/periphery-grasp.js';
import { createModel, headLogits, selectSites, tinyConfig, type Model } from '../../src/model/index.js';
import { applyMerged, attachMethod, type Adapter } from '../../src/peft/index.js';
import { Rng } from '../../src/tensor/index.js';
import { maxAbsDiff, useBackend } from '../helpers/backends.js';

/** A GRASP adapter with γ ∈ [0.6, 1.4] and β ∈ [−0.3, 0.3] drawn from `seed`. */
function graspAdapter(model: Model, seed: number): Adapter {
  const a = attachMethod(model, 'grasp', { k: 4 }, new Rng(seed, 'init'));
  const rng = new Rng(seed, 'values');
  for (const t of a.trainable()) {
    const v = new Float32Array(t.variable.size);
    rng.fillNormal(v, 0, 1);
    const scale = t.key.endsWith('grasp_scale');
    t.variable.assign(tf.tensor(v.map((z) => (scale ? 1 + 0.4 * Math.tanh(z) : 0.3 * Math.tanh(z))), t.variable.shape));
  }
  return a;
}

function logits(model: Model, ids: tf.Tensor2D): Float32Array {
  return tf.tidy(() => headLogits(model, { inputIds: ids }).dataSync() as Float32Array);
}

describe('periphery-held GRASP', () => {
  it('equals GRASP folded into the weights on the ideal chip, and switches adapters without reprogramming', async () => {
    await useBackend('cpu');
    const model = createModel(tinyConfig({ architecture: 'roberta', numLabels: 3 }), new Rng(2), { head: 'sequence-classification' });
    const ids = tf.tensor2d([[0, 5, 6, 7, 2], [0, 8, 9, 2, 1]], [2, 5], 'int32');
    const sites = selectSites(model, 'all-linear');

    // Reference: each adapter folded into the weights (W' = diag(1/γ̂)·W, b' = b − (β̂/γ̂)·W), evaluated digitally (ideal chip = digital, chip.test.ts).
    const folded: Float32Array[] = [];
    for (const seed of [11, 12]) {
      const a = graspAdapter(model, seed);
      const merged = a.merge();
      a.detach();
      const undo = applyMerged(model, merged);
      folded.push(logits(model, ids));
      undo();
    }
    expect(maxAbsDiff(folded[0], folded[1])).toBeGreaterThan(1e-3); // the two adapters differ

    const program = vi.spyOn(Chip, 'program');
    const chip = Chip.program(weightsOfSites(sites), 'ideal', {}, 1); // base weights, no adapter folded in
    const state = chip.at(0);
    const a = graspAdapter(model, 11);
    let att = attachChip(state, model);
    expect(sites[0].attachedOwners()).toEqual(['grasp', 'analog']);
    const scale = Math.max(...folded[0].map(Math.abs));
    expect(maxAbsDiff(logits(model, ids), folded[0]) / scale).toBeLessThan(1e-5);
    a.detach();
    let b: Adapter;
    ({ adapter: b, attachment: att } = swapAdapter(att, state, model, () => graspAdapter(model, 12)));
    expect(maxAbsDiff(logits(model, ids), folded[1]) / scale).toBeLessThan(1e-5);
    expect(program).toHaveBeenCalledTimes(1);
    expect(att.mvm.calls).toBe(2 * sites.length);
    expect(att.mvm.vectors).toBe(2 * sites.length * 10);
    // the chip attached in front of the adapter would hide it: refused
    expect(() => attachChip(state, model)).toThrow(/already runs on a chip/);
    att.detach();
    b.detach();
    program.mockRestore();
    state.dispose();
    ids.dispose();
  });
});
