import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildReport, charts } from '../../src/report/index.js';
import { syntheticRows } from './fixture-rows.js';

describe('report', () => {
  it('draws every registered chart from rows alone, as .vl.json, SVG and PNG, plus offline HTML and summaries', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'report-'));
    const res = await buildReport(syntheticRows(), dir, 'tiny');
    expect(res.charts).toEqual(charts().map((c) => c.id));
    for (const id of res.charts) {
      const svg = readFileSync(join(dir, `${id}.svg`), 'utf8');
      expect(svg.startsWith('<svg')).toBe(true);
      expect(svg).toContain('<path'); // marks were drawn
      const png = readFileSync(join(dir, `${id}.png`));
      expect(png.subarray(1, 4).toString()).toBe('PNG');
      expect(statSync(join(dir, `${id}.png`)).size).toBeGreaterThan(5000);
      expect(JSON.parse(readFileSync(join(dir, `${id}.vl.json`), 'utf8')).$schema).toContain('vega-lite');
    }
    const html = readFileSync(join(dir, 'index.html'), 'utf8');
    expect(html).not.toMatch(/<script[^>]+src=/); // everything inlined, no CDN
    expect(html).not.toMatch(/https?:\/\/cdn/);
    expect(readFileSync(join(dir, 'summary.csv'), 'utf8').split('\n')[0]).toContain('mean');
    const md = readFileSync(join(dir, 'summary.md'), 'utf8');
    expect(md).toContain('| 95 % CI |');
    expect(md).toContain('## Difference from the baseline');
    expect(html).toContain('Difference from the baseline');
  });

  it('refuses to report an experiment with no rows, saying what to do', async () => {
    await expect(buildReport([], mkdtempSync(join(tmpdir(), 'report-')), 'empty')).rejects.toThrow(/no result rows.*run the experiment/);
  });
});
