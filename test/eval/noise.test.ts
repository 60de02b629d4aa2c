import { describe, expect, it } from 'vitest';
import { encodeExamples } from '../../src/data/index.js';
import { evaluate, evaluateNoiseDraw, evaluateWithNoise, perturbMerged, perturbWeights, weightStdOf } from '../../src/eval/index.js';
import { attachMethod } from '../../src/peft/index.js';
import { Rng, tensorCount } from '../../src/tensor/index.js';
import { useBackend } from '../helpers/backends.js';
import { tinyModel } from '../peft/helpers.js';
import { hashTokenizer, toyExamples, toyTask } from '../train/helpers.js';

describe('noise protocol on merged weights', () => {
  it('weightStdOf: the population std pooled over the perturbed Sites\' elements', () => {
    const site = (w: number[]) => ({ weight: Float32Array.from(w), bias: null, inFeatures: w.length, outFeatures: 1 });
    const sites = new Map([['a', site([1, 2])], ['b', site([3, 4])], ['c', site([100])]]);
    expect(weightStdOf(sites, new Set(['a', 'b']))).toBeCloseTo(Math.sqrt(1.25), 12); // {1, 2, 3, 4}
    expect(weightStdOf(sites, new Set(['c']))).toBe(0);
    expect(weightStdOf(sites)).toBeCloseTo(Math.sqrt((1 + 4 + 9 + 16 + 10000) / 5 - (110 / 5) ** 2), 9);
  });

  it('adds N(0, σ²) per Site (absolute or relative to max |W|), seeded', () => {
    const w = new Float32Array(20000).fill(0.5);
    w[0] = -2;
    const sites = new Map([['s', { inFeatures: 100, outFeatures: 200, weight: w, bias: null }]]);
    const a = perturbWeights(sites, 0.1, new Rng(1)).get('s')!.weight;
    const b = perturbWeights(sites, 0.1, new Rng(1)).get('s')!.weight;
    expect(a).toEqual(b);
    let m = 0, v = 0;
    for (let i = 1; i < a.length; i++) m += a[i] - 0.5;
    m /= a.length - 1;
    for (let i = 1; i < a.length; i++) v += (a[i] - 0.5 - m) ** 2;
    expect(Math.sqrt(v / (a.length - 2))).toBeCloseTo(0.1, 2);
    const r = perturbWeights(sites, 0.1, new Rng(1), true).get('s')!.weight;
    expect(r[5] - 0.5).toBeCloseTo((a[5] - 0.5) * 2, 5); // σ = 0.1 · max|W| = 0.2
    expect(w[3]).toBe(0.5); // input untouched
  });

  it('σ = 0 reproduces the clean metrics; the model is restored afterwards', async () => {
    await useBackend('cpu');
    const model = tinyModel('roberta', 3, 2);
    const task = toyTask();
    const set = encodeExamples(hashTokenizer(), toyExamples(40, 3), 32);
    const adapter = attachMethod(model, 'lora', { rank: 2 }, new Rng(0));
    const clean = evaluate(model, task, set);
    const merged = adapter.merge();
    adapter.detach();
    const count = tensorCount();
    expect(evaluateWithNoise(model, merged, task, set, { sigma: 0, samples: 2 }).mean).toEqual(clean);
    const noisy = evaluateWithNoise(model, merged, task, set, { sigma: 5, samples: 2, seed: 1 });
    expect(noisy.draws).toHaveLength(2);
    expect(tensorCount()).toBe(count);
    model.dispose();
  });

  it('perturbs only the chosen Sites; draw i of --samples n is the single draw of seed + i', async () => {
    await useBackend('cpu');
    const model = tinyModel('roberta', 3, 2);
    const task = toyTask();
    const set = encodeExamples(hashTokenizer(), toyExamples(40, 3), 32);
    const adapter = attachMethod(model, 'lora', { rank: 2 }, new Rng(0));
    const merged = adapter.merge();
    adapter.detach();
    const [first, second] = [...merged.sites.keys()];
    const one = perturbMerged(merged, 0.1, 3, { sites: new Set([first]) });
    expect(one.sites.get(second)!.weight).toEqual(merged.sites.get(second)!.weight);
    expect(one.sites.get(first)!.weight).not.toEqual(merged.sites.get(first)!.weight);
    expect(one.sites.get(first)!.weight).toEqual(perturbMerged(merged, 0.1, 3).sites.get(first)!.weight); // per-Site streams
    const count = tensorCount();
    const many = evaluateWithNoise(model, merged, task, set, { sigma: 5, samples: 2, seed: 7 });
    const single = evaluateNoiseDraw(model, merged, task, set, 5, 8);
    expect(many.detail.map((d) => d.seed)).toEqual([7, 8]);
    expect(many.detail[1].predictions).toEqual(single.predictions);
    expect(many.detail[0].predictions).not.toEqual(single.predictions);
    expect(tensorCount()).toBe(count);
    model.dispose();
  });
});
