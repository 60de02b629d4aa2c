/**
 * The co-design chart with calibrated ranges: metric against ADC bits per tile size, one colour per
 * range setting with its 95 % CI, clip rates below; nothing to draw when the range setting never varies.
 */
import { describe, expect, it } from 'vitest';
import { charts, summarise } from '../../src/report/index.js';
import { summaryCsv, summaryMarkdown } from '../../src/report/summary.js';
import { calibrationLabel } from '../../src/report/charts/codesign-calibration.js';
import type { ResultRow } from '../../src/results/index.js';
import { Rng } from '../../src/tensor/rng.js';

type Spec = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const chart = charts().find((c) => c.id === 'codesign-calibration')!;
const N = 100;
const labels = Array.from({ length: N }, (_, i) => i % 4);

/** Hardware rows of a bits × rows × {fixed, calibrated} sweep on 2 chips; calibration helps at 4 bits. */
function rows(calibrations: (Record<string, unknown> | null)[]): ResultRow[] {
  const out: ResultRow[] = [];
  for (const bits of [4, 6, 8]) for (const tileRows of [128, 512]) for (const calibration of calibrations) for (const chip of [0, 1]) {
    const p = calibration ? 0.7 : bits === 4 ? 0.4 : 0.68;
    const rng = new Rng(chip, 'examples');
    const predictions = labels.map((y) => (rng.uniform() < p ? y : (y + 1) % 4));
    out.push({
      key: `sweep/${bits}/${tileRows}/${JSON.stringify(calibration)}/${chip}`, kind: 'hardware', experiment: 'c', experimentHash: 'h', method: 'stochgrasp', entryId: 'stochgrasp', methodLabel: 'StochGRASP',
      task: 'brown-genre', profile: 'pcm-aihwkit', t: 86400, compensation: true, metricName: 'accuracy', metric: predictions.filter((v, i) => v === labels[i]).length / N, predictions, labels,
      periphery: { tile: { rows: tileRows }, adc: { bits, bound: 12 }, calibration }, sweep: { 'adc.bits': bits, 'tile.rows': tileRows, calibration },
      clipRates: { dac: calibration ? 1e-4 : null, adc: calibration ? 1e-3 : 0, perSite: {} }, energy: { totalJ: 1e-9 * bits }, seeds: { train: 0, chip, read: 0 },
    });
  }
  return out;
}

describe('codesign-calibration chart', () => {
  it('plots the metric with its CI against ADC bits, per tile size and range setting, and the ADC clip rate below', () => {
    const spec = chart.spec(rows([null, { dacPercentile: null, adcPercentile: 99.99 }])) as Spec;
    expect(spec).not.toBeNull();
    const [top, bottom] = spec.vconcat as Spec[];
    const values = top.data.values as Spec[];
    expect(values).toHaveLength(3 * 2 * 2);
    expect(new Set(values.map((v) => v.calibration))).toEqual(new Set(['fixed bound (±12)', 'ADC p99.99']));
    expect(new Set(values.map((v) => v.rows))).toEqual(new Set(['128 rows per tile', '512 rows per tile']));
    for (const v of values) {
      expect(v.lo).toBeLessThanOrEqual(v.metric);
      expect(v.hi).toBeGreaterThanOrEqual(v.metric);
      expect(v.adcClip).toBe(v.calibration === 'fixed bound (±12)' ? 0 : 1e-3);
    }
    const at4 = (c: string) => values.find((v) => v.bits === 4 && v.rows === '128 rows per tile' && v.calibration === c)!;
    expect(at4('ADC p99.99').lo).toBeGreaterThan(at4('fixed bound (±12)').hi); // 0.7 vs 0.4 on 2 × 100 examples: CIs apart
    expect(top.facet).toMatchObject({ field: 'panel', sort: ['128 rows per tile', '512 rows per tile'] });
    expect(top.columns).toBe(2);
    expect(top.spec.layer[0].encoding.color.sort).toEqual(['fixed bound (±12)', 'ADC p99.99']);
    expect(top.spec.layer.map((l: Spec) => l.mark.type)).toEqual(['point', 'rule', 'rule']);
    expect(bottom.spec.encoding.y.field).toBe('adcClip');
  });

  it('names each range setting, and has nothing to draw when it does not vary', () => {
    expect(calibrationLabel(null, 12)).toBe('fixed bound (±12)');
    expect(calibrationLabel({}, 12)).toBe('DAC p99.99 + ADC p99.99');
    expect(calibrationLabel({ dacPercentile: 99.9, adcPercentile: null, per: 'layer' }, 12)).toBe('DAC p99.9 (per layer)');
    expect(chart.spec(rows([null]))).toBeNull();
  });

  it('puts the clip rates in the summary: mean DAC and ADC rates per hardware line', () => {
    const s = summarise(rows([null, { adcPercentile: 99 }]));
    const line = (c: string) => s.lines.find((l) => l.condition.includes('adc.bits=4') && l.condition.includes(`calibration=${c}`))!;
    expect(line('null')).toMatchObject({ dacClip: null, adcClip: 0 });
    expect(line('{adcPercentile:99}')).toMatchObject({ dacClip: 1e-4, adcClip: 1e-3 });
    expect(summaryMarkdown(s)).toContain('| clipped DAC / ADC |');
    expect(summaryMarkdown(s)).toContain('| 0.010 % / 0.10 % |');
    expect(summaryCsv(s).split('\n')[0].endsWith(',dac_clip,adc_clip')).toBe(true);
  });
});
