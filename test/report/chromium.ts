/// <reference lib="dom" />
/** Opens a report's index.html in headless Chromium and checks every chart rendered, with no console errors. */
import { expect } from 'vitest';
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export async function expectRendersInChromium(indexHtml: string, charts: number): Promise<void> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: install Debian's chromium (apt-get install chromium) or set CHROMIUM_PATH`);
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
    await page.goto(pathToFileURL(indexHtml).href);
    await page.waitForFunction(() => document.body.dataset.rendered === 'true', undefined, { timeout: 30_000 });
    const state = await page.evaluate(() => ({
      rendered: (window as unknown as { chartsRendered: number }).chartsRendered,
      failures: (window as unknown as { chartErrors: string[] }).chartErrors,
      svgs: document.querySelectorAll('.chart svg').length,
    }));
    expect(state.failures).toEqual([]);
    expect(state.rendered).toBe(charts);
    expect(state.svgs).toBe(charts);
    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
  } finally {
    await browser.close();
  }
}
