/**
 * Histograms stored in result rows: `bins` equal-width bins from the sample's min to max (a
 * constant sample gets the unit bin [v − 0.5, v + 0.5]); edges has bins + 1 entries, counts bins.
 * Units are those of the values (conductances in µS, adapter parameters in their own units).
 */
import type { Histogram } from './row.js';

export function histogram(values: ArrayLike<number>, bins = 40): Histogram {
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (!(hi > lo)) { lo -= 0.5; hi += 0.5; }
  const counts = new Array<number>(bins).fill(0);
  for (let i = 0; i < values.length; i++) counts[Math.min(bins - 1, Math.floor(((values[i] - lo) / (hi - lo)) * bins))]++;
  return { edges: Array.from({ length: bins + 1 }, (_, i) => lo + ((hi - lo) * i) / bins), counts };
}

/**
 * Adapter parameter histograms from named tensors (`<Site>.<kind>`, e.g.
 * `roberta.encoder.layer.0.output.dense.grasp_scale`): under '*' each kind pooled over every Site,
 * and under each Site's name that Site's own kinds. StochGRASP's stored ln σ is histogrammed as σ.
 */
export function parameterHistograms(state: ReadonlyMap<string, { data: ArrayLike<number> }>, bins = 40): Record<string, Record<string, Histogram>> {
  const pooled = new Map<string, number[]>();
  const perSite = new Map<string, Map<string, ArrayLike<number>>>();
  for (const [key, t] of state) {
    const dot = key.lastIndexOf('.');
    const stored = key.slice(dot + 1);
    const site = dot < 0 ? '' : key.slice(0, dot);
    // StochGRASP stores ln σ (`…_log_sigma`): histogrammed as σ itself, in weight units, under `…_sigma`.
    const logSigma = stored.endsWith('_log_sigma');
    const kind = logSigma ? stored.replace(/_log_sigma$/, '_sigma') : stored;
    const data = logSigma ? Float64Array.from(t.data, Math.exp) : t.data;
    const list = pooled.get(kind) ?? [];
    for (let i = 0; i < data.length; i++) list.push(data[i]);
    pooled.set(kind, list);
    if (site) {
      const kinds = perSite.get(site) ?? new Map<string, ArrayLike<number>>();
      kinds.set(kind, data);
      perSite.set(site, kinds);
    }
  }
  const out: Record<string, Record<string, Histogram>> = { '*': Object.fromEntries([...pooled].map(([k, v]) => [k, histogram(v, bins)])) };
  for (const [site, kinds] of perSite) out[site] = Object.fromEntries([...kinds].map(([k, v]) => [k, histogram(v, bins)]));
  return out;
}
