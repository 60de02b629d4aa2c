/** summary.md / summary.csv: each metric with its 95 % CI, Δ vs the baseline with a paired CI and a verdict, the resolution line. */
import { describe, expect, it } from 'vitest';
import { summarise, summaryCsv, summaryMarkdown } from '../../src/report/summary.js';
import { syntheticRows } from './fixture-rows.js';

describe('summary', () => {
  const rows = syntheticRows();
  const s = summarise(rows);

  it('gives every noise/hardware condition a mean with a 95 % CI and, per method, a paired Δ with a verdict', () => {
    const stoch = s.lines.find((l) => l.kind === 'noise' && l.condition === 'σ=0.05' && l.entryId === 'stochgrasp');
    expect(stoch).toMatchObject({ n: 2, examples: 200, baseline: 'grasp', pairing: 'seeds+examples', verdict: 'better' });
    expect(stoch?.ciLo).toBeLessThan(stoch?.mean as number);
    expect(stoch?.ciHi).toBeGreaterThan(stoch?.mean as number);
    expect(stoch?.deltaLo).toBeGreaterThan(0);
    const base = s.lines.find((l) => l.kind === 'noise' && l.condition === 'σ=0.05' && l.entryId === 'grasp');
    expect(base?.delta).toBeNull(); // the baseline is not compared with itself
    const md = summaryMarkdown(s);
    expect(md).toContain('## Difference from the baseline GRASP K=32 (deterministic) (`grasp`)');
    expect(md).toMatch(/\| noise \| {2}\| σ=0\.05 \| StochGRASP K=32 with the noise-aware loss \| \+0\.\d{4} \| \[\+0\.\d{4}, \+0\.\d{4}\] \| seeds\+examples \| {2}\| better \|/);
    expect(md).toMatch(/no detectable difference \(CI covers 0\)/);
    expect(md).toMatch(/Resolution: this experiment cannot resolve a 3-point difference everywhere .* up to \d+\.\d points/);
    const csv = summaryCsv(s).split('\n');
    expect(csv[0]).toBe('kind,method,entry,profile,condition,metric,runs,examples,mean,ci_lo,ci_hi,std,trainable params,baseline,delta,delta_ci_lo,delta_ci_hi,pairing,mcnemar_p,verdict,dac_clip,adc_clip');
    expect(csv.find((l) => l.startsWith('noise,StochGRASP') && l.includes(',σ=0.05,'))).toMatch(/,grasp,0\.\d+,0\.\d+,0\.\d+,seeds\+examples,,better,,$/);
  });

  it('prints McNemar for a single run per side (the co-design cells have one run each)', () => {
    const cell = s.lines.find((l) => l.condition.includes('adcBits=8 dacBits=8') && l.entryId === 'stochgrasp');
    expect(cell?.n).toBe(1);
    expect(cell?.mcnemarP).not.toBeNull();
  });

  it('says the experiment resolves 3 points when every Δ CI half-width is ≤ 1.5 points', () => {
    const tight = { ...s.stats, comparisons: s.stats.comparisons.map((c) => ({ ...c, ci: [c.delta - 0.01, c.delta + 0.01] as [number, number] })) };
    expect(summarise(rows, tight).resolution).toBe('Resolution: every paired Δ 95 % CI has a half-width ≤ 1.0 points, so a 3-point difference is resolved.');
  });

  it('says so when the baseline named by compareTo has no rows', () => {
    const noBase = summarise(rows.filter((r) => r.entryId !== 'grasp'));
    expect(noBase.lines.every((l) => l.delta === null)).toBe(true);
    expect(noBase.notes.join(' ')).toContain('The baseline `grasp` named by `compareTo` has no evaluation rows');
  });

  it('still summarises rows without predictions (old files): means, no CI, and a note saying so', () => {
    const old = summarise(syntheticRows({ predictions: false }));
    expect(old.lines.every((l) => l.ciLo === null && l.delta === null)).toBe(true);
    const md = summaryMarkdown(old);
    expect(md).toContain('| no CI |');
    expect(md).toMatch(/carry no per-example predictions .* no CI/);
    expect(md).not.toContain('Resolution');
  });
});
