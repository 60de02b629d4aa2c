/**
 * Charts are registered, not switched on: each chart is one file under charts/ that calls
 * `registerChart` once. A chart turns result rows into a Vega-Lite spec, or says it has nothing
 * to draw (returns null) when the rows hold no data for it.
 */
import { Registry } from '../base/registry.js';
import { experimentStats, type ExperimentStats, type ResultRow } from '../results/index.js';

/** A Vega-Lite top-level spec (kept loose: vega-lite validates it when compiling). */
export type VegaLiteSpec = Record<string, unknown>;

export interface Chart {
  /** File stem: reports/<experiment>/<id>.vl.json, .svg, .png */
  id: string;
  title: string;
  /** How to read it (shown under the chart in index.html and in summary.md). */
  description: string;
  spec(rows: ResultRow[]): VegaLiteSpec | null;
}

const registry = new Registry<Chart>('chart', 'charts');

export function registerChart(chart: Chart): void {
  registry.add(chart.id, chart);
}

/** The charts in registration order. */
export function charts(): readonly Chart[] {
  return registry.values();
}

/** Common look: sizes, fonts that the PNG renderer has, no remote data. */
export function baseSpec(title: string | { text: string; subtitle: string | string[] }, body: VegaLiteSpec): VegaLiteSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    config: {
      font: 'DejaVu Sans',
      view: { stroke: '#ddd' },
      title: { anchor: 'start' },
      axis: { labelFontSize: 11, titleFontSize: 12 },
      // Legends never truncate a label (limit 0 = none); long method names wrap onto more rows instead.
      legend: { labelFontSize: 11, titleFontSize: 12, labelLimit: 0, titleLimit: 0 },
    },
    ...body,
  };
}

/**
 * The methods' labels in the order their rows come (plan order: the experiment's methods as
 * listed), for a color encoding's `sort`: legends then read like the experiment, not alphabetically
 * ("… 16 examples", "… 64 examples", "… 256 examples", not 16, 256, 64).
 */
export function methodOrder(rows: readonly ResultRow[]): string[] {
  const labels = rows.map((r) => r.methodLabel ?? r.method).filter((m): m is string => typeof m === 'string' && m.length > 0);
  return [...new Set(labels)];
}

/** Plain data values for inlining: only the fields a chart uses, JSON-safe. */
export function pick(rows: ResultRow[], fields: string[]): Record<string, unknown>[] {
  return rows.map((r) => {
    const o: Record<string, unknown> = {};
    for (const f of fields) o[f] = (r as Record<string, unknown>)[f] ?? null;
    return o;
  });
}

/** Whether any group of `values` (grouped by `keys`) has more than one row: a ± std band needs replicates. */
export function hasReplicates(values: Record<string, unknown>[], keys: string[]): boolean {
  const seen = new Set<string>();
  for (const v of values) {
    const k = JSON.stringify(keys.map((f) => v[f]));
    if (seen.has(k)) return true;
    seen.add(k);
  }
  return false;
}

const statsCache = new WeakMap<ResultRow[], ExperimentStats>();

/**
 * The paired statistics of a report's rows (src/results/stats.ts, default options: 2000 resamples,
 * seed 0), computed once per rows array and shared by every chart and the summary.
 */
export function statsOf(rows: ResultRow[]): ExperimentStats {
  let s = statsCache.get(rows);
  if (!s) {
    s = experimentStats(rows);
    statsCache.set(rows, s);
  }
  return s;
}

/**
 * A metric axis with no zoom: from 0 (or from just below chance, when chance is below every value shown) to 1, so a
 * one-example difference stays small on the page. Correlation metrics that go negative start at −1.
 */
export function metricDomain(chance: number | null, lowest: number): [number, number] {
  if (lowest < 0) return [-1, 1];
  // Chance sits strictly above the axis floor (the next 0.1 below it), so its line stays visible.
  return [chance !== null && chance <= lowest ? Math.max(0, Math.ceil(chance * 10 - 1e-9) / 10 - 0.1) : 0, 1];
}

/** Symmetric Δ axis at least ±5 points wide, so noise-level differences do not fill the panel. */
export function deltaDomain(values: number[]): [number, number] {
  const m = Math.max(0.05, ...values.map(Math.abs));
  const r = Math.ceil(m * 20) / 20;
  return [-r, r];
}

/** Seconds → "1 s", "1 min", "1 h", "1 day", "30 days" (time axes and legends). */
export function timeLabel(t: number): string {
  const units: [number, string, string][] = [[86400, 'day', 'days'], [3600, 'h', 'h'], [60, 'min', 'min']];
  for (const [sec, one, many] of units) {
    if (t >= sec) {
      const v = Number((t / sec).toPrecision(3));
      return `${v} ${v === 1 ? one : many}`;
    }
  }
  return `${Number(t.toPrecision(3))} s`;
}

/** Log time axis ticks at 1 s, 1 min, 1 h, 1 day, 30 days (inside [lo, hi]) with those labels. */
export function timeAxis(lo: number, hi: number, title: string): Record<string, unknown> {
  const ticks = [1, 60, 3600, 86400, 2592000].filter((v) => v >= lo * 0.999 && v <= hi * 1.001);
  const expr = ticks.map((v) => `datum.value === ${v} ? '${v === 1 ? '≤ 1 s' : timeLabel(v)}'`).join(' : ');
  return { title, values: ticks, labelExpr: ticks.length ? `${expr} : ''` : "''", grid: true, labelFlush: true, labelOverlap: false };
}
