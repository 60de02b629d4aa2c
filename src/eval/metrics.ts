/**
 * Task metrics, each a pure function of predictions and references (plain arrays).
 *
 * GLUE's official metrics: Matthews correlation (CoLA), accuracy, F1 of the positive class
 * (MRPC, QQP), Pearson and Spearman correlation (STS-B). Conventions follow scikit-learn and
 * SciPy (the reference implementations GLUE's evaluation uses): a degenerate denominator gives 0
 * for MCC and F1 and NaN for correlations of a constant series; Spearman uses average ranks for ties.
 */

import type { MetricName } from '../data/metric-names.js';

/** Registered metric names (declared with the tasks, data/metric-names.ts). */
export type { MetricName };

function checkLengths(a: ArrayLike<number>, b: ArrayLike<number>, what: string): void {
  if (a.length !== b.length) throw new Error(`${what}: ${a.length} predictions for ${b.length} references`);
  if (a.length === 0) throw new Error(`${what}: no examples`);
}

/** Fraction of exact matches. */
export function accuracy(pred: ArrayLike<number>, ref: ArrayLike<number>): number {
  checkLengths(pred, ref, 'accuracy');
  let ok = 0;
  for (let i = 0; i < pred.length; i++) if (pred[i] === ref[i]) ok++;
  return ok / pred.length;
}

/** Confusion counts of a binary task with `positive` as the positive label. */
function binaryCounts(pred: ArrayLike<number>, ref: ArrayLike<number>, positive: number) {
  let tp = 0, fp = 0, fn = 0, tn = 0;
  for (let i = 0; i < pred.length; i++) {
    const p = pred[i] === positive, r = ref[i] === positive;
    if (p && r) tp++;
    else if (p) fp++;
    else if (r) fn++;
    else tn++;
  }
  return { tp, fp, fn, tn };
}

/** F1 of the positive class (label 1 by default); 0 when there are no true or predicted positives. */
export function f1(pred: ArrayLike<number>, ref: ArrayLike<number>, positive = 1): number {
  checkLengths(pred, ref, 'f1');
  const { tp, fp, fn } = binaryCounts(pred, ref, positive);
  const denom = 2 * tp + fp + fn;
  return denom === 0 ? 0 : (2 * tp) / denom;
}

/** Unweighted mean of per-class F1 over the classes present in predictions or references. */
export function macroF1(pred: ArrayLike<number>, ref: ArrayLike<number>): number {
  checkLengths(pred, ref, 'macro_f1');
  const classes = new Set<number>([...Array.from(pred), ...Array.from(ref)]);
  let s = 0;
  for (const c of classes) s += f1(pred, ref, c);
  return s / classes.size;
}

/**
 * Matthews correlation coefficient, multi-class form (Gorodkin 2004, as scikit-learn's
 * matthews_corrcoef); equals (tp·tn − fp·fn)/√(…) for two classes. 0 when undefined.
 */
export function mcc(pred: ArrayLike<number>, ref: ArrayLike<number>): number {
  checkLengths(pred, ref, 'mcc');
  const n = pred.length;
  const tCount = new Map<number, number>(), pCount = new Map<number, number>();
  let correct = 0;
  for (let i = 0; i < n; i++) {
    tCount.set(ref[i], (tCount.get(ref[i]) ?? 0) + 1);
    pCount.set(pred[i], (pCount.get(pred[i]) ?? 0) + 1);
    if (pred[i] === ref[i]) correct++;
  }
  let tp = 0, pp = 0, tt = 0;
  for (const [k, t] of tCount) tp += t * (pCount.get(k) ?? 0);
  for (const p of pCount.values()) pp += p * p;
  for (const t of tCount.values()) tt += t * t;
  const cov = correct * n - tp;
  const denom = Math.sqrt((n * n - pp) * (n * n - tt));
  return denom === 0 ? 0 : cov / denom;
}

/** Pearson correlation (double precision); NaN when either series is constant. */
export function pearson(x: ArrayLike<number>, y: ArrayLike<number>): number {
  checkLengths(x, y, 'pearson');
  const n = x.length;
  let mx = 0, my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i];
    my += y[i];
  }
  mx /= n;
  my /= n;
  let sxy = 0, sxx = 0, syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i] - mx, dy = y[i] - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  return sxx === 0 || syy === 0 ? NaN : sxy / Math.sqrt(sxx * syy);
}

/** Ranks 1..n with ties given their average rank. */
export function averageRanks(x: ArrayLike<number>): Float64Array {
  const idx = Array.from({ length: x.length }, (_, i) => i).sort((a, b) => x[a] - x[b]);
  const ranks = new Float64Array(x.length);
  for (let i = 0; i < idx.length; ) {
    let j = i;
    while (j + 1 < idx.length && x[idx[j + 1]] === x[idx[i]]) j++;
    const r = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) ranks[idx[k]] = r;
    i = j + 1;
  }
  return ranks;
}

/** Spearman rank correlation: Pearson of average ranks. */
export function spearman(x: ArrayLike<number>, y: ArrayLike<number>): number {
  checkLengths(x, y, 'spearman');
  return pearson(averageRanks(x), averageRanks(y));
}

type MetricFn = (pred: ArrayLike<number>, ref: ArrayLike<number>) => number;

const METRICS: Record<MetricName, MetricFn> = {
  accuracy,
  f1: (p, r) => f1(p, r),
  mcc,
  pearson,
  spearman,
  macro_f1: macroF1,
};

export const METRIC_NAMES = Object.keys(METRICS) as MetricName[];

/** Computes each named metric. */
export function computeMetrics(names: readonly MetricName[], pred: ArrayLike<number>, ref: ArrayLike<number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const n of names) {
    const fn = METRICS[n];
    if (!fn) throw new Error(`unknown metric '${n}'; known: ${METRIC_NAMES.join(', ')}`);
    out[n] = fn(pred, ref);
  }
  return out;
}
