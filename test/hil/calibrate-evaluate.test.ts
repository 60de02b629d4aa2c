import { describe, expect, it } from 'vitest';
import { weightsOfSites } from '../../src/crossbar/index.js';
import { getTask, type EncodedSet } from '../../src/data/index.js';
import { evaluateDetailed } from '../../src/eval/index.js';
import { evaluateOverChips, metricWithCi, pairedMcNemar } from '../../src/hil/chip-evaluate.js';
import { createModel, selectSites, tinyConfig } from '../../src/model/index.js';
import { applyMerged, attachMethod } from '../../src/peft/index.js';
import { Rng } from '../../src/tensor/index.js';
import { useBackend } from '../helpers/backends.js';

describe('evaluation over chips', () => {
  it('gives accuracy with the normal-approximation 95 % interval p ± 1.96·√(p(1−p)/n) for one run', () => {
    const n = 400;
    const labels = Float32Array.from({ length: n }, (_, i) => i % 2);
    const pred = Float32Array.from(labels, (y, i) => (i % 4 === 0 ? 1 - y : y)); // 75 % right
    const { mean, ci } = metricWithCi(getTask('spam'), labels, [pred], new Rng(0, 'ci'));
    const half = 1.96 * Math.sqrt((0.75 * 0.25) / n);
    expect(mean).toBe(0.75);
    expect(ci[0]).toBeCloseTo(0.75 - half, 2);
    expect(ci[1]).toBeCloseTo(0.75 + half, 2);
    // two runs: the mean over runs
    const all = Float32Array.from(labels);
    expect(metricWithCi(getTask('spam'), labels, [pred, all], new Rng(0, 'ci')).mean).toBe(0.875);
    expect(pairedMcNemar(labels, all, pred)).toMatchObject({ b: 100, c: 0 });
  });

  it('programs every chip seed and reproduces the digital predictions on the ideal profile; refuses merged weights in front', async () => {
    await useBackend('cpu');
    const model = createModel(tinyConfig({ architecture: 'roberta', numLabels: 2 }), new Rng(4), { head: 'sequence-classification' });
    const rng = new Rng(9, 'ex');
    const ids = Array.from({ length: 10 }, () => Int32Array.from({ length: 6 }, (_, j) => (j === 0 ? 0 : j === 5 ? 2 : 3 + rng.int(90))));
    const set: EncodedSet = { ids, typeIds: ids.map((r) => new Int32Array(r.length)), labels: Float32Array.from(ids, (_, i) => i % 2), padId: 1 };
    const task = getTask('spam');
    const digital = evaluateDetailed(model, task, set).predictions;
    const weights = weightsOfSites(selectSites(model, 'all-linear'));
    const r = evaluateOverChips(model, task, set, weights, { profile: 'ideal', times: [1, 86400], compensations: ['none'], chipSeeds: [3, 4], resamples: 200 });
    expect(r.map((x) => x.t)).toEqual([1, 86400]);
    for (const x of r) {
      expect(x.runs.map((u) => u.chipSeed)).toEqual([3, 4]);
      for (const u of x.runs) expect(Array.from(u.predictions)).toEqual(Array.from(digital));
      expect(x.mvmCalls).toBe(2 * weights.size); // one forward pass of 10 examples per chip, one MVM per Site
    }
    const a = attachMethod(model, 'grasp', { k: 4 }, new Rng(0));
    const merged = a.merge();
    a.detach();
    const undo = applyMerged(model, merged);
    expect(() => evaluateOverChips(model, task, set, weights, { profile: 'ideal', times: [1], compensations: ['none'], chipSeeds: [0] })).toThrow(/has merged weights applied/);
    undo();
  });
});
