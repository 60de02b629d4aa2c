/**
 * Paper Figs. 2–5: densities of the learned GRASP γ (`grasp_scale`), β (`grasp_shift`) and StochGRASP μ
 * (`stochgrasp_mu`) and σ, one row of panels per encoder layer, one line per method.
 *
 * σ itself: result rows histogram StochGRASP's σ under `stochgrasp_sigma` (it stores ln σ). Rows of older
 * adapters carry `stochgrasp_rho` with σ = softplus(ρ) = ln(1 + eᵖ); softplus is monotone, so a histogram of ρ
 * with edges e is a histogram of σ with edges softplus(e). The σ panel is drawn with a σ_target marker (dashed) where the
 * params rows carry `sigmaTarget` (a number, or a Site → number map averaged per layer). A method's rows (training
 * seeds, adapters per profile) are pooled into one density.
 *
 * Densities are Gaussian kernel density estimates over the binned values (each bin's count at its centre),
 * bandwidth by Silverman's rule 1.06·sd·N^(−1/5), never narrower than half a bin, drawn over the
 * histogram's range ± 3 bandwidths (σ from 0). Sites group into layers
 * by the `layer.<n>.` in their name; other Sites keep their own name; rows with only the pooled `'*'`
 * histograms draw one row "all Sites".
 */
import type { Histogram, ResultRow } from '../../results/index.js';
import { baseSpec, registerChart, methodOrder } from '../chart.js';

const softplus = (x: number) => (x > 30 ? x : Math.log1p(Math.exp(x)));

/** Display name of a stored parameter kind; ρ kinds become σ. */
function paramName(kind: string): string {
  const names: Record<string, string> = { grasp_scale: 'γ (grasp_scale)', grasp_shift: 'β (grasp_shift)', stochgrasp_mu: 'μ (stochgrasp_mu)', grasp_weight_mu: 'μ (grasp_weight_mu)', stochgrasp_sigma: 'σ', stochgrasp_rho: 'σ' };
  return names[kind] ?? (kind.endsWith('_rho') ? `σ = softplus(${kind})` : kind);
}
/** σ kinds: `…_sigma` holds σ, `…_rho` (older rows) holds ρ with σ = softplus(ρ). */
const isSigma = (kind: string) => kind.endsWith('_rho') || kind.endsWith('_sigma');
const isRho = (kind: string) => kind.endsWith('_rho');

export function layerOf(site: string): string {
  const m = /(?:^|\.)layers?\.(\d+)\./.exec(site);
  return m ? `layer ${m[1]}` : site === '*' ? 'all Sites' : site;
}

interface Acc {
  centres: number[];
  weights: number[];
  lo: number;
  hi: number;
  minWidth: number;
}

function addHistogram(acc: Acc, h: Histogram, rho: boolean): void {
  const edges = rho ? h.edges.map(softplus) : h.edges;
  for (let i = 0; i < h.counts.length; i++) {
    if (h.counts[i] <= 0) continue;
    acc.centres.push((edges[i] + edges[i + 1]) / 2);
    acc.weights.push(h.counts[i]);
    acc.minWidth = Math.min(acc.minWidth, edges[i + 1] - edges[i]);
  }
  acc.lo = Math.min(acc.lo, edges[0]);
  acc.hi = Math.max(acc.hi, edges[edges.length - 1]);
}

/**
 * Weighted Gaussian KDE on `points` grid values over the accumulated range padded by three bandwidths
 * (cut at 0 for a non-negative parameter such as σ).
 */
export function kde(acc: Acc, points = 80, nonNegative = false): { x: number; density: number }[] {
  const n = acc.weights.reduce((a, b) => a + b, 0);
  if (n === 0) return [];
  const mean = acc.centres.reduce((s, c, i) => s + c * acc.weights[i], 0) / n;
  const sd = Math.sqrt(acc.centres.reduce((s, c, i) => s + acc.weights[i] * (c - mean) ** 2, 0) / n);
  const h = Math.max(1.06 * sd * n ** -0.2, acc.minWidth / 2, 1e-12);
  const lo = nonNegative ? Math.max(0, acc.lo - 3 * h) : acc.lo - 3 * h, hi = acc.hi + 3 * h;
  const out: { x: number; density: number }[] = [];
  for (let k = 0; k < points; k++) {
    const x = lo + ((hi - lo) * k) / (points - 1);
    let d = 0;
    for (let i = 0; i < acc.centres.length; i++) d += acc.weights[i] * Math.exp(-0.5 * ((x - acc.centres[i]) / h) ** 2);
    out.push({ x, density: d / (n * h * Math.sqrt(2 * Math.PI)) });
  }
  return out;
}

function sigmaTargetOf(r: ResultRow, layer: string): number | null {
  const t = r.sigmaTarget;
  if (typeof t === 'number') return t;
  if (t && typeof t === 'object') {
    const vs = Object.entries(t as Record<string, unknown>).filter(([site, v]) => typeof v === 'number' && layerOf(site) === layer).map(([, v]) => v as number);
    return vs.length ? vs.reduce((a, b) => a + b, 0) / vs.length : null;
  }
  return null;
}

/**
 * Density and σ_target rows per (method, layer, parameter). The rows of one method (its training seeds,
 * or its adapters per profile) are pooled into one density: drawn one per row, the lines of a method
 * would share a colour and zig-zag between each other. A layer's σ_target is the mean over its Sites
 * and over the method's rows.
 */
function values(rows: ResultRow[]): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  // Labels of several methods' σ_targets in one panel are stacked (ty: pixels from the top), not overprinted.
  const slots = new Map<string, number>();
  const byMethod = new Map<string, ResultRow[]>();
  for (const r of rows) {
    const method = r.methodLabel ?? r.method ?? '';
    byMethod.set(method, [...(byMethod.get(method) ?? []), r]);
  }
  for (const [method, members] of byMethod) {
    const groups = new Map<string, Acc>();
    for (const r of members) {
      const hs = r.histograms ?? {};
      const sites = Object.keys(hs).filter((s) => s !== '*');
      for (const site of sites.length ? sites : ['*']) {
        for (const [kind, h] of Object.entries(hs[site])) {
          const key = JSON.stringify([layerOf(site), kind]);
          const acc = groups.get(key) ?? { centres: [], weights: [], lo: Infinity, hi: -Infinity, minWidth: Infinity };
          addHistogram(acc, h, isRho(kind));
          groups.set(key, acc);
        }
      }
    }
    const targets = new Set<string>();
    for (const [key, acc] of groups) {
      const [layer, kind] = JSON.parse(key) as [string, string];
      const param = paramName(kind);
      for (const p of kde(acc, 80, isSigma(kind))) out.push({ type: 'density', method, layer, param, x: p.x, density: p.density });
      const ts = isSigma(kind) ? members.map((r) => sigmaTargetOf(r, layer)).filter((t): t is number => t !== null) : [];
      if (ts.length > 0 && !targets.has(layer + param)) {
        targets.add(layer + param);
        const target = ts.reduce((a, b) => a + b, 0) / ts.length;
        const slot = slots.get(layer + param) ?? 0;
        slots.set(layer + param, slot + 1);
        out.push({ type: 'target', method, layer, param, x: target, ty: 2 + 11 * slot, label: `σ_target ${target.toPrecision(2)}` });
      }
    }
  }
  return out;
}

registerChart({
  id: 'param-distributions',
  title: 'Learned parameter distributions',
  description:
    'Densities (kernel estimates) of the learned parameters, one row per encoder layer: GRASP scales γ and shifts β, ' +
    'StochGRASP means μ and standard deviations σ (σ itself, not its stored logarithm). The dashed line in a ' +
    'σ panel marks σ_target; with the noise-aware loss, σ should gather near it.',
  spec(rows) {
    const data = rows.filter((r) => r.kind === 'params' && r.histograms && Object.keys(r.histograms).length > 0);
    if (data.length === 0) return null;
    const vals = values(data);
    const x = { field: 'x', type: 'quantitative', title: 'value', scale: { zero: false } };
    const color = { field: 'method', type: 'nominal', title: 'adapter', sort: methodOrder(data), legend: { orient: 'bottom', direction: 'vertical' } };
    // γ, β and μ panels carry no σ_target marker: they are a facet of their own, next to the σ panels, so
    // no facet cell holds an empty marker layer (vega warns of an infinite extent for each such cell).
    const facet = (part: Record<string, unknown>[], marker: boolean) => ({
      data: { values: part },
      facet: { row: { field: 'layer', type: 'nominal', title: null, header: { labelAngle: 0, labelAlign: 'left' } }, column: { field: 'param', type: 'nominal', title: 'parameter' } },
      resolve: { scale: { x: 'independent', y: 'independent' } },
      spec: {
        width: 200,
        height: 90,
        layer: [
          { transform: [{ filter: "datum.type === 'density'" }], mark: { type: 'line' }, encoding: { x, y: { field: 'density', type: 'quantitative', title: 'density' }, color } },
          ...(marker ? [
            { transform: [{ filter: "datum.type === 'target'" }], mark: { type: 'rule', strokeDash: [4, 3], strokeWidth: 1.5 }, encoding: { x, color } },
            { transform: [{ filter: "datum.type === 'target'" }], mark: { type: 'text', align: 'left', dx: 3, baseline: 'top', fontSize: 9 }, encoding: { x, y: { field: 'ty', type: 'quantitative', scale: null }, text: { field: 'label' }, color } },
          ] : []),
        ],
      },
    });
    const marked = new Set(vals.filter((v) => v.type === 'target').map((v) => `${v.layer}/${v.param}`));
    const withMarker = vals.filter((v) => marked.has(`${v.layer}/${v.param}`));
    const plain = vals.filter((v) => !marked.has(`${v.layer}/${v.param}`));
    const parts = [...(plain.length > 0 ? [facet(plain, false)] : []), ...(withMarker.length > 0 ? [facet(withMarker, true)] : [])];
    const title = { text: 'Learned parameter distributions per layer', subtitle: 'σ panels: σ in weight units, dashed line at σ_target' };
    return baseSpec(title, parts.length === 1 ? parts[0] : { hconcat: parts, resolve: { legend: { color: 'shared' } } });
  },
});
