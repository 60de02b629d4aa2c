/**
 * Charts are registered, not switched on: each chart is one file under charts/ that calls
 * `registerChart` once. A chart turns result rows into a Vega-Lite spec, or says it has nothing
 * to draw (returns null) when the rows hold no data for it.
 */
import type { ResultRow } from '../results/index.js';

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

const registry: Chart[] = [];

export function registerChart(chart: Chart): void {
  if (registry.some((c) => c.id === chart.id)) throw new Error(`chart '${chart.id}' is registered twice`);
  registry.push(chart);
}

export function charts(): readonly Chart[] {
  return registry;
}

/** Common look: sizes, fonts that the PNG renderer has, no remote data. */
export function baseSpec(title: string | { text: string; subtitle: string }, body: VegaLiteSpec): VegaLiteSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    config: {
      font: 'DejaVu Sans',
      view: { stroke: '#ddd' },
      axis: { labelFontSize: 11, titleFontSize: 12 },
      legend: { labelFontSize: 11, titleFontSize: 12, labelLimit: 400 },
    },
    ...body,
  };
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
