/**
 * src/results/ against SciPy (test/fixtures/stats/golden.json, made by scripts/make_stats_fixtures.py):
 * exact McNemar p-values equal scipy.stats.binomtest's; bootstrap CIs agree with SciPy's percentile
 * bootstrap and with the large-sample analytic interval within Monte-Carlo error.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { binomialCdfHalf, experimentStats, mcnemarExact, type ResultRow } from '../../src/results/index.js';

const golden = JSON.parse(readFileSync(join(import.meta.dirname, '../fixtures/stats/golden.json'), 'utf8'));

const row = (entryId: string, predictions: number[], labels: number[], metricName = 'accuracy'): ResultRow => ({
  key: `n/${entryId}`, kind: 'noise', experiment: 'golden', experimentHash: 'h', entryId, methodLabel: entryId, compareTo: 'base',
  noiseSigma: 0, metricName, metric: 0, predictions, labels, seeds: { train: 0, noise: 0 },
});

describe('paired statistics against SciPy', () => {
  it('exact McNemar p-values equal scipy.stats.binomtest(b, b + c, 0.5)', () => {
    for (const { b, c, p } of golden.mcnemar as { b: number; c: number; p: number }[]) {
      // b examples only A gets right, c only B, plus 50 both right and 20 both wrong.
      const a = [...Array(b).fill(1), ...Array(c).fill(0), ...Array(50).fill(1), ...Array(20).fill(0)];
      const bb = [...Array(b).fill(0), ...Array(c).fill(1), ...Array(50).fill(1), ...Array(20).fill(0)];
      const m = mcnemarExact(a, bb);
      expect([m.b, m.c]).toEqual([b, c]);
      expect(m.p).toBeCloseTo(p, 12);
    }
    expect(binomialCdfHalf(1500, 3000)).toBeGreaterThan(0.5); // log-space sum: no underflow at large n
  });

  it("one run's accuracy CI matches SciPy's percentile bootstrap and the Wald interval", () => {
    const g = golden.accuracy;
    const s = experimentStats([row('base', g.predictions, g.labels)], { resamples: 20000 });
    const e = s.estimates[0];
    expect(e.estimate).toBeCloseTo(g.accuracy, 12);
    const ci = e.ci as [number, number];
    for (let i = 0; i < 2; i++) {
      expect(Math.abs(ci[i] - g.scipyPercentile[i])).toBeLessThan(0.0051); // 2 example steps of 1/400
      expect(Math.abs(ci[i] - g.wald[i])).toBeLessThan(0.0051);
    }
  });

  it("a paired Δ's CI matches SciPy's paired bootstrap and the analytic paired interval; McNemar matches binomtest", () => {
    const g = golden.accuracy, d = golden.delta;
    const s = experimentStats([row('base', g.predictions, g.labels), row('a', d.predictionsA, g.labels)], { resamples: 20000 });
    const c = s.comparisons[0];
    expect(c.delta).toBeCloseTo(d.delta, 12);
    expect(c.pairing).toBe('seeds+examples');
    expect(c.mcnemar).toEqual({ b: d.b, c: d.c, p: expect.closeTo(d.mcnemarP, 12) });
    const ci = c.ci as [number, number];
    for (let i = 0; i < 2; i++) {
      expect(Math.abs(ci[i] - d.scipyPercentile[i])).toBeLessThan(0.0051);
      expect(Math.abs(ci[i] - d.analytic[i])).toBeLessThan(0.0051);
    }
    expect(c.verdict).toBe('better');
  });

  it("Pearson's r (recomputed with src/eval/metrics.ts) has SciPy's paired bootstrap CI", () => {
    const p = golden.pearson;
    const s = experimentStats([row('base', p.predictions, p.labels, 'pearson')], { resamples: 5000 });
    const e = s.estimates[0];
    expect(e.estimate).toBeCloseTo(p.r, 10);
    const ci = e.ci as [number, number];
    for (let i = 0; i < 2; i++) expect(Math.abs(ci[i] - p.scipyPercentile[i])).toBeLessThan(0.008);
  });
});
