/**
 * The energy-accuracy chart: one point per method × hardware condition with energy, CI bars from the
 * paired statistics, the Pareto front, and a spec that renders to SVG and PNG; summary.md's energy line.
 * (browser.test.ts renders it in Chromium with every other chart.)
 */
import { describe, expect, it } from 'vitest';
import { charts, renderSvg, svgToPng, summarise } from '../../src/report/index.js';
import { summaryMarkdown } from '../../src/report/summary.js';
import { statsOf } from '../../src/report/chart.js';
import { energyPoints, markPareto } from '../../src/report/energy-points.js';
import type { ResultRow } from '../../src/results/index.js';
import { syntheticRows } from './fixture-rows.js';

type Spec = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const chart = () => charts().find((c) => c.id === 'energy-accuracy')!;

describe('energy-accuracy chart', () => {
  // The fixture's (adc, dac) energy sweep; its calibrated-range sweep (keys cal/…) belongs to the codesign-calibration chart's tests.
  const rows = syntheticRows().filter((r) => !r.key.startsWith('cal/'));

  it('has one point per method and hardware condition with energy, a CI bar each, and the Pareto front', () => {
    const spec = chart().spec(rows) as Spec;
    // the fixture's co-design sweep: 3 methods × 3 ADC bits × 2 DAC bits carry energy; the drift rows do not
    expect(spec.data.values).toHaveLength(18);
    const p = spec.data.values.find((v: Spec) => v.method.startsWith('StochGRASP') && v.condition.includes('adcBits=8 dacBits=8'));
    expect(p.energy_nJ).toBeCloseTo(16, 9); // (adc + dac) · 1e-9 J
    expect(p.lo).toBeLessThan(p.metric);
    expect(p.hi).toBeGreaterThan(p.metric);
    const bar = spec.layer.find((l: Spec) => l.mark.type === 'rule');
    expect([bar.encoding.y.field, bar.encoding.y2.field]).toEqual(['lo', 'hi']);
    const point = spec.layer.find((l: Spec) => l.mark.type === 'point');
    expect(point.encoding.x.scale.type).toBe('log');
    expect(point.encoding.shape.field).toBe('profile');
    // every method's metric rises with both bit widths here, so the front runs from the cheapest to the best cell
    const front = spec.layer.find((l: Spec) => l.mark.type === 'line').data.values;
    expect(front[0].energy_nJ).toBeCloseTo(8, 9);
    expect(front.at(-1).metric).toBeCloseTo(Math.max(...spec.data.values.map((v: Spec) => v.metric)), 12);
    for (let i = 1; i < front.length; i++) {
      expect(front[i].energy_nJ).toBeGreaterThan(front[i - 1].energy_nJ);
      expect(front[i].metric).toBeGreaterThan(front[i - 1].metric);
    }
  });

  it('marks exactly the points nothing beats on both axes as Pareto-optimal', () => {
    const pts = energyPoints(rows, statsOf(rows));
    for (const p of pts) {
      const dominated = pts.some((q) => q.energyJ <= p.energyJ && q.metric >= p.metric && (q.energyJ < p.energyJ || q.metric > p.metric));
      expect(p.pareto).toBe(!dominated);
    }
    expect(pts.some((p) => p.pareto) && pts.some((p) => !p.pareto)).toBe(true);
    // by hand: equal metric at more energy, or less metric at equal energy, is dominated; ties are not
    const hand = markPareto([[1, 0.8], [2, 0.8], [1, 0.7], [3, 0.9], [1, 0.8], [0.5, 0.6]].map(([energyJ, metric]) => ({ energyJ, metric, pareto: false })));
    expect(hand.map((p) => p.pareto)).toEqual([true, false, false, true, true, true]);
  });

  it('draws nothing without energy, and renders to SVG and PNG', async () => {
    const none: ResultRow[] = rows.map((r) => ({ ...r, energy: undefined }));
    expect(chart().spec(none)).toBeNull();
    const svg = await renderSvg(chart().spec(rows) as Spec, 'energy-accuracy');
    expect(svg).toMatch(/^<svg/);
    expect(svg).toContain('energy per inference (nJ, estimate)');
    expect(svgToPng(svg).subarray(1, 4).toString()).toBe('PNG');
  }, 60_000);

  it("summary.md names the energy range and the cheapest point within the best one's CI", () => {
    const md = summaryMarkdown(summarise(rows));
    expect(md).toMatch(/- Energy per inference \(an estimate; `grasp-hil device energy` lists its parameters and sources\): 8 nJ to 16 nJ over the hardware conditions\. Best accuracy: .* 16 nJ; cheapest within the best one's CI: .* nJ\. Chart: energy-accuracy\./);
  });
});
