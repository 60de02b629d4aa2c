/**
 * Generation tables from result rows: Table II (methods, %params, BLEU/NIST/METEOR/ROUGE-L/CIDEr on
 * the digital deployment) and robustness (each metric per noise σ or chip time t, each method with a
 * 95 % CI and its paired Δ against the experiment's baseline `compareTo`, with a verdict).
 *
 * Order: keep noise/hardware rows that carry `hypotheses` → group by condition (results/stats.ts
 * `conditionOf`: σ, or profile/t/compensation) and method entry (`entryOf`) → check that every row
 * scores the same MRs (`items`) → per row, the five corpus metrics made resamplable
 * (eval/nlg/resample.ts) → point estimates → bootstrap CIs → paired Δ → verdict.
 *
 * The statistics are results/stats.ts's, with a corpus NLG metric in place of a label metric:
 *   point    the mean over runs (rows: seed combinations — train, noise, chip, read seeds) of the
 *            corpus metric of each run's hypotheses (nlgScores, as the row's `metrics`)
 *   CI       two-level percentile bootstrap (`bootstrapRuns`, B replicates, default 1000): resample the
 *            runs with replacement, then the MR indices with replacement — one MR draw shared by the
 *            replicate's runs, which decode the same MRs — and recompute each drawn run's corpus
 *            metric on the resampled MRs (duplicates count twice; NIST's information weights and
 *            CIDEr's idf come from the resample); the replicate is the mean over drawn runs. With one
 *            run this is the ordinary bootstrap over MRs.
 *   Δ        method − baseline (`bootstrapDelta`): runs matched one to one by seeds (`matchBySeeds`)
 *            are resampled as pairs, then the MRs (shared by both sides); unmatched arms resample
 *            their runs separately and share only the MR draw ('examples' pairing)
 *   verdict  "better" when the Δ CI lies above 0, "worse" below, else no detectable difference
 *
 * Random streams: `new Rng(seed, 'bootstrap/<condition key>/<entry>')` for an estimate and
 * `…/<entry>/vs/<baseline>` for a Δ (stats.ts's names), one fresh stream per metric, so every metric
 * of an arm sees the same draws and an estimate does not depend on the other arms. Same rows and
 * seed, same intervals (golden: test/report/generation-ci-golden.test.ts). References come from the
 * task (rows carry MR ids, not texts).
 */
import { resampledNlgScores, NLG_METRIC_NAMES, type NlgMetricName, type ResampledScore } from '../eval/nlg/index.js';
import type { ResultRow } from '../results/index.js';
import { baselineOf, bootstrapDelta, bootstrapRuns, conditionOf, entryOf, matchBySeeds, verdictOf, type Verdict } from '../results/stats.js';
import { Rng } from '../tensor/rng.js';

export interface GenerationTableOptions {
  /** Bootstrap replicates (default 1000). */
  resamples?: number;
  seed?: number;
  level?: number;
  /** Parameters of the base model, for %params. */
  baseParams?: number;
  /** Metrics given a CI and a paired Δ (default all five). */
  ciMetrics?: readonly NlgMetricName[];
}

export interface GenerationDelta {
  delta: number;
  ci: [number, number];
  verdict: Verdict;
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
  delta?: Partial<Record<NlgMetricName, GenerationDelta>>;
  /** How the Δ bootstrap paired the two arms: runs matched by seeds and MRs, or MRs only. */
  pairing?: 'seeds+examples' | 'examples';
}

const where = (r: ResultRow, f: string) => `results row '${r.key}', field /${f}`;

function hypsOf(r: ResultRow): string[] {
  const h = r.hypotheses;
  if (!Array.isArray(h) || !h.every((x) => typeof x === 'string')) throw new Error(`${where(r, 'hypotheses')}: expected an array of strings (one per MR)`);
  return h as string[];
}

type Group = { condition: string; key: string; entries: Map<string, ResultRow[]> };

/** Estimates per condition and entry (see the header). `references(item)` gives an MR's references. */
export function generationEstimates(rows: readonly ResultRow[], references: (item: string) => readonly string[], options: GenerationTableOptions = {}): GenerationEstimate[] {
  const B = options.resamples ?? 1000, seed = options.seed ?? 0, level = options.level ?? 0.95;
  const ciMetrics = options.ciMetrics ?? NLG_METRIC_NAMES;
  const gen = rows.filter((r) => (r.kind === 'noise' || r.kind === 'hardware') && r.hypotheses !== undefined);
  const groups = new Map<string, Group>();
  for (const r of gen) {
    const c = conditionOf(r);
    const g = groups.get(c.key) ?? { condition: `${c.profile ? `${c.profile} ` : ''}${c.label}`, key: c.key, entries: new Map() };
    const e = entryOf(r);
    g.entries.set(e, [...(g.entries.get(e) ?? []), r]);
    groups.set(c.key, g);
  }
  const baseline = baselineOf(gen);
  const out: GenerationEstimate[] = [];
  for (const g of groups.values()) {
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
    // Per entry, per run: the five metrics, recomputable on MR resamples.
    const scorers = new Map([...g.entries].map(([e, rs]) => [e, rs.map((r) => resampledNlgScores(hypsOf(r), refs))]));
    const runMetric = (e: string, m: NlgMetricName) => {
      const s: ResampledScore[] = scorers.get(e)!.map((x) => x[m]);
      return (run: number, idx: Int32Array | null) => s[run](idx);
    };
    const point = (e: string) => Object.fromEntries(NLG_METRIC_NAMES.map((m) => {
      const f = runMetric(e, m), runs = scorers.get(e)!.length;
      let sum = 0;
      for (let u = 0; u < runs; u++) sum += f(u, null);
      return [m, sum / runs];
    })) as Record<NlgMetricName, number>;
    const base = baseline !== null && g.entries.has(baseline) ? baseline : null;
    const baseMetrics = base ? point(base) : null;
    for (const [e, rs] of g.entries) {
      const metrics = point(e);
      const ci: GenerationEstimate['ci'] = {};
      for (const m of ciMetrics) ci[m] = bootstrapRuns(rs.length, n, runMetric(e, m), new Rng(seed, `bootstrap/${g.key}/${e}`), B, level);
      const est: GenerationEstimate = {
        condition: g.condition, entryId: e, label: String(rs[0].methodLabel ?? rs[0].method ?? e), trainableParams: typeof rs[0].trainableParams === 'number' ? rs[0].trainableParams : null,
        runs: rs.length, items: n, metrics, ci,
      };
      if (base && baseMetrics && e !== base) {
        const bRows = g.entries.get(base)!;
        const pairs = matchBySeeds(rs, bRows);
        est.pairing = pairs ? 'seeds+examples' : 'examples';
        est.delta = {};
        for (const m of ciMetrics) {
          const dci = bootstrapDelta({ runs: rs.length, metric: runMetric(e, m) }, { runs: bRows.length, metric: runMetric(base, m) }, pairs, n, new Rng(seed, `bootstrap/${g.key}/${e}/vs/${base}`), B, level);
          est.delta[m] = { delta: metrics[m] - baseMetrics[m], ci: dci, verdict: verdictOf(dci) };
        }
      }
      out.push(est);
    }
  }
  return out;
}

const f2 = (v: number) => v.toFixed(2);
const withCi = (v: number, ci?: [number, number]) => (ci ? `${f2(v)} [${f2(ci[0])}, ${f2(ci[1])}]` : f2(v));
const VERDICT_MARK: Record<Verdict, string> = { better: '▲', worse: '▼', 'no detectable difference (CI covers 0)': '=' };

/** Table II (markdown) from the digital estimates (noise σ = 0). */
export function tableII(estimates: readonly GenerationEstimate[], baseParams?: number): string {
  const digital = estimates.filter((e) => e.condition === 'σ=0');
  const head = `| method | trainable params | % params | runs | ${NLG_METRIC_NAMES.join(' | ')} |\n| --- | ---: | ---: | ---: |${NLG_METRIC_NAMES.map(() => ' ---: |').join('')}`;
  const lines = digital.map((e) => {
    const pct = baseParams && e.trainableParams !== null ? ((100 * e.trainableParams) / baseParams).toFixed(3) : '—';
    return `| ${e.label} | ${e.trainableParams?.toLocaleString('en-US') ?? '—'} | ${pct} | ${e.runs} | ${NLG_METRIC_NAMES.map((m) => withCi(e.metrics[m], e.ci[m])).join(' | ')} |`;
  });
  return [head, ...lines].join('\n');
}

/** Robustness table (markdown): one metric per condition and method, with its CI and paired Δ vs the baseline. */
export function robustnessTable(estimates: readonly GenerationEstimate[], metric: NlgMetricName = 'BLEU'): string {
  const head = `| condition | method | runs | ${metric} [95 % CI] | Δ vs baseline [95 % CI] | verdict |\n| --- | --- | ---: | ---: | ---: | --- |`;
  const lines = estimates.map((e) => {
    const d = e.delta?.[metric];
    const verdict = d ? (d.verdict === 'better' || d.verdict === 'worse' ? d.verdict : 'no detectable difference') : 'baseline';
    return `| ${e.condition} | ${e.label} | ${e.runs} | ${withCi(e.metrics[metric], e.ci[metric])} | ${d ? withCi(d.delta, d.ci) : '—'} | ${verdict} |`;
  });
  return [head, ...lines].join('\n');
}

/**
 * Every metric's paired Δ vs the baseline in one table (markdown): `Δ [CI] mark` per metric, the mark
 * ▲ better, ▼ worse, = no detectable difference; baseline rows omitted.
 */
export function deltaTable(estimates: readonly GenerationEstimate[]): string {
  const withDelta = estimates.filter((e) => e.delta);
  const head = `| condition | method | ${NLG_METRIC_NAMES.map((m) => `Δ ${m} [95 % CI]`).join(' | ')} |\n| --- | --- |${NLG_METRIC_NAMES.map(() => ' ---: |').join('')}`;
  const lines = withDelta.map((e) => `| ${e.condition} | ${e.label} | ${NLG_METRIC_NAMES.map((m) => {
    const d = e.delta![m];
    return d ? `${withCi(d.delta, d.ci)} ${VERDICT_MARK[d.verdict]}` : '—';
  }).join(' | ')} |`);
  return [head, ...lines].join('\n');
}
