/**
 * The paper's robustness protocol on deployed weights: add N(0, σ²) to every weight of the given
 * Sites' merged (deployable) weights, evaluate, repeat with fresh draws. σ is in weight units, or a
 * fraction of each Site's max |W| (`relative`). Works for every method, since it sees only merged
 * weights; the model must not have an adapter attached (merge, detach, then call this).
 */
import type { EncodedSet } from '../data/batch.js';
import type { Task } from '../data/task.js';
import type { Transformer, WeightsBySite } from '../model/index.js';
import type { MergedWeights } from '../peft/adapter.js';
import { applyMerged } from '../peft/merge.js';
import { Rng } from '../tensor/index.js';
import { evaluate } from './evaluate.js';

export interface NoiseOptions {
  sigma: number;
  /** σ as a fraction of each Site's max |W| instead of weight units. */
  relative?: boolean;
  /** Independent draws to average (default 1). */
  samples?: number;
  seed?: number;
  batchSize?: number;
}

/** A copy of `sites` with N(0, σ²) added to every weight (biases untouched). */
export function perturbWeights(sites: WeightsBySite, sigma: number, rng: Rng, relative = false): WeightsBySite {
  const out: WeightsBySite = new Map();
  for (const [name, w] of sites) {
    let sd = sigma;
    if (relative) {
      let m = 0;
      for (let i = 0; i < w.weight.length; i++) m = Math.max(m, Math.abs(w.weight[i]));
      sd = sigma * m;
    }
    const noise = rng.fork(name).fillNormal(new Float32Array(w.weight.length), 0, sd);
    for (let i = 0; i < noise.length; i++) noise[i] += w.weight[i];
    out.set(name, { ...w, weight: noise, bias: w.bias ? w.bias.slice() : null });
  }
  return out;
}

export interface NoiseResult {
  /** Mean of each metric over the draws. */
  mean: Record<string, number>;
  draws: Record<string, number>[];
}

export function evaluateWithNoise(model: Transformer, merged: MergedWeights, task: Task, set: EncodedSet, options: NoiseOptions): NoiseResult {
  const n = options.samples ?? 1;
  const rng = new Rng(options.seed ?? 0, 'noise');
  const draws: Record<string, number>[] = [];
  for (let s = 0; s < n; s++) {
    const undo = applyMerged(model, { sites: perturbWeights(merged.sites, options.sigma, rng.fork(s), options.relative), params: merged.params });
    try {
      draws.push(evaluate(model, task, set, { batchSize: options.batchSize ?? 32 }));
    } finally {
      undo();
    }
  }
  const mean: Record<string, number> = {};
  for (const k of Object.keys(draws[0] ?? {})) mean[k] = draws.reduce((a, d) => a + d[k], 0) / draws.length;
  return { mean, draws };
}
