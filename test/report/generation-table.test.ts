import { describe, expect, it } from 'vitest';
import { deltaTable, generationEstimates, NLG_METRIC_NAMES, nlgScores, robustnessTable, tableII, type ResultRow } from '../../src/internal.js';

const REFS: Record<string, string[]> = {
  a: ['the cat sat on the mat today', 'a cat sat on a mat'],
  b: ['the dog ran to the park quickly', 'a dog ran to a park'],
  c: ['birds fly south in the winter months', 'birds fly south for winter'],
  d: ['the sun rises in the east every day', 'the sun comes up in the east'],
  e: ['rain falls on the green hills at night', 'it rains on the hills at night'],
};
const items = Object.keys(REFS);

const row = (entry: string, sigma: number, hyps: string[], extra: Partial<ResultRow> = {}): ResultRow => ({
  key: `noise/${entry}/σ=${sigma}`, kind: 'noise', experiment: 'x', experimentHash: '0', entryId: entry, methodLabel: entry, method: entry, trainableParams: 10,
  compareTo: 'base', task: 't', noiseSigma: sigma, seeds: { train: 0, noise: 0 }, items, hypotheses: hyps, ...extra,
});

describe('generation tables (bootstrap over MRs)', () => {
  const perfect = items.map((i) => REFS[i][0]);
  const partial = ['the cat sat', 'the dog ran to a park', 'birds fly', 'the sun rises in the east', 'rain falls at night'];
  const rows = [row('base', 0, partial), row('good', 0, perfect), row('base', 0.1, partial), row('good', 0.1, partial)];
  const est = generationEstimates(rows, (i) => REFS[i], { resamples: 200 });

  it('point estimates are the corpus metrics of each row; CIs bracket them; paired Δ and verdicts vs the baseline', () => {
    const good0 = est.find((e) => e.entryId === 'good' && e.condition === 'σ=0')!;
    const direct = nlgScores(perfect, items.map((i) => REFS[i]));
    for (const m of NLG_METRIC_NAMES) expect(good0.metrics[m]).toBeCloseTo(direct[m], 9);
    expect(good0.metrics.BLEU).toBeCloseTo(100, 6);
    expect(good0.ci.BLEU![0]).toBeCloseTo(100, 6); // every resample of perfect hypotheses scores 100
    const base0 = est.find((e) => e.entryId === 'base' && e.condition === 'σ=0')!;
    expect(base0.delta).toBeUndefined();
    for (const m of ['BLEU', 'ROUGE_L'] as const) {
      expect(base0.ci[m]![0]).toBeLessThanOrEqual(base0.metrics[m]);
      expect(base0.ci[m]![1]).toBeGreaterThanOrEqual(base0.metrics[m]);
    }
    expect(good0.delta!.BLEU!.delta).toBeCloseTo(good0.metrics.BLEU - base0.metrics.BLEU, 9);
    expect(good0.delta!.BLEU!.ci[0]).toBeGreaterThan(0);
    // Identical hypotheses: Δ is exactly 0 on every shared resample.
    const good1 = est.find((e) => e.entryId === 'good' && e.condition === 'σ=0.1')!;
    expect(good1.delta!.BLEU).toEqual({ delta: 0, ci: [0, 0], verdict: 'no detectable difference (CI covers 0)' });
    expect(good1.pairing).toBe('seeds+examples');
    const rob = robustnessTable(est);
    expect(rob).toMatch(/\| σ=0 \| good \| 1 \| 100\.00 \[100\.00, 100\.00\] \| [0-9.]+ \[[0-9.]+, [0-9.]+\] \| better \|/);
    expect(rob).toMatch(/\| σ=0\.1 \| good \| 1 \| .* \| 0\.00 \[0\.00, 0\.00\] \| no detectable difference \|/);
    expect(tableII(est, 1000)).toMatch(/\| good \| 10 \| 1\.000 \| 1 \| 100\.00 \[100\.00, 100\.00\] \|/);
  });

  it('the same rows and seed give the same intervals; rows that decode different MRs are refused', () => {
    expect(generationEstimates(rows, (i) => REFS[i], { resamples: 200 })).toEqual(est);
    const bad = [...rows, row('other', 0, perfect.slice(0, 4), { items: items.slice(0, 4) })];
    expect(() => generationEstimates(bad, (i) => REFS[i], { resamples: 10 })).toThrow(/field \/items: differ from row/);
  });

  it('several training seeds: point = mean over runs, Δ pairs runs by seed; every metric has a CI and a verdict', () => {
    const alt = ['a cat sat on a mat', 'the dog ran to the park', 'birds fly south for winter', 'the sun', 'it rains on the hills'];
    const seeded = (entry: string, seed: number, hyps: string[]) => row(entry, 0, hyps, { key: `noise/${entry}/s${seed}`, seeds: { train: seed, noise: 0 } });
    const multi = [seeded('base', 0, partial), seeded('base', 1, alt), seeded('good', 0, perfect), seeded('good', 1, alt)];
    const e = generationEstimates(multi, (i) => REFS[i], { resamples: 300 });
    const good = e.find((x) => x.entryId === 'good')!;
    expect(good.runs).toBe(2);
    expect(good.pairing).toBe('seeds+examples');
    const one = generationEstimates([seeded('good', 0, perfect), seeded('good', 1, perfect)], (i) => REFS[i], { resamples: 300 })[0];
    for (const m of NLG_METRIC_NAMES) {
      expect(good.ci[m]![0]).toBeLessThan(good.ci[m]![1]);
      expect(good.delta![m]!.verdict).toMatch(/better|worse|no detectable/);
      // Point: the mean of the two runs' corpus metrics.
      expect(good.metrics[m]).toBeCloseTo((nlgScores(perfect, items.map((i) => REFS[i]))[m] + nlgScores(alt, items.map((i) => REFS[i]))[m]) / 2, 9);
    }
    // Two identical perfect runs: run resampling adds nothing, BLEU stays 100 on every replicate.
    expect(one.ci.BLEU).toEqual([100, 100]);
    // Run 1 is the same for both arms: the seed-paired Δ replicates draw it for both sides at once.
    expect(deltaTable(e)).toMatch(/^\| condition \| method \| Δ BLEU \[95 % CI\] \| Δ NIST/);
    expect(deltaTable(e).split('\n')).toHaveLength(3);
  });
});

