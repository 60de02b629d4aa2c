/**
 * What the charts must show (checked on their Vega-Lite specs; build.test.ts and browser.test.ts render them):
 * CI bands and a Δ panel with a zero line, chance and digital reference lines, σ / weight-std axis, no
 * y-axis zoom, time axes in 1 min / 1 h / 1 day / 30 days, a stroke-dash legend, σ = softplus(ρ) with a
 * σ_target marker per layer, legends that never truncate.
 */
import { describe, expect, it } from 'vitest';
import { charts, renderSvg } from '../../src/report/index.js';
import { timeLabel } from '../../src/report/chart.js';
import { kde, layerOf } from '../../src/report/charts/param-distributions.js';
import { syntheticRows } from './fixture-rows.js';

type Spec = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const chart = (id: string) => charts().find((c) => c.id === id)!;
const layersOf = (s: Spec): any[] => // eslint-disable-line @typescript-eslint/no-explicit-any
  (s.layer ?? []).flatMap((l: Spec) => (l.layer ? layersOf(l) : [l]));

describe('charts', () => {
  const rows = syntheticRows();

  it('robustness: CI band, chance (majority class) and digital lines, σ/std axis, Δ panel with CI band and zero line, axis 0/chance → 1', () => {
    const spec = chart('robustness').spec(rows) as Spec;
    const [top, bottom] = spec.vconcat as Spec[];
    const layers = layersOf(top);
    const band = layers.find((l) => l.mark.type === 'area');
    expect(band.encoding.y.field).toBe('lo');
    expect(band.encoding.y2.field).toBe('hi');
    const stoch = top.data.values.find((v: Spec) => v.method.startsWith('StochGRASP') && v.sigma === 0.05);
    expect(stoch.lo).toBeLessThan(stoch.metric);
    expect(stoch.hi).toBeGreaterThan(stoch.metric);
    const chance = layers.find((l) => l.mark.type === 'rule' && l.data?.values?.[0]?.chance !== undefined);
    expect(chance.data.values[0].chance).toBeCloseTo(0.4, 12); // 40 % of the labels are class 0
    const digital = layers.find((l) => l.mark.type === 'rule' && l.data?.values?.[0]?.metric !== undefined);
    expect(digital.data.values.length).toBe(3);
    const line = layers.find((l) => l.mark.type === 'line');
    expect(line.encoding.y.scale.domain.map((v: number) => +v.toFixed(12))).toEqual([0.3, 1]); // the 0.1 step below chance
    const rel = layers.find((l) => l.encoding?.x?.field === 'rel');
    expect(rel.encoding.x.axis.orient).toBe('top');
    expect(rel.data.values[1].rel).toBeCloseTo(0.05 / 0.025, 12);
    const dLayers = layersOf(bottom);
    expect(dLayers.some((l) => l.mark.type === 'area' && l.encoding.y.field === 'lo')).toBe(true);
    expect(dLayers.some((l) => l.mark.type === 'rule' && l.data?.values?.[0]?.zero === 0)).toBe(true);
    const dDomain = dLayers.find((l) => l.mark.type === 'line').encoding.y.scale.domain;
    expect(dDomain[0]).toBe(-dDomain[1]);
    expect(dDomain[1]).toBeGreaterThanOrEqual(0.05);
    expect(spec.config.legend.labelLimit).toBe(0);
  });

  it('method colours and legends follow the experiment (row) order, not the alphabet, in every chart that colours by method', () => {
    const planOrder = ['GRASP K=32 (deterministic)', 'StochGRASP K=32 with the noise-aware loss', 'GRASP-weight K=32'];
    for (const id of ['robustness', 'drift', 'params-vs-k']) {
      const sorts: unknown[] = [];
      const walk = (v: unknown): void => {
        if (Array.isArray(v)) v.forEach(walk);
        else if (v && typeof v === 'object') {
          const o = v as Spec;
          if (o.field === 'method' && o.sort) sorts.push(o.sort);
          Object.values(o).forEach(walk);
        }
      };
      walk(chart(id).spec(rows));
      expect(sorts.length, id).toBeGreaterThan(0);
      for (const sort of sorts) expect(sort, id).toEqual(planOrder);
    }
  });

  it('robustness without predictions: lines, no bands, a subtitle saying why', () => {
    const spec = chart('robustness').spec(syntheticRows({ predictions: false })) as Spec;
    expect(spec.title.subtitle.join(" ")).toMatch(/no CIs: these rows carry no per-example predictions/);
    expect(layersOf(spec).some((l) => l.mark.type === 'area')).toBe(false);
  });

  it('drift: time axis labelled ≤ 1 s / 1 min / 1 h / 1 day / 30 days, stroke-dash legend for compensation, CI bands, Δ row', () => {
    const spec = chart('drift').spec(rows) as Spec;
    const top = spec.vconcat[0].spec;
    const line = top.layer.find((l: Spec) => l.mark.type === 'line');
    expect(line.encoding.x.axis.values).toEqual([1, 60, 3600, 86400, 2592000]);
    expect(line.encoding.x.axis.labelExpr).toBe("datum.value === 1 ? '≤ 1 s' : datum.value === 60 ? '1 min' : datum.value === 3600 ? '1 h' : datum.value === 86400 ? '1 day' : datum.value === 2592000 ? '30 days' : ''");
    expect(line.encoding.strokeDash).toMatchObject({ field: 'compensation', title: 'drift compensation', legend: { symbolType: 'stroke' } });
    expect(top.layer.some((l: Spec) => l.mark.type === 'area')).toBe(true);
    expect(spec.vconcat[1].spec.layer.some((l: Spec) => l.mark.type === 'rule' && l.encoding.y.datum === 0)).toBe(true);
    expect([timeLabel(60), timeLabel(3600), timeLabel(86400), timeLabel(2592000), timeLabel(90)]).toEqual(['1 min', '1 h', '1 day', '30 days', '1.5 min']);
  });

  it('drift at a single time: compensation modes on x, methods side by side, CI error bars, no lines', () => {
    const ts = [...new Set(rows.filter((r) => r.kind === 'hardware').map((r) => r.t))];
    const one = rows.filter((r) => r.kind !== 'hardware' || r.t === ts[ts.length - 1]);
    const spec = chart('drift').spec(one) as Spec;
    for (const part of spec.vconcat as Spec[]) {
      const layers = part.spec.layer as Spec[];
      expect(layers.some((l) => l.mark.type === 'line' || l.mark.type === 'area')).toBe(false);
      const bar = layers.find((l) => l.mark.type === 'rule' && l.encoding.y2)!;
      expect(bar.encoding.x.field).toBe('compensation');
      expect(bar.encoding.xOffset.field).toBe('method');
      expect(bar.encoding.y.field).toBe('lo');
    }
    expect(spec.vconcat[0].spec.layer[0].encoding.x.title).toContain(timeLabel(ts[ts.length - 1] as number));
  });

  it('parameter distributions: σ (softplus of a stored ρ) per layer, with a σ_target marker', () => {
    const spec = chart('param-distributions').spec(rows) as Spec;
    const parts = spec.hconcat as Spec[];
    const values = parts.flatMap((p) => p.data.values) as Spec[];
    const sigma = values.filter((v) => v.type === 'density' && v.param === 'σ' && v.layer === 'layer 0');
    expect(sigma.length).toBeGreaterThan(0);
    // ρ ∈ [−6, −3] → σ ∈ [softplus(−6), softplus(−3)] = [0.00247, 0.0486]; plotting ρ itself would peak near −4.6.
    const peak = sigma.reduce((a, b) => (b.density > a.density ? b : a));
    expect(peak.x).toBeGreaterThan(0.0025);
    expect(peak.x).toBeLessThan(0.0486);
    expect(Math.min(...sigma.map((v) => v.x))).toBeGreaterThanOrEqual(0); // σ ≥ 0: the grid starts at 0
    expect(Math.max(...sigma.map((v) => v.x))).toBeLessThan(0.1);
    expect(values.filter((v) => v.type === 'target').map((v) => [v.layer, v.x])).toEqual([['layer 0', 0.012], ['layer 1', 0.012]]);
    expect(new Set(values.map((v) => v.layer))).toEqual(new Set(['layer 0', 'layer 1']));
    for (const p of parts) expect(p.facet.row.field).toBe('layer');
    // The σ_target marker layers sit only in the facet of the σ panels; γ/β/μ panels have none.
    const marked = parts.filter((p) => p.spec.layer.some((l: Spec) => l.mark.type === 'rule'));
    expect(marked.length).toBe(1);
    expect(new Set(marked[0].data.values.map((v: Spec) => v.param))).toEqual(new Set(['σ']));
    expect(layerOf('roberta.encoder.layer.11.output.dense')).toBe('layer 11');
    expect(layerOf('classifier.dense')).toBe('classifier.dense');
  });

  it("parameter distributions pool a method's training seeds into one density per layer and parameter", () => {
    const params = rows.filter((r) => r.kind === 'params');
    const seeded = [...params, ...params.map((r) => ({ ...r, seeds: { train: 1 } }))];
    const spec = chart('param-distributions').spec(seeded) as Spec;
    const values = (spec.hconcat as Spec[]).flatMap((p) => p.data.values) as Spec[];
    const series = new Map<string, number[]>();
    for (const v of values.filter((x) => x.type === 'density')) {
      const k = JSON.stringify([v.method, v.layer, v.param]);
      series.set(k, [...(series.get(k) ?? []), v.x]);
    }
    for (const xs of series.values()) {
      expect(xs.length).toBe(80); // one grid, not one per seed
      for (let i = 1; i < xs.length; i++) expect(xs[i]).toBeGreaterThan(xs[i - 1]);
    }
    expect(values.filter((v) => v.type === 'target').length).toBe(2); // one marker per layer, not per seed
  });

  it('parameter distributions render without vega warnings (no facet cell with an empty marker layer)', async () => {
    const warnings: string[] = [];
    await renderSvg(chart('param-distributions').spec(rows) as Spec, 'param-distributions', (line) => warnings.push(line));
    expect(warnings).toEqual([]);
  });

  it('the density estimate integrates to 1', () => {
    const d = kde({ centres: [0, 1, 2], weights: [1, 2, 1], lo: -0.5, hi: 2.5, minWidth: 1 }, 400);
    const dx = d[1].x - d[0].x;
    expect(d.reduce((s, p) => s + p.density * dx, 0)).toBeCloseTo(1, 2);
  });
});
