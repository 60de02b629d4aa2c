/**
 * Bootstrap CIs of the generation tables against scripts/make_nlg_bootstrap_fixtures.py: the same rows,
 * seed and resample draws (the script ports src/tensor/rng.ts and the draw order of stats.ts), with every
 * metric recomputed on each resampled corpus by independent Python implementations (NLTK's METEOR
 * alignment, mteval BLEU/NIST, pycocoevalcap ROUGE-L/CIDEr-D formulas) and numpy's percentiles.
 * Three arms × 2–3 training seeds: estimates resample runs and MRs; 'method' pairs with the baseline by
 * seed, 'other' (3 runs vs 2) resamples each side's runs separately.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generationEstimates, NLG_METRIC_NAMES, Rng, type NlgMetricName, type ResultRow } from '../../src/internal.js';
import { conditionOf } from '../../src/results/index.js';

interface Arm {
  runs: { trainSeed: number; hypotheses: string[] }[];
  metrics: Record<NlgMetricName, number>;
  ci: Record<NlgMetricName, [number, number]>;
  pairing?: string;
  deltaCi?: Record<NlgMetricName, [number, number]>;
}
const G = JSON.parse(readFileSync(new URL('../fixtures/nlg/bootstrap.json', import.meta.url), 'utf8')) as {
  seed: number; resamples: number; level: number; conditionKey: string; baseline: string; items: string[]; refs: string[][];
  rngCheck: { seed: number; stream: string; n: number; draws: number[] };
  arms: Record<string, Arm>;
};

const rows: ResultRow[] = Object.entries(G.arms).flatMap(([entry, arm]) => arm.runs.map((r) => ({
  key: `noise/${entry}/${r.trainSeed}`, kind: 'noise', experiment: 'golden', experimentHash: '0', entryId: entry, methodLabel: entry, method: entry,
  compareTo: G.baseline, task: 't', noiseSigma: 0, seeds: { train: r.trainSeed, noise: 0 }, items: G.items, hypotheses: r.hypotheses,
} as ResultRow)));
const refOf = new Map(G.items.map((id, i) => [id, G.refs[i]]));

/** |a − b| within 1e-9 of the larger magnitude (float summation order differs between the two sides). */
const close = (a: number, b: number, what: string) => expect(Math.abs(a - b), `${what}: ${a} vs ${b}`).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(a), Math.abs(b)));

describe('generation CIs against the independent Python bootstrap', () => {
  it('the Python port draws what Rng draws, and the rows form the condition the script named', () => {
    const rng = new Rng(G.rngCheck.seed, G.rngCheck.stream);
    expect(G.rngCheck.draws.map(() => rng.int(G.rngCheck.n))).toEqual(G.rngCheck.draws);
    expect(conditionOf(rows[0]).key).toBe(G.conditionKey);
  });

  it('points, CIs and paired Δ CIs of every metric match to float precision', () => {
    const est = generationEstimates(rows, (i) => refOf.get(i)!, { resamples: G.resamples, seed: G.seed, level: G.level });
    expect(est).toHaveLength(3);
    for (const e of est) {
      const arm = G.arms[e.entryId];
      expect(e.runs).toBe(arm.runs.length);
      for (const m of NLG_METRIC_NAMES) {
        close(e.metrics[m], arm.metrics[m], `${e.entryId} ${m}`);
        close(e.ci[m]![0], arm.ci[m][0], `${e.entryId} ${m} CI low`);
        close(e.ci[m]![1], arm.ci[m][1], `${e.entryId} ${m} CI high`);
        if (!arm.deltaCi) continue;
        close(e.delta![m]!.ci[0], arm.deltaCi[m][0], `${e.entryId} Δ${m} CI low`);
        close(e.delta![m]!.ci[1], arm.deltaCi[m][1], `${e.entryId} Δ${m} CI high`);
      }
      expect(e.pairing).toBe(arm.pairing);
    }
  });
});
