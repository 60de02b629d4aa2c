import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { reportExperiment } from '../../src/experiment/index.js';
import { experimentStats, withBaseline } from '../../src/results/index.js';
import { syntheticRows } from './fixture-rows.js';

describe('grasp-hil report --compare-to', () => {
  it('compares the same rows with another arm: Δ(a vs b) = −Δ(b vs a) in every condition', () => {
    const rows = syntheticRows();
    const asRun = experimentStats(rows, { resamples: 200 });
    const rebased = experimentStats(withBaseline(rows, 'stochgrasp', 'test'), { resamples: 200 });
    expect(asRun.baseline).toBe('grasp');
    expect(rebased.baseline).toBe('stochgrasp');
    const key = (c: { condition: { key: string } }) => c.condition.key;
    const there = asRun.comparisons.filter((c) => c.entryId === 'stochgrasp');
    const back = rebased.comparisons.filter((c) => c.entryId === 'grasp');
    expect(back.length).toBe(there.length);
    expect(back.length).toBeGreaterThan(10);
    for (const c of there) {
      const b = back.find((x) => key(x) === key(c))!;
      expect(b.delta).toBeCloseTo(-c.delta, 12);
    }
    // The third arm is now compared with stochgrasp, not grasp.
    expect(rebased.comparisons.filter((c) => c.entryId === 'grasp-weight').every((c) => c.baseline === 'stochgrasp')).toBe(true);
  });

  it('writes reports/<name>-vs-<arm>/ and leaves the run\'s own report alone; an unknown arm is refused with the arms listed', async () => {
    const root = mkdtempSync(join(tmpdir(), 'compare-to-'));
    mkdirSync(join(root, 'tiny'));
    writeFileSync(join(root, 'tiny', 'results.jsonl'), syntheticRows().map((r) => `${JSON.stringify(r)}\n`).join(''));
    const { report } = await reportExperiment('tiny', root, { compareTo: 'stochgrasp' });
    expect(report.dir).toBe(join(root, 'tiny-vs-stochgrasp'));
    const summary = readFileSync(join(report.dir, 'summary.md'), 'utf8');
    expect(summary).toContain('## Difference from the baseline StochGRASP K=32 with the noise-aware loss (`stochgrasp`)');
    expect(existsSync(join(root, 'tiny', 'summary.md'))).toBe(false);
    await expect(reportExperiment('tiny', root, { compareTo: 'lora' })).rejects.toThrow(
      /tiny\/results\.jsonl: --compare-to: 'lora' is not an arm with evaluation rows; the rows' arms are: grasp, grasp-weight, stochgrasp/,
    );
  }, 120_000);
});
