/// <reference lib="dom" />
/**
 * Opens a report's index.html in headless Chromium and checks every chart rendered, with no console errors.
 *
 * The browser comes from npm: `@sparticuz/chromium` ships a headless Chromium inside the package (unpacked
 * into the temp directory on first use, ≈ 2 s), so `npm ci && npm test` needs nothing from the system.
 * `CHROMIUM_PATH` points the tests at another Chromium instead. A browser that cannot start fails the test
 * with the reason; it is never skipped.
 */
import { expect } from 'vitest';
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import packaged from '@sparticuz/chromium';

/** Flags for a closed network: no background connections, no first-run work. */
const QUIET = ['--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

async function browserCommand(): Promise<{ executablePath: string; args: string[] }> {
  const own = process.env.CHROMIUM_PATH;
  if (own !== undefined) {
    if (!existsSync(own)) throw new Error(`CHROMIUM_PATH=${own} does not exist: unset it to use the Chromium from @sparticuz/chromium`);
    return { executablePath: own, args: ['--no-sandbox', '--disable-gpu', ...QUIET] };
  }
  let executablePath: string;
  try {
    executablePath = await packaged.executablePath();
  } catch (e) {
    throw new Error(`could not unpack the Chromium shipped in @sparticuz/chromium (npm ci installs it): ${(e as Error).message}`);
  }
  return { executablePath, args: [...packaged.args, ...QUIET] };
}

export async function expectRendersInChromium(indexHtml: string, charts: number): Promise<void> {
  const command = await browserCommand();
  const browser = await chromium.launch({ ...command, headless: true }).catch((e: Error) => {
    throw new Error(`headless Chromium (${command.executablePath}) did not start: ${e.message}`);
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
