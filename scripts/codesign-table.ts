/**
 * The calibrated-vs-fixed table of a co-design run (docs/periphery.md): for each bound-management
 * mode, tile size and ADC resolution, the metric of every range setting with its 95 % CI, and the
 * paired difference of each calibrated setting from the fixed bound with its 95 % CI, plus the ADC
 * clip rates.
 *
 *   CIs   two-level percentile bootstrap (src/results/stats.ts's bootstrapRuns / bootstrapDelta):
 *         chips resampled, then examples; Δ pairs the same chip seed and the same examples.
 *         2000 resamples, stream Rng(0, 'codesign-table'), level 95 %.
 *
 * When the run sweeps `adc.boundManagement`, a second table gives, per tile size, ADC resolution and
 * range setting, the paired difference of iterative bound management from none (same chips and
 * examples, same bootstrap), with the ADC clip rates of both.
 *
 * Usage: node --import tsx scripts/codesign-table.ts reports/codesign-periphery/results.jsonl
 */
import { readFileSync } from 'node:fs';
import { calibrationLabel } from '../src/report/charts/codesign-calibration.js';
import { bootstrapDelta, bootstrapRuns, runMetric, type ResultRow } from '../src/results/index.js';
import type { MetricName } from '../src/eval/metrics.js';
import { Rng } from '../src/tensor/rng.js';

const file = process.argv[2];
if (!file) throw new Error('usage: node --import tsx scripts/codesign-table.ts <reports/<experiment>/results.jsonl>');
const rows = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as ResultRow)
  .filter((r) => r.kind === 'hardware' && r.sweep && 'adc.bits' in r.sweep && Array.isArray(r.predictions));
if (rows.length === 0) throw new Error(`${file}: no hardware rows of an adc.bits sweep with predictions`);

const get = (o: unknown, path: string): unknown => path.split('.').reduce<unknown>((v, k) => (v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), o);
const setting = (r: ResultRow, path: string): unknown => (r.sweep && path in r.sweep ? r.sweep[path] : get(r.periphery, path));
const calib = (r: ResultRow) => calibrationLabel(setting(r, 'calibration') as never, get(r.periphery, 'adc.bound') ?? 12);
const metricName = rows[0].metricName as MetricName;
const metricOf = (runs: ResultRow[]) => runMetric(runs.map((r) => ({ pred: r.predictions!, labels: r.labels! })), metricName);

const groups = new Map<string, Map<string, ResultRow[]>>();
for (const r of rows) {
  const cell = JSON.stringify([setting(r, 'adc.boundManagement') ?? 'none', Number(setting(r, 'tile.rows') ?? 512), Number(setting(r, 'adc.bits'))]);
  if (!groups.has(cell)) groups.set(cell, new Map());
  const g = groups.get(cell)!;
  g.set(calib(r), [...(g.get(calib(r)) ?? []), r]);
}
const settings = [...new Set(rows.map(calib))].sort((a, b) => (a.startsWith('fixed') ? -1 : b.startsWith('fixed') ? 1 : a.localeCompare(b)));
const fixed = settings.find((s) => s.startsWith('fixed'));
const rng = new Rng(0, 'codesign-table');
const f3 = (x: number) => x.toFixed(3);
const signed = (x: number) => `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(3)}`;
const pct = (xs: (number | null | undefined)[]) => {
  const v = xs.filter((x): x is number => typeof x === 'number');
  return v.length ? `${((v.reduce((a, b) => a + b, 0) / v.length) * 100).toPrecision(2)} %` : '–';
};
const bySeed = (rs: ResultRow[]) => [...rs].sort((a, b) => (a.seeds?.chip ?? 0) - (b.seeds?.chip ?? 0));

const head = ['bound mgmt', 'tile rows', 'ADC bits', ...settings.map((s) => `${s}: ${metricName} [95 % CI]`), ...settings.filter((s) => s !== fixed).map((s) => `Δ ${s} − fixed [95 % CI]`), ...settings.map((s) => `ADC clip, ${s}`)];
const body: string[][] = [];
const cells = [...groups.keys()].sort((a, b) => {
  const [ma, ra, ba] = JSON.parse(a) as [string, number, number], [mb, rb, bb] = JSON.parse(b) as [string, number, number];
  return (ma === 'none' ? 0 : 1) - (mb === 'none' ? 0 : 1) || ma.localeCompare(mb) || ra - rb || ba - bb;
});
for (const cell of cells) {
  const [bm, tileRows, bits] = JSON.parse(cell) as [string, number, number];
  const g = groups.get(cell)!;
  const line = [bm, String(tileRows), String(bits)];
  for (const s of settings) {
    const runs = bySeed(g.get(s) ?? []);
    if (runs.length === 0) { line.push('–'); continue; }
    const m = metricOf(runs);
    const est = runs.reduce((k, _, i) => k + m(i, null), 0) / runs.length;
    const [lo, hi] = bootstrapRuns(runs.length, runs[0].predictions!.length, m, rng, 2000, 0.95);
    line.push(`${f3(est)} [${f3(lo)}, ${f3(hi)}]`);
  }
  for (const s of settings.filter((x) => x !== fixed)) {
    const a = bySeed(g.get(s) ?? []), b = bySeed(fixed ? g.get(fixed) ?? [] : []);
    if (a.length === 0 || a.length !== b.length) { line.push('–'); continue; }
    const ma = metricOf(a), mb = metricOf(b);
    const delta = a.reduce((k, _, i) => k + ma(i, null) - mb(i, null), 0) / a.length;
    const [lo, hi] = bootstrapDelta({ runs: a.length, metric: ma }, { runs: b.length, metric: mb }, a.map((_, i) => [i, i]), a[0].predictions!.length, rng, 2000, 0.95);
    line.push(`${signed(delta)} [${signed(lo)}, ${signed(hi)}]`);
  }
  for (const s of settings) line.push(pct((g.get(s) ?? []).map((r) => r.clipRates?.adc)));
  body.push(line);
}
const chips = new Set(rows.map((r) => r.seeds?.chip)).size;
console.log(`${rows.length} rows, ${chips} chip seed(s), ${rows[0].predictions!.length} evaluation examples per row; metric ${metricName}\n`);
console.log([head, head.map(() => '---'), ...body].map((c) => `| ${c.join(' | ')} |`).join('\n'));

// ---- iterative bound management − none, per tile size, ADC bits and range setting
const modes = new Set(cells.map((c) => (JSON.parse(c) as [string])[0]));
if (modes.has('none') && modes.has('iterative')) {
  const bmHead = ['tile rows', 'ADC bits', 'range setting', 'none', 'iterative', 'Δ iterative − none [95 % CI]', 'ADC clip none / iterative'];
  const bmBody: string[][] = [];
  for (const cell of cells) {
    const [bm, tileRows, bits] = JSON.parse(cell) as [string, number, number];
    if (bm !== 'none') continue;
    const other = groups.get(JSON.stringify(['iterative', tileRows, bits]));
    if (!other) continue;
    for (const s of settings) {
      const a = bySeed(other.get(s) ?? []), b = bySeed(groups.get(cell)!.get(s) ?? []);
      if (a.length === 0 || a.length !== b.length) continue;
      const ma = metricOf(a), mb = metricOf(b);
      const mean = (m: typeof ma, n: number) => Array.from({ length: n }, (_, i) => m(i, null)).reduce((x, y) => x + y, 0) / n;
      const delta = a.reduce((k, _, i) => k + ma(i, null) - mb(i, null), 0) / a.length;
      const [lo, hi] = bootstrapDelta({ runs: a.length, metric: ma }, { runs: b.length, metric: mb }, a.map((_, i) => [i, i]), a[0].predictions!.length, rng, 2000, 0.95);
      bmBody.push([String(tileRows), String(bits), s, f3(mean(mb, b.length)), f3(mean(ma, a.length)), `${signed(delta)} [${signed(lo)}, ${signed(hi)}]`,
        `${pct(b.map((r) => r.clipRates?.adc))} / ${pct(a.map((r) => r.clipRates?.adc))}`]);
    }
  }
  console.log('\nIterative bound management against none (paired on the same chips and examples):\n');
  console.log([bmHead, bmHead.map(() => '---'), ...bmBody].map((c) => `| ${c.join(' | ')} |`).join('\n'));
}
