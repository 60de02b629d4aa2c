/// <reference lib="dom" />
/**
 * A real browser: the offline index.html opens in headless Chromium (Debian's `chromium`, which
 * .ci/run installs when missing), every chart renders, and the console shows no errors.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { buildReport } from '../../src/report/index.js';
import { syntheticRows } from './fixture-rows.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

describe('report in headless Chromium', () => {
  it('renders every chart with no console errors and no network requests', async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: install Debian's chromium (apt-get install chromium) or set CHROMIUM_PATH`);
    const dir = mkdtempSync(join(tmpdir(), 'report-browser-'));
    const res = await buildReport(syntheticRows(), dir, 'tiny');
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      const requests: string[] = [];
      page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('request', (r) => { if (!r.url().startsWith('file:') && !r.url().startsWith('data:')) requests.push(r.url()); });
      await page.goto(pathToFileURL(join(dir, 'index.html')).href);
      await page.waitForFunction(() => document.body.dataset.rendered === 'true', undefined, { timeout: 30_000 });
      const state = await page.evaluate(() => ({
        rendered: (window as unknown as { chartsRendered: number }).chartsRendered,
        failures: (window as unknown as { chartErrors: string[] }).chartErrors,
        svgs: document.querySelectorAll('.chart svg').length,
      }));
      expect(state.failures).toEqual([]);
      expect(state.rendered).toBe(res.charts.length);
      expect(state.svgs).toBe(res.charts.length);
      expect(errors).toEqual([]);
      expect(requests).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
