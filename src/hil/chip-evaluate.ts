/**
 * Analog evaluation over chips: program deployable weights on C chips (chip seeds), and for each time
 * t (seconds after programming) and compensation mode evaluate the model with its chip Sites replaced
 * by the analog layers; the task's primary metric gets a 95 % CI.
 *
 *   per chip seed: Chip.program(weights, profile, periphery, { chip: seed, read: seed })
 *     per t, per compensation: chip.at(t, { compensation }) → attach (innermost: hooks already on the
 *     Sites, e.g. a periphery-held GRASP, run in front) → predictions → detach
 *   per (t, compensation): mean over chips of the metric; CI by the project's two-level bootstrap over
 *     chips × examples (results/stats.ts `bootstrapRuns`: resample chips, then examples, percentile)
 *
 * Streams: chip seed s programs devices and draws drift and read noise (time and read seeds = s);
 * the bootstrap draws from `Rng(seed, 'bootstrap/t=<t>/<compensation>')`. Same seeds, same numbers.
 */
import { Chip, type CompensationMode, type PeripheryOptions } from '../crossbar/index.js';
import type { EncodedSet, Task } from '../data/index.js';
import { evaluateDetailed } from '../eval/index.js';
import type { Transformer, WeightsBySite } from '../model/index.js';
import { bootstrapRuns, mcnemarExact, runMetric, type McNemar } from '../results/index.js';
import { Rng } from '../tensor/index.js';
import { at as chipAt, attachSites, programSites } from './model-on-chip.js';
import { attachChip } from './periphery-grasp.js';
import type { SyncChip } from './sync.js';

export interface ChipEvalOptions {
  profile: string;
  periphery?: PeripheryOptions | string;
  /** Seconds after programming. */
  times: readonly number[];
  compensations: readonly CompensationMode[];
  /** Chip seeds (one programmed chip each). */
  chipSeeds: readonly number[];
  /** Bootstrap seed and replicates (default 0 and 2000). */
  seed?: number;
  resamples?: number;
  onResult?: (r: ChipEvalResult) => void;
}

export interface ChipEvalResult {
  t: number;
  compensation: CompensationMode;
  metricName: string;
  /** Mean over chips of the primary metric. */
  mean: number;
  /** 95 % percentile interval over chips × examples. */
  ci: [number, number];
  runs: { chipSeed: number; metric: number; predictions: Float32Array }[];
  mvmCalls: number;
}

/** The primary metric's mean over runs with its 95 % two-level bootstrap CI (runs × examples). */
export function metricWithCi(task: Task, labels: Float32Array, predictions: readonly Float32Array[], rng: Rng, resamples = 2000): { mean: number; ci: [number, number] } {
  const metric = runMetric(predictions.map((pred) => ({ pred, labels })), task.primaryMetric);
  const mean = predictions.reduce((s, _, r) => s + metric(r, null), 0) / predictions.length;
  return { mean, ci: bootstrapRuns(predictions.length, labels.length, metric, rng, resamples, 0.95) };
}

/** Exact McNemar test of two classifiers' predictions on the same examples (b: only A right, c: only B right). */
export function pairedMcNemar(labels: ArrayLike<number>, a: ArrayLike<number>, b: ArrayLike<number>): McNemar {
  const correct = (p: ArrayLike<number>) => Array.from(labels, (y, i) => (p[i] === y ? 1 : 0));
  return mcnemarExact(correct(a), correct(b));
}

/** Evaluates `weights` programmed on each chip at every (t, compensation); see the file header. */
export function evaluateOverChips(model: Transformer, task: Task, set: EncodedSet, weights: WeightsBySite, o: ChipEvalOptions): ChipEvalResult[] {
  if (o.chipSeeds.length === 0) throw new Error('evaluateOverChips: no chip seeds; give at least one chip');
  const key = (t: number, c: CompensationMode) => `${t}/${c}`;
  const runs = new Map<string, ChipEvalResult['runs']>();
  const calls = new Map<string, number>();
  for (const chipSeed of o.chipSeeds) {
    const chip = Chip.program(weights, o.profile, o.periphery ?? {}, { chip: chipSeed, read: chipSeed });
    for (const t of o.times) {
      for (const compensation of o.compensations) {
        const state = chip.at(t, { compensation });
        const att = attachChip(state, model);
        try {
          const { metrics, predictions } = evaluateDetailed(model, task, set);
          if (att.mvm.calls === 0) throw new Error('evaluateOverChips: no forward pass reached the chip; a hook attached before the chip replaces the Sites\' computation');
          const k = key(t, compensation);
          runs.set(k, [...(runs.get(k) ?? []), { chipSeed, metric: metrics[task.primaryMetric], predictions }]);
          calls.set(k, (calls.get(k) ?? 0) + att.mvm.calls);
        } finally {
          att.detach();
          state.dispose();
        }
      }
    }
  }
  return summarise(task, set, o, runs, calls);
}

/** Mean and CI per (t, compensation) over the chips' runs, in times × compensations order. */
function summarise(task: Task, set: EncodedSet, o: ChipEvalOptions, runs: Map<string, ChipEvalResult['runs']>, calls: Map<string, number>): ChipEvalResult[] {
  const out: ChipEvalResult[] = [];
  for (const t of o.times) {
    for (const compensation of o.compensations) {
      const k = `${t}/${compensation}`;
      const r = runs.get(k)!;
      const { mean, ci } = metricWithCi(task, set.labels, r.map((x) => x.predictions), new Rng(o.seed ?? 0, `bootstrap/t=${t}/${compensation}`), o.resamples);
      const res: ChipEvalResult = { t, compensation, metricName: task.primaryMetric, mean, ci, runs: r, mvmCalls: calls.get(k)! };
      o.onResult?.(res);
      out.push(res);
    }
  }
  return out;
}

/**
 * evaluateOverChips on a chip driver (a served chip, a lab's host): per chip seed and compensation
 * ('none', or 'global' done by the host: drift-compensation.ts) reset → program (model-on-chip.ts) →
 * per t in ascending order advance → evaluate. `profile` and `periphery` are the chip's own.
 */
export function evaluateOverDriver(model: Transformer, task: Task, set: EncodedSet, weights: WeightsBySite, chip: SyncChip, o: Omit<ChipEvalOptions, 'profile' | 'periphery'>): ChipEvalResult[] {
  if (o.chipSeeds.length === 0) throw new Error('evaluateOverDriver: no chip seeds; give at least one chip');
  for (const c of o.compensations) {
    if (c !== 'none' && c !== 'global') throw new Error(`compensation '${c}' is not available on a chip driver; the host compensates 'global' or 'none'`);
  }
  const runs = new Map<string, ChipEvalResult['runs']>();
  const calls = new Map<string, number>();
  const times = [...o.times].sort((a, b) => a - b);
  for (const chipSeed of o.chipSeeds) {
    for (const compensation of o.compensations) {
      const placed = programSites(chip, weights, { seed: chipSeed, compensation: compensation === 'global' });
      for (const t of times) {
        chipAt(placed, t);
        const att = attachSites(placed, model);
        try {
          const { metrics, predictions } = evaluateDetailed(model, task, set);
          const k = `${t}/${compensation}`;
          runs.set(k, [...(runs.get(k) ?? []), { chipSeed, metric: metrics[task.primaryMetric], predictions }]);
          calls.set(k, (calls.get(k) ?? 0) + att.mvm.calls);
        } finally {
          att.detach();
        }
      }
    }
  }
  return summarise(task, set, o as ChipEvalOptions, runs, calls);
}
