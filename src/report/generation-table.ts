/**
 * Generation tables from result rows: Table II (methods, %params, BLEU/NIST/METEOR/ROUGE-L/CIDEr on
 * the digital deployment) and robustness (a metric per noise σ or chip time t, each method with a
 * 95 % CI and its paired Δ against the experiment's baseline).
 *
 * Order: keep noise/hardware rows that carry `hypotheses` → group by condition (σ, or profile/t/comp)
 * and method entry → check that every row scores the same MRs (`items`) → point estimates → paired
 * bootstrap over MRs → markdown.
 *
 * Point estimate: the mean over runs (seed combinations) of the corpus metric of each run's
 * hypotheses (nlgScores, as the row's `metrics`).
 * CI (percentile bootstrap, B replicates, default 1000): each replicate draws MR indices with
 * replacement — ONE draw shared by every run, method and the baseline of the condition, because they
 * all decode the same MRs — and recomputes the corpus metrics on the resampled hypotheses and
 * references (duplicates count twice, CIDEr's idf is recomputed on the resample). Runs are not
 * resampled: with one run per method (this project's reduced runs) that is the ordinary bootstrap
 * over MRs. Δ = method − baseline on the same draw; verdict as results/stats.ts ("better" when the Δ
 * CI lies above 0, "worse" below, else no detectable difference).
 *
 * Random stream: `new Rng(seed, 'bootstrap-mr/<condition>')`; the same rows and seed give the same
 * intervals. References come from the task (rows carry MR ids, not texts).
 */
import { corpusBleu, corpusCider, corpusMeteor, corpusNist, corpusRougeL, nlgScores, NLG_METRIC_NAMES, type NlgMetricName } from '../eval/nlg/index.js';
import { percentileInterval, resampleIndices } from '../results/bootstrap.js';
import type { ResultRow } from '../results/index.js';
import { conditionOf, entryOf } from '../results/stats.js';
import { Rng } from '../tensor/rng.js';

export interface GenerationTableOptions {
  /** Bootstrap replicates (default 1000). */
  resamples?: number;
  seed?: number;
  level?: number;
  /** Parameters of the base model, for %params. */
  baseParams?: number;
  /** Metrics given a CI (default all five; CIDEr and METEOR cost the most per replicate). */
  ciMetrics?: readonly NlgMetricName[];
}

export interface GenerationEstimate {
  condition: string;
  entryId: string;
  label: string;
  trainableParams: number | null;
  runs: number;
  items: number;
  metrics: Record<NlgMetricName, number>;
  ci: Partial<Record<NlgMetricName, [number, number]>>;
  /** Paired Δ vs the baseline entry (absent for the baseline itself or without one). */
  delta?: Partial<Record<NlgMetricName, { delta: number; ci: [number, number] }>>;
}

/** The named metrics only, scaled as nlgScores scales them. */
function someScores(h: string[], r: (readonly string[])[], metrics: readonly NlgMetricName[]): Partial<Record<NlgMetricName, number>> {
  const out: Partial<Record<NlgMetricName, number>> = {};
  for (const m of metrics) {
    if (m === 'BLEU') out.BLEU = 100 * corpusBleu(h, r).bleu;
    else if (m === 'NIST') out.NIST = corpusNist(h, r);
    else if (m === 'METEOR') out.METEOR = 100 * corpusMeteor(h, r).score;
    else if (m === 'ROUGE_L') out.ROUGE_L = 100 * corpusRougeL(h, r).score;
    else out.CIDEr = corpusCider(h, r).score;
  }
  return out;
}

type Group = { condition: string; order: number; entries: Map<string, ResultRow[]> };

const where = (r: ResultRow, f: string) => `results row '${r.key}', field /${f}`;

function hypsOf(r: ResultRow): string[] {
  const h = r.hypotheses;
  if (!Array.isArray(h) || !h.every((x) => typeof x === 'string')) throw new Error(`${where(r, 'hypotheses')}: expected an array of strings (one per MR)`);
  return h as string[];
}

/** Estimates per condition and entry (see the header). `references(item)` gives an MR's references. */
export function generationEstimates(rows: readonly ResultRow[], references: (item: string) => readonly string[], options: GenerationTableOptions = {}): GenerationEstimate[] {
  const B = options.resamples ?? 1000, seed = options.seed ?? 0, level = options.level ?? 0.95;
  const ciMetrics = options.ciMetrics ?? NLG_METRIC_NAMES;
  const gen = rows.filter((r) => (r.kind === 'noise' || r.kind === 'hardware') && r.hypotheses !== undefined);
  const groups = new Map<string, Group>();
  for (const r of gen) {
    const c = conditionOf(r);
    const g = groups.get(c.key) ?? { condition: `${c.profile ? `${c.profile} ` : ''}${c.label}`, order: groups.size, entries: new Map() };
    const e = entryOf(r);
    g.entries.set(e, [...(g.entries.get(e) ?? []), r]);
    groups.set(c.key, g);
  }
  const baseline = gen.find((r) => typeof r.compareTo === 'string')?.compareTo as string | undefined;
  const out: GenerationEstimate[] = [];
  for (const [key, g] of groups) {
    const first = [...g.entries.values()][0][0];
    const items = first.items as string[];
    if (!Array.isArray(items)) throw new Error(`${where(first, 'items')}: expected the MR ids the hypotheses answer`);
    const refs = items.map((i) => references(i));
    for (const rs of g.entries.values()) for (const r of rs) {
      const it = r.items as string[];
      if (!Array.isArray(it) || it.length !== items.length || it.some((x, k) => x !== items[k])) throw new Error(`${where(r, 'items')}: differ from row '${first.key}'; every row of a condition must decode the same MRs in the same order`);
      if (hypsOf(r).length !== items.length) throw new Error(`${where(r, 'hypotheses')}: ${hypsOf(r).length} hypotheses for ${items.length} MRs`);
    }
    const n = items.length;
    // Full point estimates use nlgScores; replicates compute only the metrics that get a CI.
    const meanScores = (rs: ResultRow[], idx: Int32Array | null): Record<NlgMetricName, number> => {
      const acc = Object.fromEntries(NLG_METRIC_NAMES.map((m) => [m, 0])) as Record<NlgMetricName, number>;
      for (const r of rs) {
        const h = hypsOf(r);
        const s = idx ? someScores(Array.from(idx, (i) => h[i]), Array.from(idx, (i) => refs[i]), ciMetrics) : nlgScores(h, refs);
        for (const m of NLG_METRIC_NAMES) acc[m] += (s[m] ?? NaN) / rs.length;
      }
      return acc;
    };
    const entries = [...g.entries.entries()];
    const reps = new Map(entries.map(([e]) => [e, NLG_METRIC_NAMES.map(() => new Float64Array(B))]));
    const rng = new Rng(seed, `bootstrap-mr/${key}`);
    const idx = new Int32Array(n);
    for (let b = 0; b < B; b++) {
      resampleIndices(rng, n, idx);
      for (const [e, rs] of entries) {
        const s = meanScores(rs, idx);
        NLG_METRIC_NAMES.forEach((m, k) => { reps.get(e)![k][b] = s[m]; });
      }
    }
    const base = baseline && g.entries.has(baseline) ? baseline : null;
    for (const [e, rs] of entries) {
      const metrics = meanScores(rs, null);
      const ci: GenerationEstimate['ci'] = {};
      NLG_METRIC_NAMES.forEach((m, k) => { if (ciMetrics.includes(m)) ci[m] = percentileInterval(reps.get(e)![k], level); });
      const est: GenerationEstimate = {
        condition: g.condition, entryId: e, label: String(rs[0].methodLabel ?? rs[0].method ?? e), trainableParams: typeof rs[0].trainableParams === 'number' ? rs[0].trainableParams : null,
        runs: rs.length, items: n, metrics, ci,
      };
      if (base && e !== base) {
        const bm = meanScores(g.entries.get(base)!, null);
        est.delta = {};
        NLG_METRIC_NAMES.forEach((m, k) => {
          if (!ciMetrics.includes(m)) return;
          const d = reps.get(e)![k].map((v, i) => v - reps.get(base)![k][i]);
          est.delta![m] = { delta: metrics[m] - bm[m], ci: percentileInterval(d, level) };
        });
      }
      out.push(est);
    }
  }
  return out;
}

const f2 = (v: number) => v.toFixed(2);
const withCi = (v: number, ci?: [number, number]) => (ci ? `${f2(v)} [${f2(ci[0])}, ${f2(ci[1])}]` : f2(v));

/** Table II (markdown) from the digital estimates (noise σ = 0). */
export function tableII(estimates: readonly GenerationEstimate[], baseParams?: number): string {
  const digital = estimates.filter((e) => e.condition === 'σ=0');
  const head = `| method | trainable params | % params | ${NLG_METRIC_NAMES.join(' | ')} |\n| --- | ---: | ---: |${NLG_METRIC_NAMES.map(() => ' ---: |').join('')}`;
  const lines = digital.map((e) => {
    const pct = baseParams && e.trainableParams !== null ? ((100 * e.trainableParams) / baseParams).toFixed(3) : '—';
    return `| ${e.label} | ${e.trainableParams?.toLocaleString('en-US') ?? '—'} | ${pct} | ${NLG_METRIC_NAMES.map((m) => withCi(e.metrics[m], e.ci[m])).join(' | ')} |`;
  });
  return [head, ...lines].join('\n');
}

/** Robustness table (markdown): one metric per condition and method, with its CI and paired Δ vs the baseline. */
export function robustnessTable(estimates: readonly GenerationEstimate[], metric: NlgMetricName = 'BLEU'): string {
  const head = `| condition | method | ${metric} [95 % CI] | Δ vs baseline [95 % CI] | verdict |\n| --- | --- | ---: | ---: | --- |`;
  const lines = estimates.map((e) => {
    const d = e.delta?.[metric];
    const verdict = d ? (d.ci[0] > 0 ? 'better' : d.ci[1] < 0 ? 'worse' : 'no detectable difference') : 'baseline';
    return `| ${e.condition} | ${e.label} | ${withCi(e.metrics[metric], e.ci[metric])} | ${d ? withCi(d.delta, d.ci) : '—'} | ${verdict} |`;
  });
  return [head, ...lines].join('\n');
}
