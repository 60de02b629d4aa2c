/**
 * The paper's Fig. 6 with its uncertainty: metric vs injected weight-noise σ, one line per method, each
 * point the mean over runs with its 95 % CI band (src/results/stats.ts: two-level bootstrap over seeds and
 * examples), reference lines for chance (majority class) and each method's digital (σ = 0) metric; below
 * it, each method's paired difference Δ from the baseline (`compareTo`) with its CI band and a zero line.
 * A second σ axis (top) gives σ as a fraction of the adapted weights' standard deviation when the rows
 * carry `weightStd`. The metric axis runs from 0 (or chance) to 1; the Δ axis is at least ±5 points.
 */
import type { MethodEstimate, ResultRow } from '../../results/index.js';
import { baseSpec, deltaDomain, metricDomain, registerChart, statsOf, methodOrder } from '../chart.js';

const WIDTH = 480;

function mean(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

registerChart({
  id: 'robustness',
  title: 'Robustness to injected weight noise',
  description:
    'Top: each line is one method; y is the task metric after adding N(0, σ²) to every adapted Site\'s deployed ' +
    'weights (StochGRASP deploys its means). Bands are 95 % CIs (bootstrap over seeds and examples). Grey dashes: ' +
    'chance (always the majority class); dotted lines: each method\'s digital (σ = 0) metric. Bottom: each method ' +
    'minus the baseline, paired on the same seeds and examples, with its 95 % CI; where the band covers the zero ' +
    'line, the experiment cannot tell the two apart.',
  spec(rows: ResultRow[]) {
    const stats = statsOf(rows);
    const est = stats.estimates.filter((e) => e.condition.kind === 'noise' && typeof e.condition.noiseSigma === 'number');
    if (est.length === 0) return null;
    const metricName = est[0].metricName;
    const point = (e: MethodEstimate) => ({ method: e.label, sigma: e.condition.noiseSigma, metric: e.estimate, lo: e.ci?.[0] ?? null, hi: e.ci?.[1] ?? null });
    const values = est.map(point);
    const hasCi = est.some((e) => e.ci !== null);
    const chances = est.map((e) => e.chance).filter((c): c is number => c !== null);
    const chance = chances.length ? mean(chances) : null;
    const lowest = Math.min(...values.map((v) => v.lo ?? v.metric));
    const maxSigma = Math.max(...values.map((v) => v.sigma as number));
    const weightStds = est.map((e) => e.weightStd).filter((w): w is number => w !== null && w > 0);
    const weightStd = weightStds.length ? mean(weightStds) : null;

    const xScale = { domain: [0, maxSigma], nice: false, zero: true };
    const x = { field: 'sigma', type: 'quantitative', title: 'injected σ (weight units)', scale: xScale };
    const color = { field: 'method', type: 'nominal', title: 'method', sort: methodOrder(rows), legend: { orient: 'bottom', direction: 'vertical', labelLimit: 0 } };
    const y = { field: 'metric', type: 'quantitative', title: metricName, scale: { domain: metricDomain(chance, lowest) } };
    const digital = est.filter((e) => e.condition.noiseSigma === 0).map((e) => ({ method: e.label, metric: e.estimate }));

    const quiet = color;
    const main: Record<string, unknown>[] = [
      { mark: { type: 'line', point: true }, encoding: { x, y, color } },
      ...(hasCi ? [{ mark: { type: 'area', opacity: 0.18 }, encoding: { x, y: { field: 'lo', type: 'quantitative', scale: y.scale, title: metricName }, y2: { field: 'hi' }, color: quiet } }] : []),
      ...(digital.length
        ? [
            { data: { values: digital }, mark: { type: 'rule', strokeDash: [2, 3], opacity: 0.7 }, encoding: { y: { field: 'metric', type: 'quantitative' }, color: quiet } },
            { data: { values: [{ metric: Math.max(...digital.map((d) => d.metric)), text: 'digital (σ = 0)' }] }, mark: { type: 'text', align: 'right', dy: -6, color: '#666', fontSize: 10 }, encoding: { x: { datum: maxSigma, type: 'quantitative', scale: xScale }, y: { field: 'metric', type: 'quantitative' }, text: { field: 'text' } } },
          ]
        : []),
      ...(chance !== null
        ? [
            { data: { values: [{ chance }] }, mark: { type: 'rule', color: '#888', strokeDash: [6, 4] }, encoding: { y: { field: 'chance', type: 'quantitative' } } },
            { data: { values: [{ chance, text: `chance (majority class) ${chance.toFixed(3)}` }] }, mark: { type: 'text', align: 'left', dx: 4, dy: -6, color: '#666', fontSize: 10 }, encoding: { x: { datum: 0, type: 'quantitative', scale: xScale }, y: { field: 'chance', type: 'quantitative' }, text: { field: 'text' } } },
          ]
        : []),
    ];
    // The σ / weight-std axis: an invisible layer on its own x scale (top), aligned with σ's by equal domains.
    const top: Record<string, unknown>[] = weightStd === null
      ? main
      : [
          { layer: main },
          {
            data: { values: [{ rel: 0 }, { rel: maxSigma / weightStd }] },
            mark: { type: 'point', opacity: 0 },
            encoding: {
              x: { field: 'rel', type: 'quantitative', scale: { domain: [0, maxSigma / weightStd], nice: false, zero: true }, axis: { orient: 'top', title: `σ / std of the adapted weights (std ≈ ${weightStd.toPrecision(3)})`, format: '.2~f' } },
              y: { datum: (y.scale.domain as number[])[0], type: 'quantitative' },
            },
          },
        ];
    const subtitle = hasCi
      ? `bands: ${Math.round(stats.level * 100)} % CIs over seeds and examples`
      : ['no CIs: these rows carry no per-example predictions', '(rerun the experiment to record them)'];
    const topSpec = { width: WIDTH, height: 300, data: { values }, layer: top, ...(weightStd !== null ? { resolve: { scale: { x: 'independent' } } } : {}) };

    const cmp = stats.comparisons.filter((c) => c.condition.kind === 'noise' && c.ci !== null);
    if (cmp.length === 0) return baseSpec({ text: `Robustness: ${metricName} vs injected σ`, subtitle }, topSpec);
    const dValues = cmp.map((c) => ({ method: c.label, sigma: c.condition.noiseSigma, delta: c.delta, lo: (c.ci as [number, number])[0], hi: (c.ci as [number, number])[1] }));
    const dy = { field: 'delta', type: 'quantitative', title: `Δ ${metricName}`, scale: { domain: deltaDomain(dValues.flatMap((v) => [v.lo, v.hi])) } };
    const bottom = {
      title: { text: `Difference from the baseline, ${cmp[0].baselineLabel} (paired, ${Math.round(stats.level * 100)} % CI)`, fontSize: 12, fontWeight: 'normal', anchor: 'start' },
      width: WIDTH,
      height: 170,
      data: { values: dValues },
      layer: [
        { mark: { type: 'line', point: true }, encoding: { x, y: dy, color } },
        { mark: { type: 'area', opacity: 0.18 }, encoding: { x, y: { field: 'lo', type: 'quantitative', scale: dy.scale, title: dy.title }, y2: { field: 'hi' }, color: quiet } },
        { data: { values: [{ zero: 0 }] }, mark: { type: 'rule', color: '#333' }, encoding: { y: { field: 'zero', type: 'quantitative' } } },
      ],
    };
    return baseSpec({ text: `Robustness: ${metricName} vs injected σ`, subtitle }, { vconcat: [topSpec, bottom], spacing: 24 });
  },
});
