/**
 * A self-contained offline index.html: vega, vega-lite and vega-embed are inlined from node_modules
 * (no CDN), each chart's spec is embedded with its data, and every chart has its description.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { VegaLiteSpec } from './chart.js';

/** The installed package's root folder (its exports map may hide package.json). */
function packageRoot(pkg: string): string {
  let dir = dirname(fileURLToPath(import.meta.resolve(pkg)));
  while (!existsSync(join(dir, 'package.json')) || JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).name !== pkg) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`report: cannot find the installed package '${pkg}' (run npm ci)`);
    dir = up;
  }
  return dir;
}

function bundle(pkg: string, file: string): string {
  const root = packageRoot(pkg);
  // A closing script tag inside the library text would end the inline script early.
  return readFileSync(join(root, file), 'utf8').replace(/<\/script/gi, '<\\/script');
}

export interface HtmlChart {
  id: string;
  title: string;
  description: string;
  spec: VegaLiteSpec;
}

const escapeHtml = (s: string): string => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] as string);

export function reportHtml(title: string, intro: string, items: HtmlChart[], summaryTable: string): string {
  const specs = JSON.stringify(Object.fromEntries(items.map((c) => [c.id, c.spec]))).replace(/</g, '\\u003c');
  const sections = items
    .map((c) => `<section><h2>${escapeHtml(c.title)}</h2><p>${escapeHtml(c.description)}</p><div class="chart" id="chart-${c.id}" data-chart="${c.id}"></div></section>`)
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{font-family:"DejaVu Sans",system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}
section{margin:2em 0}h2{font-size:1.15em}table{border-collapse:collapse;font-size:.85em}td,th{border:1px solid #ccc;padding:.25em .5em;text-align:right}
th{background:#f4f4f4}.error{color:#b00}</style>
<script>${bundle('vega', 'build/vega.min.js')}</script>
<script>${bundle('vega-lite', 'build/vega-lite.min.js')}</script>
<script>${bundle('vega-embed', 'build/vega-embed.min.js')}</script>
</head><body>
<h1>${escapeHtml(title)}</h1>
<p>${escapeHtml(intro)}</p>
${sections}
<section><h2>Summary</h2>${summaryTable}</section>
<script>
const specs = ${specs};
window.chartsRendered = 0;
window.chartErrors = [];
Promise.all(Object.entries(specs).map(([id, spec]) =>
  vegaEmbed('#chart-' + id, spec, { actions: false, renderer: 'svg' })
    .then(() => { window.chartsRendered++; })
    .catch((e) => { window.chartErrors.push(id + ': ' + e.message); document.getElementById('chart-' + id).innerHTML = '<p class="error">' + e.message + '</p>'; })
)).then(() => { document.body.dataset.rendered = 'true'; });
</script>
</body></html>
`;
}
