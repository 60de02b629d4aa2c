import { describe, expect, it } from 'vitest';
import { runCli } from '../cli/run-cli.js';

describe('grasp-hil chip evaluate / calibrate', () => {
  it('reject bad flags before loading anything', () => {
    const e = runCli(['chip', 'evaluate', 'models/tiny-roberta', '--task', 'spam', '--profile', 'pcm-aihwkit', '--compensation', 'sometimes']);
    expect(e.code).toBe(1);
    expect(e.stderr).toMatch(/--compensation must be one of none, global, global-exact, column, column-exact, got sometimes/);
    const c = runCli(['chip', 'calibrate', 'models/tiny-roberta', '--adapter', 'x', '--out', 'y', '--task', 'spam', '--profile', 'pcm-aihwkit', '--t', '-5']);
    expect(c.code).toBe(1);
    expect(c.stderr).toMatch(/--t must be seconds after programming \(a finite number ≥ 0, e.g. 86400 for one day\), got -5/);
  });

  it('evaluates a bare checkpoint on a chip and says that its head is random', () => {
    const r = runCli(['chip', 'evaluate', 'models/tiny-roberta', '--task', 'spam', '--profile', 'pcm-aihwkit', '--times', '86400', '--compensation', 'none',
      '--chips', '2', '--eval-examples', '12', '--max-length', '24', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.randomHead).toBe(true);
    expect(out.examples).toBe(12);
    const [row] = out.results;
    expect(row).toMatchObject({ t: 86400, compensation: 'none', metric: 'accuracy' });
    expect(row.chips.map((c: { chipSeed: number }) => c.chipSeed)).toEqual([0, 1]);
    expect(row.mvmCalls).toBeGreaterThan(0);
    expect(row.ci[0]).toBeLessThanOrEqual(row.mean);
    expect(row.ci[1]).toBeGreaterThanOrEqual(row.mean);
  });
});
