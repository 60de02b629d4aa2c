/**
 * The paper's robustness protocol on deployed weights: add N(0, σ²) to every weight of the given
 * Sites' merged (deployable) weights, evaluate, repeat with fresh draws. σ is in weight units, or a
 * fraction of each Site's max |W| (`relative`). Works for every method, since it sees only merged
 * weights; the model must not have an adapter attached (merge, detach, then call this).
 *
 * Random streams: one draw with noise seed s at σ uses `noiseStream(s, σ)` = Rng(s, 'noise/<σ>'),
 * and each Site forks its own stream by name, filled with fillNormal over the weight in storage
 * order. The experiment runner's noise rows and `grasp-hil evaluate --noise σ --seed s` both call
 * perturbMerged with this stream, so they give the same numbers; draw i of `--samples n` uses seed s + i.
 */
import type { EncodedSet } from '../data/batch.js';
import type { Task } from '../data/task.js';
import type { Transformer, WeightsBySite } from '../model/index.js';
import type { MergedWeights } from '../peft/adapter.js';
import { applyMerged } from '../peft/merge.js';
import { Rng } from '../tensor/index.js';
import { evaluateDetailed } from './evaluate.js';

export interface NoiseOptions {
  sigma: number;
  /** σ as a fraction of each Site's max |W| instead of weight units. */
  relative?: boolean;
  /** Independent draws to average (default 1); draw i uses noise seed `seed + i`. */
  samples?: number;
  seed?: number;
  batchSize?: number;
  /** Only these Sites are perturbed (default: every merged Site). */
  sites?: ReadonlySet<string> | null;
}

/** The random stream of one noise draw (noise seed, σ); perturbWeights forks it per Site. */
export function noiseStream(seed: number, sigma: number): Rng {
  return new Rng(seed, `noise/${sigma}`);
}

/**
 * A copy of `sites` with N(0, σ²) added to every weight of the Sites in `only` (all when null);
 * biases and the other Sites are copied unchanged.
 */
export function perturbWeights(sites: WeightsBySite, sigma: number, rng: Rng, relative = false, only: ReadonlySet<string> | null = null): WeightsBySite {
  const out: WeightsBySite = new Map();
  for (const [name, w] of sites) {
    const bias = w.bias ? w.bias.slice() : null;
    if ((only && !only.has(name)) || sigma === 0) {
      out.set(name, { ...w, weight: w.weight.slice(), bias });
      continue;
    }
    let sd = sigma;
    if (relative) {
      let m = 0;
      for (let i = 0; i < w.weight.length; i++) m = Math.max(m, Math.abs(w.weight[i]));
      sd = sigma * m;
    }
    const noise = rng.fork(name).fillNormal(new Float32Array(w.weight.length), 0, sd);
    for (let i = 0; i < noise.length; i++) noise[i] += w.weight[i];
    out.set(name, { ...w, weight: noise, bias });
  }
  return out;
}

/**
 * The standard deviation of the weights the noise protocol perturbs (`only`, or every Site), pooled over
 * all their elements (accumulated in float64): what an injected σ is measured against.
 */
export function weightStdOf(sites: WeightsBySite, only: ReadonlySet<string> | null = null): number {
  let n = 0, s = 0, s2 = 0;
  for (const [name, w] of sites) {
    if (only && !only.has(name)) continue;
    for (let i = 0; i < w.weight.length; i++) {
      s += w.weight[i];
      s2 += w.weight[i] * w.weight[i];
    }
    n += w.weight.length;
  }
  return n > 0 ? Math.sqrt(Math.max(0, s2 / n - (s / n) ** 2)) : 0;
}

/** Merged weights with one noise draw (seed, σ) applied to their Sites; the digital parameters are shared. */
export function perturbMerged(merged: MergedWeights, sigma: number, seed: number, options: { relative?: boolean; sites?: ReadonlySet<string> | null } = {}): MergedWeights {
  return { sites: perturbWeights(merged.sites, sigma, noiseStream(seed, sigma), options.relative ?? false, options.sites ?? null), params: merged.params };
}

export interface NoiseDraw {
  seed: number;
  metrics: Record<string, number>;
  /** Prediction per example of the set, in set order. */
  predictions: Float32Array;
}

export interface NoiseResult {
  /** Mean of each metric over the draws. */
  mean: Record<string, number>;
  draws: Record<string, number>[];
  /** Each draw's seed, metrics and predictions. */
  detail: NoiseDraw[];
}

/** One noise draw: perturb, evaluate, restore the model's weights. */
export function evaluateNoiseDraw(model: Transformer, merged: MergedWeights, task: Task, set: EncodedSet, sigma: number, seed: number, options: Omit<NoiseOptions, 'sigma' | 'seed' | 'samples'> = {}): NoiseDraw {
  const undo = applyMerged(model, perturbMerged(merged, sigma, seed, options));
  try {
    const { metrics, predictions } = evaluateDetailed(model, task, set, { batchSize: options.batchSize ?? 32 });
    return { seed, metrics, predictions };
  } finally {
    undo();
  }
}

export function evaluateWithNoise(model: Transformer, merged: MergedWeights, task: Task, set: EncodedSet, options: NoiseOptions): NoiseResult {
  const n = options.samples ?? 1;
  const seed = options.seed ?? 0;
  const detail: NoiseDraw[] = [];
  for (let s = 0; s < n; s++) detail.push(evaluateNoiseDraw(model, merged, task, set, options.sigma, seed + s, options));
  const draws = detail.map((d) => d.metrics);
  const mean: Record<string, number> = {};
  for (const k of Object.keys(draws[0] ?? {})) mean[k] = draws.reduce((a, d) => a + d[k], 0) / draws.length;
  return { mean, draws, detail };
}
