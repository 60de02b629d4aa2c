/**
 * Resampling primitives for paired statistics: index resamples, percentile intervals, the exact
 * McNemar (binomial) test.
 *
 * Order: a caller draws `resampleIndices` for the units (runs, i.e. seed combinations) and then for the
 * examples, evaluates its statistic on the resample, repeats B times, and reads the interval with
 * `percentileInterval` (the percentile method, Efron & Tibshirani 1993 §13.3; no BCa correction).
 * Quantiles interpolate linearly between order statistics, as numpy's default (`method='linear'`).
 *
 * Exact McNemar: under H0 the b discordant pairs where only A is right and the c where only B is right
 * are Binomial(b + c, ½); the two-sided p-value is min(1, 2·P[X ≤ min(b, c)]), which for p = ½ equals
 * SciPy's `binomtest(b, b + c, 0.5).pvalue` (checked in test/results/stats-golden.test.ts).
 *
 * Random streams: every draw comes from the `Rng` the caller passes; nothing else is random.
 */
import type { Rng } from '../tensor/rng.js';

/** n indices drawn uniformly with replacement from [0, n), into `out` (allocated when absent). */
export function resampleIndices(rng: Rng, n: number, out: Int32Array = new Int32Array(n)): Int32Array {
  for (let i = 0; i < n; i++) out[i] = rng.int(n);
  return out;
}

/** The q-quantile (0 ≤ q ≤ 1) of `sorted` (ascending), linear interpolation between order statistics. */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) throw new Error('quantileSorted: no values');
  const h = (n - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, n - 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

/** Two-sided percentile interval at `level` (e.g. 0.95) of bootstrap replicates; NaN replicates are an error. */
export function percentileInterval(replicates: Float64Array, level: number): [number, number] {
  if (!(level > 0 && level < 1)) throw new Error(`percentileInterval: level must be in (0, 1), got ${level}`);
  for (const v of replicates) if (Number.isNaN(v)) throw new Error('percentileInterval: a bootstrap replicate is NaN (the metric is undefined on some resample)');
  const sorted = Float64Array.from(replicates).sort();
  const a = (1 - level) / 2;
  return [quantileSorted(sorted, a), quantileSorted(sorted, 1 - a)];
}

/** P[X ≤ k] for X ~ Binomial(n, ½), summed in log space (no underflow for large n). */
export function binomialCdfHalf(k: number, n: number): number {
  if (k < 0) return 0;
  if (k >= n) return 1;
  const logHalfN = -n * Math.LN2;
  let logC = 0; // log C(n, 0)
  let sum = 0;
  for (let i = 0; i <= k; i++) {
    sum += Math.exp(logC + logHalfN);
    logC += Math.log(n - i) - Math.log(i + 1);
  }
  return Math.min(1, sum);
}

export interface McNemar {
  /** Examples only A classifies correctly. */
  b: number;
  /** Examples only B classifies correctly. */
  c: number;
  /** Exact two-sided p-value. */
  p: number;
}

/** Exact McNemar test of two paired 0/1 correctness vectors of equal length. */
export function mcnemarExact(correctA: ArrayLike<number>, correctB: ArrayLike<number>): McNemar {
  if (correctA.length !== correctB.length) throw new Error(`mcnemarExact: ${correctA.length} vs ${correctB.length} paired outcomes; both sides must score the same examples`);
  let b = 0, c = 0;
  for (let i = 0; i < correctA.length; i++) {
    if (correctA[i] && !correctB[i]) b++;
    else if (!correctA[i] && correctB[i]) c++;
  }
  const n = b + c;
  const p = n === 0 ? 1 : Math.min(1, 2 * binomialCdfHalf(Math.min(b, c), n));
  return { b, c, p };
}
