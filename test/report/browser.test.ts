/**
 * A real browser: the offline index.html opens in headless Chromium (shipped in the
 * `@sparticuz/chromium` npm package, see chromium.ts), every chart renders, the console shows no errors and nothing is
 * fetched. The runner test does the same for a tiny experiment's own report.
 */
import { describe, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildReport } from '../../src/report/index.js';
import { expectRendersInChromium } from './chromium.js';
import { syntheticRows } from './fixture-rows.js';

describe('report in headless Chromium', () => {
  it('renders every chart (each registered kind) with no console errors and no network requests', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'report-browser-'));
    const res = await buildReport(syntheticRows(), dir, 'tiny');
    await expectRendersInChromium(join(dir, 'index.html'), res.charts.length);
  });
});
