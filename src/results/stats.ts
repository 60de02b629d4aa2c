/**
 * Paired statistics from result rows: each method's metric with a 95 % CI per condition, each method's
 * difference Δ from the experiment's baseline (`compareTo`) with a paired CI, and a verdict.
 *
 * Order: group `noise`/`hardware` rows by condition (kind, task, profile, σ or t/compensation/sweep/scales) →
 * within a condition, by method entry → check every row's `predictions`/`labels` → point estimates →
 * bootstrap CIs → paired Δ vs the baseline → verdict.
 *
 * Data model: a condition is a crossed design of runs × examples. A run is one row: one seed
 * combination (train, noise, chip, read seeds); every run scores the same evaluation examples in the
 * same order. Both are random factors, so a CI must cover both sources of variation.
 *
 * Point estimate: the mean over runs of metric(predictions, labels) on all examples (the metric is
 * recomputed from predictions and labels with src/eval/metrics.ts, not read from `row.metric`).
 *
 * CI (two-level bootstrap, percentile method, no BCa): each of B replicates (default 2000)
 *   1. resamples the runs (seed units) with replacement, then
 *   2. resamples the example indices with replacement — one index draw shared by all runs of the
 *      replicate, because the runs score the same examples,
 * and evaluates the mean over resampled runs of the metric on the resampled examples. The 2.5 % and
 * 97.5 % quantiles of the replicates are the 95 % interval. With one run, step 1 is the identity and
 * this is the ordinary bootstrap over examples (≈ p ± 1.96·√(p(1−p)/n) for accuracy).
 *
 * Paired Δ = method − baseline: runs are matched by their seeds (same train/noise/chip/read seeds — the
 * names both sides' rows have, so a supplied adapter, which has no train seed, pairs on chip/read/noise); a
 * replicate resamples matched pairs, then examples (shared by both sides), and takes the mean over pairs
 * of metric_A − metric_B. When the two sides' seeds do not match one to one, each side's runs are
 * resampled separately and only the examples are paired (`pairing: 'examples'`). With exactly one run
 * per side, the exact McNemar test (binomial, on per-example correctness) is reported as well.
 *
 * Verdict: "better" when the Δ CI lies above 0, "worse" below 0, else "no detectable difference
 * (CI covers 0)". The verdict is the CI's; McNemar's p is printed beside it for single runs.
 *
 * Random streams: `new Rng(seed, 'bootstrap/<condition>/<entry>')` (and `…/vs/<baseline>` for Δ), so
 * an estimate does not depend on which other methods or conditions the rows hold. Same rows and seed,
 * same intervals.
 *
 * Rows without `predictions` (files written before they were recorded) get the mean of `row.metric` and
 * no CI (`ci: null`, with a note saying why).
 */
import { compensationOfRow, scalesLabel, sweepValueLabel, type ResultRow, type SweepValue } from './row.js';
import { computeMetrics, METRIC_NAMES, type MetricName } from '../eval/metrics.js';
import { Rng } from '../tensor/rng.js';
import { mcnemarExact, percentileInterval, resampleIndices, type McNemar } from './bootstrap.js';

export type Verdict = 'better' | 'worse' | 'no detectable difference (CI covers 0)';

export interface StatsOptions {
  /** Bootstrap replicates (default 2000). */
  resamples?: number;
  /** Seed of the bootstrap streams (default 0). */
  seed?: number;
  /** Confidence level (default 0.95). */
  level?: number;
}

/** One evaluation condition: every field that is not the method or a seed. */
export interface Condition {
  /** Stable key (JSON) of the fields below. */
  key: string;
  kind: 'noise' | 'hardware';
  task: string;
  profile: string | null;
  noiseSigma: number | null;
  t: number | null;
  /** Compensation mode by name (none, global, …); rows that stored true/false read as global/none. */
  compensation: string | null;
  sweep: Record<string, SweepValue> | null;
  /** Multipliers of the profile's noise scales (hardware rows with a scales axis), else null. */
  scales: Record<string, number> | null;
  /** Human-readable form: "σ=0.02" or "t=3600s global". */
  label: string;
}

export interface MethodEstimate {
  condition: Condition;
  entryId: string;
  label: string;
  metricName: string;
  runs: number;
  /** Evaluation examples per run (null when rows carry no predictions). */
  examples: number | null;
  estimate: number;
  /** [lo, hi] at the configured level, or null when the rows carry no predictions. */
  ci: [number, number] | null;
  /** Mean of `weightStd` over the rows (noise rows that carry it), else null. */
  weightStd: number | null;
  /** Majority-class level of the metric for these labels (chance), null without labels. */
  chance: number | null;
  note?: string;
}

export interface Comparison {
  condition: Condition;
  entryId: string;
  label: string;
  baseline: string;
  baselineLabel: string;
  metricName: string;
  /** Method − baseline, in metric units. */
  delta: number;
  ci: [number, number] | null;
  /** What the bootstrap held fixed between the two sides. */
  pairing: 'seeds+examples' | 'examples' | 'none';
  pairs: number;
  /** Exact McNemar on per-example correctness, when each side has exactly one run. */
  mcnemar: McNemar | null;
  verdict: Verdict | null;
  note?: string;
}

export interface ExperimentStats {
  level: number;
  resamples: number;
  baseline: string | null;
  estimates: MethodEstimate[];
  comparisons: Comparison[];
  /** Largest Δ CI half-width over all comparisons (metric units), null without any CI. */
  maxDeltaHalfWidth: number | null;
  /** Largest single-method CI half-width. */
  maxHalfWidth: number | null;
}

const conditionLabel = (c: Omit<Condition, 'key' | 'label'>): string => {
  if (c.kind === 'noise') return `σ=${c.noiseSigma}`;
  const parts = [`t=${c.t}s`, c.compensation ?? 'no-comp'];
  if (c.sweep) for (const [k, v] of Object.entries(c.sweep)) parts.push(`${k}=${sweepValueLabel(v)}`);
  const sl = scalesLabel(c.scales);
  if (sl) parts.push(sl);
  return parts.join(' ');
};

export function conditionOf(r: ResultRow): Condition {
  const c = {
    kind: r.kind as 'noise' | 'hardware',
    task: r.task ?? '',
    profile: r.profile ?? null,
    noiseSigma: r.kind === 'noise' ? (r.noiseSigma ?? null) : null,
    t: r.kind === 'hardware' ? (r.t ?? null) : null,
    compensation: r.kind === 'hardware' ? compensationOfRow(r) : null,
    sweep: r.sweep ?? null,
    scales: r.kind === 'hardware' && r.scales && Object.keys(r.scales).length ? r.scales : null,
  };
  return { ...c, key: JSON.stringify(c), label: conditionLabel(c) };
}

/**
 * The arm a row belongs to: `entryId` (else the method label, else the method id), and `@<profile>` for an
 * adapter trained for one profile's σ_target — the entry's adapters for different profiles are different arms,
 * never runs of one.
 */
export function entryOf(r: ResultRow): string {
  const entry = (typeof r.entryId === 'string' && r.entryId) || r.methodLabel || r.method || '';
  return typeof r.targetProfile === 'string' && r.targetProfile ? `${entry}@${r.targetProfile}` : entry;
}

const labelOf = (r: ResultRow): string => r.methodLabel ?? r.method ?? entryOf(r);

/** Seeds as a matching key (sorted names, only those in `names` when given), e.g. {"noise":1,"train":0}. */
function seedKey(r: ResultRow, names?: ReadonlySet<string>): string {
  const s = r.seeds ?? {};
  return JSON.stringify(Object.keys(s).filter((k) => !names || names.has(k)).sort().map((k) => [k, s[k]]));
}

/** Seed names every row has (a supplied adapter's rows have no `train` seed: its arm pairs on the rest). */
function sharedSeedNames(rows: ResultRow[]): Set<string> {
  const sets = rows.map((r) => new Set(Object.keys(r.seeds ?? {})));
  return new Set([...(sets[0] ?? [])].filter((k) => sets.every((s) => s.has(k))));
}

const where = (r: ResultRow, field: string) => `results row '${r.key}' of experiment '${r.experiment}', field /${field}`;

/** The arrays of a row that has predictions, checked; null when it has none. */
function predictionsOf(r: ResultRow): { pred: number[]; labels: number[] } | null {
  const pred = r.predictions, labels = r.labels;
  if (pred === undefined && labels === undefined) return null;
  if (!Array.isArray(pred) || !pred.every((v) => typeof v === 'number')) throw new Error(`${where(r, 'predictions')}: expected an array of numbers (one prediction per evaluation example)`);
  if (!Array.isArray(labels) || !labels.every((v) => typeof v === 'number')) throw new Error(`${where(r, 'labels')}: expected an array of numbers (one label per evaluation example) beside /predictions`);
  if (pred.length !== labels.length || pred.length === 0) throw new Error(`${where(r, 'predictions')}: ${pred.length} predictions for ${labels.length} labels; both must list the same non-empty set of examples`);
  return { pred: pred as number[], labels: labels as number[] };
}

/** Metric of one run on the example indices `idx` (all examples when idx is null). */
export type RunMetric = (run: number, idx: Int32Array | null) => number;

/** One run's predictions and labels, in evaluation-set order. */
export interface RunData {
  pred: ArrayLike<number>;
  labels: ArrayLike<number>;
}

interface Runs {
  rows: ResultRow[];
  metric: RunMetric;
  /** Per-run 0/1 correctness (classification), for McNemar. */
  correct: Uint8Array[];
  labels: number[];
}

function metricFn(name: string, r: ResultRow): MetricName {
  if (!(METRIC_NAMES as string[]).includes(name)) throw new Error(`${where(r, 'metricName')}: unknown metric '${name}'; known: ${METRIC_NAMES.join(', ')}`);
  return name as MetricName;
}

const correctOf = (data: readonly RunData[]) => data.map((d) => Uint8Array.from(d.pred as ArrayLike<number>, (p, i) => (p === d.labels[i] ? 1 : 0)));

/** Per-run metric on resampled examples; accuracy takes a fast path through 0/1 correctness (`correct`, computed when not given). */
export function runMetric(data: readonly RunData[], metricName: MetricName, correct: Uint8Array[] | null = null): RunMetric {
  const n = data[0].labels.length;
  if (metricName === 'accuracy') {
    const c01 = correct ?? correctOf(data);
    return (run, idx) => {
      const c = c01[run];
      let s = 0;
      if (idx === null) for (let i = 0; i < n; i++) s += c[i];
      else for (let i = 0; i < n; i++) s += c[idx[i]];
      return s / n;
    };
  }
  const p = new Float64Array(n), y = new Float64Array(n);
  return (run, idx) => {
    const d = data[run];
    if (idx === null) return computeMetrics([metricName], d.pred, d.labels)[metricName];
    for (let i = 0; i < n; i++) {
      p[i] = d.pred[idx[i]];
      y[i] = d.labels[idx[i]];
    }
    return computeMetrics([metricName], p, y)[metricName];
  };
}

function makeRuns(rows: ResultRow[], data: { pred: number[]; labels: number[] }[], metricName: MetricName): Runs {
  const correct = correctOf(data);
  return { rows, metric: runMetric(data, metricName, correct), correct, labels: data[0].labels };
}

/** Metric of always predicting the most frequent label (correlations: 0). */
export function chanceLevel(labels: number[], metricName: string): number {
  if (metricName === 'pearson' || metricName === 'spearman') return 0;
  const counts = new Map<number, number>();
  for (const y of labels) counts.set(y, (counts.get(y) ?? 0) + 1);
  let best = labels[0], bestN = 0;
  for (const [y, k] of counts) if (k > bestN || (k === bestN && y < best)) [best, bestN] = [y, k];
  if (!(METRIC_NAMES as string[]).includes(metricName)) return bestN / labels.length;
  return computeMetrics([metricName as MetricName], labels.map(() => best), labels)[metricName];
}

function mean(xs: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i];
  return s / xs.length;
}

/** Two-level bootstrap of the mean over runs of the per-run metric (see the header). */
export function bootstrapRuns(runs: number, examples: number, metric: RunMetric, rng: Rng, resamples: number, level: number): [number, number] {
  const reps = new Float64Array(resamples);
  const units = new Int32Array(runs), idx = new Int32Array(examples);
  for (let b = 0; b < resamples; b++) {
    resampleIndices(rng, runs, units);
    resampleIndices(rng, examples, idx);
    let s = 0;
    for (let u = 0; u < runs; u++) s += metric(units[u], idx);
    reps[b] = s / runs;
  }
  return percentileInterval(reps, level);
}

/**
 * Paired bootstrap of mean(metric_A) − mean(metric_B). `pairs` lists matched (runA, runB); when null,
 * the two sides' runs are resampled independently and only the examples are shared.
 */
export function bootstrapDelta(
  a: { runs: number; metric: RunMetric },
  b: { runs: number; metric: RunMetric },
  pairs: [number, number][] | null,
  examples: number,
  rng: Rng,
  resamples: number,
  level: number,
): [number, number] {
  const reps = new Float64Array(resamples);
  const idx = new Int32Array(examples);
  const ua = new Int32Array(pairs ? pairs.length : a.runs), ub = new Int32Array(pairs ? 0 : b.runs);
  for (let r = 0; r < resamples; r++) {
    resampleIndices(rng, ua.length, ua);
    if (!pairs) resampleIndices(rng, ub.length, ub);
    resampleIndices(rng, examples, idx);
    let s = 0;
    if (pairs) {
      for (let u = 0; u < ua.length; u++) {
        const [i, j] = pairs[ua[u]];
        s += a.metric(i, idx) - b.metric(j, idx);
      }
      reps[r] = s / ua.length;
    } else {
      let sb = 0;
      for (let u = 0; u < ua.length; u++) s += a.metric(ua[u], idx);
      for (let u = 0; u < ub.length; u++) sb += b.metric(ub[u], idx);
      reps[r] = s / ua.length - sb / ub.length;
    }
  }
  return percentileInterval(reps, level);
}

/** Matches runs one to one by identical seeds; null unless every run on both sides has a partner. */
export function matchBySeeds(a: ResultRow[], b: ResultRow[]): [number, number][] | null {
  if (a.length !== b.length) return null;
  const names = sharedSeedNames([...a, ...b]);
  const byKey = new Map<string, number>();
  b.forEach((r, j) => byKey.set(seedKey(r, names), j));
  if (byKey.size !== b.length) return null;
  const pairs: [number, number][] = [];
  for (let i = 0; i < a.length; i++) {
    const j = byKey.get(seedKey(a[i], names));
    if (j === undefined) return null;
    pairs.push([i, j]);
  }
  return pairs;
}

export function verdictOf(ci: [number, number]): Verdict {
  if (ci[0] > 0) return 'better';
  if (ci[1] < 0) return 'worse';
  return 'no detectable difference (CI covers 0)';
}

/** The baseline entry named by the rows' `compareTo` (all rows must agree), or null. */
export function baselineOf(rows: ResultRow[]): string | null {
  let base: string | null = null;
  for (const r of rows) {
    const c = r.compareTo;
    if (c === undefined || c === null) continue;
    if (typeof c !== 'string') throw new Error(`${where(r, 'compareTo')}: expected a method entry id (string) or null`);
    if (base !== null && base !== c) throw new Error(`${where(r, 'compareTo')}: '${c}', but other rows of the experiment compare to '${base}'; an experiment names one baseline`);
    base = c;
  }
  return base;
}

/**
 * The rows with `id` as their baseline instead of the one the experiment named: the same runs compared
 * from another arm (`grasp-hil report --compare-to`). `id` must be an arm with evaluation rows (an
 * entry id, `entry@profile` for an adapter trained per profile).
 */
export function withBaseline(rows: ResultRow[], id: string, source: string): ResultRow[] {
  const arms = new Set(rows.filter((r) => r.kind === 'noise' || r.kind === 'hardware').map(entryOf));
  if (!arms.has(id)) {
    throw new Error(`${source}: '${id}' is not an arm with evaluation rows; the rows' arms are: ${[...arms].sort().join(', ') || '(none)'}`);
  }
  return rows.map((r) => ({ ...r, compareTo: id }));
}

/** Estimates, comparisons and resolution for every condition of the rows (see the header). */
export function experimentStats(rows: ResultRow[], options: StatsOptions = {}): ExperimentStats {
  const resamples = options.resamples ?? 2000, seed = options.seed ?? 0, level = options.level ?? 0.95;
  const evalRows = rows.filter((r) => (r.kind === 'noise' || r.kind === 'hardware') && (typeof r.metric === 'number' || r.predictions !== undefined));
  const baseline = baselineOf(evalRows);
  const conditions = new Map<string, { condition: Condition; entries: Map<string, ResultRow[]> }>();
  for (const r of evalRows) {
    const c = conditionOf(r);
    const g = conditions.get(c.key) ?? { condition: c, entries: new Map() };
    const e = entryOf(r);
    g.entries.set(e, [...(g.entries.get(e) ?? []), r]);
    conditions.set(c.key, g);
  }
  const estimates: MethodEstimate[] = [];
  const comparisons: Comparison[] = [];
  for (const { condition, entries } of conditions.values()) {
    const runsOf = new Map<string, Runs | null>();
    for (const [entryId, rs] of entries) {
      const metricName = rs[0].metricName ?? 'accuracy';
      const data = rs.map(predictionsOf);
      const withPred = data.filter((d) => d !== null).length;
      if (withPred !== 0 && withPred !== rs.length) {
        const r = rs[data.findIndex((d) => d === null)];
        throw new Error(`${where(r, 'predictions')}: missing, while other rows of '${entryId}' at ${condition.label} have them; rerun the experiment so that every row records predictions`);
      }
      const ws = rs.map((r) => r.weightStd).filter((v): v is number => typeof v === 'number');
      const weightStd = ws.length ? mean(ws) : null;
      const base = { condition, entryId, label: labelOf(rs[0]), metricName, runs: rs.length, weightStd };
      if (withPred === 0) {
        runsOf.set(entryId, null);
        estimates.push({ ...base, examples: null, estimate: mean(rs.map((r) => r.metric as number)), ci: null, chance: null, note: 'rows carry no per-example predictions: no CI' });
        continue;
      }
      const d = data as { pred: number[]; labels: number[] }[];
      const n = d[0].labels.length;
      d.forEach((x, i) => {
        if (x.labels.length !== n || x.labels.some((y, k) => y !== d[0].labels[k])) throw new Error(`${where(rs[i], 'labels')}: differ from row '${rs[0].key}'; every run of a condition must score the same examples in the same order`);
      });
      const runs = makeRuns(rs, d, metricFn(metricName, rs[0]));
      runsOf.set(entryId, runs);
      const point = mean(rs.map((_, i) => runs.metric(i, null)));
      const rng = new Rng(seed, `bootstrap/${condition.key}/${entryId}`);
      estimates.push({ ...base, examples: n, estimate: point, ci: bootstrapRuns(rs.length, n, runs.metric, rng, resamples, level), chance: chanceLevel(runs.labels, metricName) });
    }
    if (baseline === null || !entries.has(baseline)) continue;
    const bRows = entries.get(baseline) as ResultRow[];
    const bRuns = runsOf.get(baseline) ?? null;
    const bEst = estimates.find((e) => e.condition === condition && e.entryId === baseline) as MethodEstimate;
    for (const [entryId, rs] of entries) {
      if (entryId === baseline) continue;
      const aRuns = runsOf.get(entryId) ?? null;
      const aEst = estimates.find((e) => e.condition === condition && e.entryId === entryId) as MethodEstimate;
      const base = { condition, entryId, label: labelOf(rs[0]), baseline, baselineLabel: labelOf(bRows[0]), metricName: aEst.metricName, delta: aEst.estimate - bEst.estimate };
      if (!aRuns || !bRuns) {
        comparisons.push({ ...base, ci: null, pairing: 'none', pairs: 0, mcnemar: null, verdict: null, note: 'rows carry no per-example predictions: no paired CI, no verdict' });
        continue;
      }
      if (aRuns.labels.length !== bRuns.labels.length || aRuns.labels.some((y, k) => y !== bRuns.labels[k])) {
        throw new Error(`${where(rs[0], 'labels')}: differ from the baseline '${baseline}' row '${bRows[0].key}' at ${condition.label}; a paired comparison needs the same examples in the same order`);
      }
      const pairs = matchBySeeds(rs, bRows);
      const rng = new Rng(seed, `bootstrap/${condition.key}/${entryId}/vs/${baseline}`);
      const n = aRuns.labels.length;
      const ci = bootstrapDelta({ runs: rs.length, metric: aRuns.metric }, { runs: bRows.length, metric: bRuns.metric }, pairs, n, rng, resamples, level);
      const single = rs.length === 1 && bRows.length === 1;
      comparisons.push({
        ...base,
        ci,
        pairing: pairs ? 'seeds+examples' : 'examples',
        pairs: pairs ? pairs.length : 0,
        mcnemar: single ? mcnemarExact(aRuns.correct[0], bRuns.correct[0]) : null,
        verdict: verdictOf(ci),
        ...(pairs ? {} : { note: `seeds of '${entryId}' and '${baseline}' do not match one to one: runs resampled per side, only examples paired` }),
      });
    }
  }
  const half = (ci: [number, number] | null) => (ci ? (ci[1] - ci[0]) / 2 : null);
  const maxOf = (xs: (number | null)[]) => {
    const v = xs.filter((x): x is number => x !== null);
    return v.length ? Math.max(...v) : null;
  };
  return {
    level,
    resamples,
    baseline,
    estimates,
    comparisons,
    maxDeltaHalfWidth: maxOf(comparisons.map((c) => half(c.ci))),
    maxHalfWidth: maxOf(estimates.map((e) => half(e.ci))),
  };
}
