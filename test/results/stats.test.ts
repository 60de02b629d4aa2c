/** Paired statistics on synthetic rows: the two-level bootstrap, pairing by seeds, verdicts, old rows, bad rows. */
import { describe, expect, it } from 'vitest';
import { chanceLevel, experimentStats, type ResultRow } from '../../src/results/index.js';
import { Rng } from '../../src/tensor/rng.js';

const N = 400;
const labels = Array.from({ length: N }, (_, i) => i % 4);

/** Predictions right on exactly the examples in `right`. */
const predict = (right: (i: number) => boolean) => labels.map((y, i) => (right(i) ? y : (y + 1) % 4));

const row = (entryId: string, seeds: Record<string, number>, predictions: number[], extra: Partial<ResultRow> = {}): ResultRow => ({
  key: `n/${entryId}/${JSON.stringify(seeds)}`, kind: 'noise', experiment: 'synthetic', experimentHash: 'h', entryId, methodLabel: entryId.toUpperCase(),
  compareTo: 'base', noiseSigma: 0.02, metricName: 'accuracy', metric: 0, predictions, labels, seeds, ...extra,
});

/** A fixed pseudo-random subset of examples: example i is "hard" with probability q (seeded). */
function subset(seed: number, q: number): boolean[] {
  const rng = new Rng(seed, 'subset');
  return labels.map(() => rng.uniform() < q);
}

describe('experimentStats', () => {
  it('is deterministic for a seed, and the seed matters', () => {
    const rows = [row('base', { train: 0 }, predict((i) => subset(1, 0.7)[i]))];
    const a = experimentStats(rows, { resamples: 500 }).estimates[0].ci;
    expect(experimentStats(rows, { resamples: 500 }).estimates[0].ci).toEqual(a);
    expect(experimentStats(rows, { resamples: 500, seed: 1 }).estimates[0].ci).not.toEqual(a);
  });

  it('resamples seeds as well as examples: runs that disagree widen the CI beyond any one run', () => {
    const accs = [0.55, 0.7, 0.85];
    const runs = accs.map((q, s) => row('base', { train: s }, predict((i) => subset(10 + s, q)[i])));
    const s = experimentStats(runs, { resamples: 2000 });
    const e = s.estimates[0];
    const single = experimentStats([runs[1]], { resamples: 2000 }).estimates[0];
    const width = (ci: [number, number] | null) => (ci as [number, number])[1] - (ci as [number, number])[0];
    expect(e.runs).toBe(3);
    expect(width(e.ci)).toBeGreaterThan(3 * width(single.ci));
    expect((e.ci as [number, number])[0]).toBeLessThan(0.62);
    expect((e.ci as [number, number])[1]).toBeGreaterThan(0.78);
  });

  it("an entry's adapters for different σ_target profiles are separate arms, not runs of one arm", () => {
    const rows = [
      row('base', { train: 0, noise: 0 }, predict((i) => subset(30, 0.6)[i])),
      row('sg', { train: 0, noise: 0 }, predict((i) => subset(31, 0.6)[i]), { targetProfile: 'pcm' }),
      row('sg', { train: 0, noise: 0 }, predict((i) => subset(32, 0.6)[i]), { targetProfile: 'rram' }),
    ];
    const s = experimentStats(rows, { resamples: 200 });
    expect(s.estimates.map((e) => [e.entryId, e.runs]).sort()).toEqual([['base', 1], ['sg@pcm', 1], ['sg@rram', 1]]);
    expect(s.comparisons.map((c) => c.entryId).sort()).toEqual(['sg@pcm', 'sg@rram']);
  });

  it('pairs runs by seeds: a small consistent gain is "better" when paired, undetectable when the seeds do not match', () => {
    const accs = [0.5, 0.7, 0.9];
    const base = accs.map((q, s) => subset(20 + s, q));
    // The method gets the baseline's answers plus 12 more examples right (3 points) in every run.
    const gain = (s: number) => { const extra = new Set(base[s].map((ok, i) => (ok ? -1 : i)).filter((i) => i >= 0).slice(0, 12)); return (i: number) => base[s][i] || extra.has(i); };
    const rows = [...accs.map((_, s) => row('base', { train: s, noise: 7 }, predict((i) => base[s][i]))), ...accs.map((_, s) => row('m', { train: s, noise: 7 }, predict(gain(s))))];
    const paired = experimentStats(rows, { resamples: 2000 }).comparisons[0];
    expect(paired.pairing).toBe('seeds+examples');
    expect(paired.pairs).toBe(3);
    expect(paired.delta).toBeCloseTo(0.03, 12);
    expect(paired.verdict).toBe('better');
    expect(paired.mcnemar).toBeNull(); // three runs per side
    const shuffled = rows.map((r) => (r.entryId === 'm' ? { ...r, seeds: { train: 9 - (r.seeds?.train as number), noise: 7 } } : r));
    const unpaired = experimentStats(shuffled, { resamples: 2000 }).comparisons[0];
    expect(unpaired.pairing).toBe('examples');
    expect(unpaired.verdict).toBe('no detectable difference (CI covers 0)');
  });

  it('says "worse" for a consistent loss, and gives McNemar for one run per side', () => {
    const ok = subset(30, 0.8);
    const rows = [row('base', { train: 0 }, predict((i) => ok[i])), row('m', { train: 0 }, predict((i) => ok[i] && i % 10 !== 0))];
    const c = experimentStats(rows, { resamples: 1000 }).comparisons[0];
    expect(c.verdict).toBe('worse');
    expect((c.ci as [number, number])[1]).toBeLessThan(0);
    expect(c.mcnemar?.b).toBe(0);
    expect(c.mcnemar?.p).toBeLessThan(1e-6);
  });

  it('reports rows without predictions with the mean metric and no CI, saying so', () => {
    const old = (e: string, m: number): ResultRow => ({ key: e, kind: 'noise', experiment: 'old', experimentHash: 'h', method: e, metricName: 'accuracy', metric: m, noiseSigma: 0 });
    const s = experimentStats([old('a', 0.5), old('a', 0.7), old('b', 0.4)]);
    expect(s.estimates.map((e) => [e.entryId, e.estimate, e.ci])).toEqual([['a', 0.6, null], ['b', 0.4, null]]);
    expect(s.estimates[0].note).toMatch(/no per-example predictions: no CI/);
    expect(s.comparisons).toEqual([]); // no compareTo in old rows
  });

  it('chance is the majority-class level of the labels', () => {
    expect(chanceLevel([0, 0, 0, 1], 'accuracy')).toBe(0.75);
    expect(chanceLevel([0, 1, 1, 2], 'mcc')).toBe(0);
    expect(chanceLevel([0.1, 0.2], 'pearson')).toBe(0);
  });

  it('names the row and field of a bad row before bootstrapping', () => {
    const good = row('base', { train: 0 }, predict(() => true));
    expect(() => experimentStats([{ ...good, predictions: [1, 2] }])).toThrow(/results row 'n\/base.*field \/predictions: 2 predictions for 400 labels/);
    expect(() => experimentStats([good, { ...good, key: 'x', labels: labels.map((y) => 3 - y) }])).toThrow(/row 'x'.*\/labels: differ from row/);
    expect(() => experimentStats([good, { ...good, key: 'y', compareTo: 'other' }])).toThrow(/\/compareTo: 'other', but other rows .* compare to 'base'/);
    expect(() => experimentStats([{ ...good, metricName: 'bleu' }])).toThrow(/\/metricName: unknown metric 'bleu'; known: accuracy/);
  });
});
