/**
 * Co-design with calibrated ranges: the metric against ADC bits, one panel per tile size (rows per
 * tile) and bound-management mode (a wrapped facet, one row of panels per mode), one colour per range
 * setting (the fixed chip-wide bound first, then the calibration's percentiles); each point the estimate over chips and examples with
 * its 95 % CI (src/results/stats.ts). Below, the ADC clip rate of the same evaluations (mean over
 * chips, symlog axis; the DAC clip rate and the energy estimate are in the tooltips).
 *
 * Drawn when the hardware rows sweep `adc.bits` and the range setting (`calibration`) varies across
 * them; the plain `codesign` heat map covers the other sweeps.
 */
import { conditionOf, entryOf, sweepValueLabel, type ResultRow, type SweepValue } from '../../results/index.js';
import { baseSpec, metricDomain, registerChart, statsOf } from '../chart.js';

type Calib = { dacPercentile?: number | null; adcPercentile?: number | null; per?: string; dac?: string } | null | undefined;

/** "fixed bound (±12)", "ADC p99.99", "DAC p99.99 + ADC p99.99 (per layer)", "DAC learned + ADC p99.99". */
export function calibrationLabel(c: Calib, fixedBound: unknown): string {
  if (!c) return `fixed bound${typeof fixedBound === 'number' ? ` (±${fixedBound})` : ''}`;
  const dac = c.dacPercentile === undefined ? 99.99 : c.dacPercentile;
  const adc = c.adcPercentile === undefined ? 99.99 : c.adcPercentile;
  const parts = [c.dac === 'learned' ? 'DAC learned' : dac !== null ? `DAC p${dac}` : null, adc !== null ? `ADC p${adc}` : null].filter((x) => x !== null);
  return `${parts.length ? parts.join(' + ') : 'calibrated (nothing)'}${c.per === 'layer' ? ' (per layer)' : ''}`;
}

const get = (o: unknown, path: string): unknown => path.split('.').reduce<unknown>((v, k) => (v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), o);

/** Where this chart's axes come from in a row: its sweep point first, its periphery otherwise. */
function settingOf(r: ResultRow, path: string): unknown {
  return r.sweep && path in r.sweep ? r.sweep[path] : get(r.periphery, path);
}

const mean = (xs: (number | null | undefined)[]): number | null => {
  const v = xs.filter((x): x is number => typeof x === 'number');
  return v.length ? v.reduce((a, b) => a + b, 0) / v.length : null;
};

registerChart({
  id: 'codesign-calibration',
  title: 'Co-design with calibrated ranges',
  description:
    'Top: the task metric on the simulated chip against ADC resolution, one column per tile size, one colour per ' +
    'range setting (the fixed chip-wide ADC bound, or DAC ranges and ADC bounds calibrated per tile from percentiles ' +
    'of training inputs), one row per bound-management mode (BM); bars are 95 % CIs over chips and examples. Bottom: the ' +
    'fraction of ADC outputs that clipped (symlog axis). A solid grey line marks the digital result when the experiment has a σ = 0 noise row. A setting is good enough where its CI overlaps the 8-bit ' +
    'result; calibration pays where its points stay up at fewer bits.',
  spec(rows) {
    const hw = rows.filter((r) => r.kind === 'hardware' && r.sweep && 'adc.bits' in r.sweep && typeof r.metric === 'number');
    const calibrationOf = (r: ResultRow) => calibrationLabel(settingOf(r, 'calibration') as Calib, get(r.periphery, 'adc.bound') ?? (get(r.periphery, 'adc.bits') != null ? 12 : null));
    if (hw.length === 0 || new Set(hw.map(calibrationOf)).size < 2) return null;
    const stats = statsOf(rows);
    const byCondition = new Map<string, ResultRow[]>();
    for (const r of hw) {
      const k = JSON.stringify([conditionOf(r).key, entryOf(r)]);
      byCondition.set(k, [...(byCondition.get(k) ?? []), r]);
    }
    const metricName = hw[0].metricName ?? 'metric';
    const values = stats.estimates
      .filter((e) => e.condition.kind === 'hardware' && e.condition.sweep && 'adc.bits' in e.condition.sweep)
      .flatMap((e) => {
        const group = byCondition.get(JSON.stringify([e.condition.key, e.entryId]));
        if (!group) return [];
        const r = group[0];
        const sweep = e.condition.sweep as Record<string, SweepValue>;
        return [{
          method: e.label,
          profile: e.condition.profile,
          bits: Number(sweep['adc.bits']),
          rows: `${settingOf(r, 'tile.rows') ?? 512} rows per tile`,
          calibration: calibrationOf(r),
          boundManagement: (settingOf(r, 'adc.boundManagement') ?? 'none') === 'iterative' ? 'iterative BM' : 'no BM',
          metric: e.estimate,
          lo: e.ci?.[0] ?? null,
          hi: e.ci?.[1] ?? null,
          adcClip: mean(group.map((g) => g.clipRates?.adc)),
          dacClip: mean(group.map((g) => g.clipRates?.dac)),
          energy_nJ: mean(group.map((g) => (typeof g.energy?.totalJ === 'number' ? g.energy.totalJ * 1e9 : null))),
          sweep: Object.entries(sweep).map(([k, v]) => `${k}=${sweepValueLabel(v)}`).join(', '),
        }];
      });
    if (values.length === 0) return null;
    const chances = stats.estimates.map((e) => e.chance).filter((c): c is number => c !== null);
    const chance = chances.length ? chances.reduce((a, b) => a + b, 0) / chances.length : null;
    // The digital reference: noise-protocol rows at σ = 0 (the merged adapter, no chip), when the experiment has them.
    const digitals = stats.estimates.filter((e) => e.condition.kind === 'noise' && e.condition.noiseSigma === 0).map((e) => e.estimate);
    const digital = digitals.length ? digitals.reduce((a, b) => a + b, 0) / digitals.length : null;
    const yScale = { domain: metricDomain(chance, Math.min(...values.map((v) => v.lo ?? v.metric))) };
    const bits = [...new Set(values.map((v) => v.bits))].sort((a, b) => a - b);
    const x = { field: 'bits', type: 'ordinal', title: 'ADC bits', sort: bits, axis: { labelAngle: 0 } };
    const settings = [...new Set(values.map((v) => v.calibration))].sort((a, b) => Number(b.startsWith('fixed')) - Number(a.startsWith('fixed')) || a.localeCompare(b));
    const color = { field: 'calibration', type: 'nominal', title: 'range setting', sort: settings, legend: { orient: 'bottom', direction: 'vertical' } };
    const xOffset = { field: 'calibration', type: 'nominal', sort: settings };
    const tooltip = [
      { field: 'method' }, { field: 'calibration', title: 'range setting' }, { field: 'sweep' },
      { field: 'metric', format: '.4f', title: metricName }, { field: 'lo', format: '.4f', title: 'CI low' }, { field: 'hi', format: '.4f', title: 'CI high' },
      { field: 'adcClip', format: '.2%', title: 'ADC clip rate' }, { field: 'dacClip', format: '.2%', title: 'DAC clip rate' }, { field: 'energy_nJ', format: '.3~g', title: 'energy (nJ, estimate)' },
    ];
    // One panel per tile size (and bound-management mode, when it varies), wrapped into rows of tile sizes:
    // a wrapped facet labels every panel itself, so a missing combination cannot shift the others.
    const tileRows = [...new Set(values.map((v) => v.rows))].sort((a, b) => parseInt(a, 10) - parseInt(b, 10));
    const modes = ['no BM', 'iterative BM'].filter((m) => values.some((v) => v.boundManagement === m));
    const panelOf = (v: { rows: string; boundManagement: string }) => (modes.length > 1 ? `${v.rows}, ${v.boundManagement}` : v.rows);
    for (const v of values) (v as Record<string, unknown>).panel = panelOf(v);
    const panels = modes.flatMap((m) => tileRows.map((r) => panelOf({ rows: r, boundManagement: m })));
    const facet = { field: 'panel', type: 'nominal', title: null, sort: panels };
    const columns = tileRows.length;
    const level = Math.round(stats.level * 100);
    const hasCi = values.some((v) => v.lo !== null);
    const top = {
      data: { values },
      facet,
      columns,
      spec: {
        width: 260,
        height: 180,
        layer: [
          { mark: { type: 'point', filled: true, size: 60 }, encoding: { x, xOffset, y: { field: 'metric', type: 'quantitative', title: metricName, scale: yScale }, color, tooltip } },
          ...(hasCi ? [{ mark: { type: 'rule', strokeWidth: 2 }, encoding: { x, xOffset, y: { field: 'lo', type: 'quantitative', scale: yScale }, y2: { field: 'hi' }, color, tooltip } }] : []),
          ...(chance !== null ? [{ mark: { type: 'rule', color: '#888', strokeDash: [6, 4] }, encoding: { y: { datum: chance, type: 'quantitative' } } }] : []),
          ...(digital !== null ? [{ mark: { type: 'rule', color: '#555' }, encoding: { y: { datum: digital, type: 'quantitative' } } }] : []),
        ],
      },
    };
    const bottom = {
      data: { values: values.filter((v) => v.adcClip !== null) },
      facet,
      columns,
      spec: {
        width: 260,
        height: 110,
        mark: { type: 'bar' },
        encoding: {
          x, xOffset, color, tooltip,
          y: { field: 'adcClip', type: 'quantitative', title: 'ADC clip rate', scale: { type: 'symlog', constant: 1e-4 }, axis: { format: '.2~%', values: [0, 1e-4, 1e-3, 1e-2, 1e-1, 1] } },
        },
      },
    };
    // One line per clause, so the subtitle never sets the canvas width.
    const subtitle = hasCi
      ? [`bars: ${level} % CIs over chips and examples`, `grey dashes: chance (majority class)${digital !== null ? '; solid grey: digital (no chip)' : ''}`, 'BM: iterative bound management; lower panels: ADC outputs clipped']
      : 'no CIs: these rows carry no per-example predictions';
    return baseSpec({ text: `Co-design: ${metricName} against ADC bits × tile rows, fixed vs calibrated ranges`, subtitle }, { vconcat: [top, bottom], spacing: 16, resolve: { scale: { color: 'shared' } } });
  },
});
