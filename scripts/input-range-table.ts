/**
 * The DAC-range table of an input-range run (docs/hwa.md, experiments/input-range-study.json): for
 * each `sweeps.calibration` setting, the metric with its 95 % CI, the paired difference from the
 * fixed setting (calibration null) with its 95 % CI, and the DAC and ADC clip rates; then the
 * learned ranges saved beside each adapter (input_ranges.json), summarised.
 *
 *   CIs   two-level percentile bootstrap (src/results/stats.ts's bootstrapRuns / bootstrapDelta):
 *         chips resampled, then examples; Δ pairs the same chip seed and the same examples.
 *         2000 resamples, stream Rng(0, 'input-range-table'), level 95 %.
 *
 * Usage: node --import tsx scripts/input-range-table.ts reports/input-range-study/results.jsonl
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { calibrationLabel } from '../src/report/charts/codesign-calibration.js';
import { bootstrapDelta, bootstrapRuns, runMetric, type ResultRow } from '../src/results/index.js';
import type { MetricName } from '../src/eval/metrics.js';
import { loadInputRanges } from '../src/train/index.js';
import { Rng } from '../src/tensor/rng.js';

const file = process.argv[2];
if (!file) throw new Error('usage: node --import tsx scripts/input-range-table.ts <reports/<experiment>/results.jsonl>');
const all = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as ResultRow);
const rows = all.filter((r) => r.kind === 'hardware' && r.sweep && 'calibration' in r.sweep && Array.isArray(r.predictions));
if (rows.length === 0) throw new Error(`${file}: no hardware rows of a calibration sweep with predictions`);

const metricName = rows[0].metricName as MetricName;
const label = (r: ResultRow) => calibrationLabel(r.sweep!.calibration as never, (r.periphery as { dac?: { range?: unknown } }).dac?.range ?? null).replace('fixed bound', 'fixed DAC range');
const metricOf = (runs: ResultRow[]) => runMetric(runs.map((r) => ({ pred: r.predictions!, labels: r.labels! })), metricName);
const groups = new Map<string, ResultRow[]>();
for (const r of rows) groups.set(label(r), [...(groups.get(label(r)) ?? []), r].sort((a, b) => (a.seeds?.chip ?? 0) - (b.seeds?.chip ?? 0)));
const fixed = [...groups.keys()].find((s) => s.startsWith('fixed'));
const rng = new Rng(0, 'input-range-table');
const f3 = (x: number) => x.toFixed(3);
const signed = (x: number) => `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(3)}`;
const pct = (xs: (number | null | undefined)[]) => {
  const v = xs.filter((x): x is number => typeof x === 'number');
  return v.length ? `${((v.reduce((a, b) => a + b, 0) / v.length) * 100).toPrecision(2)} %` : '–';
};

const digital = all.find((r) => r.kind === 'noise' && r.noiseSigma === 0);
console.log(`${rows.length} rows, ${new Set(rows.map((r) => r.seeds?.chip)).size} chip seed(s), ${rows[0].predictions!.length} evaluation examples per row; metric ${metricName}` +
  (digital ? `; digital (σ = 0) ${f3(digital.metric as number)}` : '') + '\n');
const head = ['DAC ranges', `${metricName} [95 % CI]`, 'Δ from fixed [95 % CI]', 'DAC inputs clipped', 'ADC outputs clipped'];
const body: string[][] = [];
for (const [s, runs] of groups) {
  const m = metricOf(runs);
  const est = runs.reduce((k, _, i) => k + m(i, null), 0) / runs.length;
  const [lo, hi] = bootstrapRuns(runs.length, runs[0].predictions!.length, m, rng, 2000, 0.95);
  let delta = '';
  const b = fixed && s !== fixed ? groups.get(fixed)! : null;
  if (b && b.length === runs.length) {
    const mb = metricOf(b);
    const d = runs.reduce((k, _, i) => k + m(i, null) - mb(i, null), 0) / runs.length;
    const [dl, dh] = bootstrapDelta({ runs: runs.length, metric: m }, { runs: b.length, metric: mb }, runs.map((_, i) => [i, i]), runs[0].predictions!.length, rng, 2000, 0.95);
    delta = `${signed(d)} [${signed(dl)}, ${signed(dh)}]`;
  }
  body.push([s, `${f3(est)} [${f3(lo)}, ${f3(hi)}]`, delta, pct(runs.map((r) => r.clipRates?.dac)), pct(runs.map((r) => r.clipRates?.adc))]);
}
console.log([head, head.map(() => '---'), ...body].map((c) => `| ${c.join(' | ')} |`).join('\n'));

const adapters = join(dirname(file), 'adapters');
for (const key of existsSync(adapters) ? readdirSync(adapters) : []) {
  const ranges = loadInputRanges(join(adapters, key));
  if (!ranges) continue;
  const v = [...ranges.values()].sort((a, b) => a - b);
  console.log(`\n${key}: ${v.length} learned ranges, min ${f3(v[0])}, median ${f3(v[Math.floor(v.length / 2)])}, max ${f3(v[v.length - 1])}`);
  for (const [site, r] of ranges) console.log(`  ${site} ${f3(r)}`);
}
