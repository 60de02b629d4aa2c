/**
 * Per device profile: metric vs time after programming (log axis labelled 1 min / 1 h / 1 day / 30 days),
 * one line per drift compensation mode (stroke dash, with its own legend: global solid, none dashed;
 * rows stored with true/false read as global/none), one panel row per noise-scale point when the
 * experiment sweeps `evaluation.hardware.scales`, each point the mean over runs
 * with its 95 % CI band (src/results/stats.ts), and a chance line; below, each method's paired Δ from the
 * baseline (`compareTo`) with its CI band and a zero line. t = 0 is drawn at 1 s ("≤ 1 s"). The metric
 * axis runs from 0 (or chance) to 1; the Δ axis is at least ±5 points.
 * With a single time there is no line to draw: x is then the compensation mode, the methods sit side by
 * side (xOffset), and each point has its CI as an error bar.
 */
import { scalesLabel, type ResultRow } from '../../results/index.js';
import { baseSpec, deltaDomain, metricDomain, registerChart, statsOf, timeAxis, timeLabel, methodOrder } from '../chart.js';

/** Compensation modes in legend order, each with its stroke dash. */
const DASHES: [string, number[]][] = [['global', [1, 0]], ['none', [6, 4]], ['global-exact', [2, 2]], ['column', [8, 3, 2, 3]], ['column-exact', [1, 3]]];
const compLabel = (c: string | null) => c ?? 'none';
const scaleOf = (s: Record<string, number> | null) => scalesLabel(s) ?? 'profile as is';

/** The stroke-dash encoding over the modes present (known modes first, in DASHES order). */
function strokeDashOf(modes: string[]) {
  const present = [...new Set(modes)];
  const domain = [...DASHES.map(([m]) => m).filter((m) => present.includes(m)), ...present.filter((m) => !DASHES.some(([d]) => d === m))];
  const range = domain.map((m) => DASHES.find(([d]) => d === m)?.[1] ?? [4, 2]);
  return { field: 'compensation', type: 'nominal', title: 'drift compensation', sort: domain, scale: { domain, range }, legend: { orient: 'bottom', direction: 'vertical', symbolType: 'stroke', symbolStrokeWidth: 2, symbolSize: 300, encode: { symbols: { update: { stroke: { value: '#333' } } } } } };
}

registerChart({
  id: 'drift',
  title: 'Accuracy over time after programming',
  description:
    'One panel per device profile. x is the time since the chip was programmed (log scale), y the task ' +
    'metric of the model running on the simulated crossbar. The line dash is the drift compensation mode ' +
    '(solid: global, dashed: none); with a noise-scale sweep, each panel row is one scale point; bands are 95 % CIs over seeds and examples; grey dashes mark chance (majority ' +
    'class). The lower row shows each method minus the baseline, paired on the same chips and examples.',
  spec(rows: ResultRow[]) {
    const stats = statsOf(rows);
    const est = stats.estimates.filter((e) => e.condition.kind === 'hardware' && typeof e.condition.t === 'number' && e.condition.sweep === null);
    if (est.length === 0) return null;
    const metricName = est[0].metricName;
    const at = (t: number) => Math.max(t, 1);
    const values = est.map((e) => ({ profile: e.condition.profile, method: e.label, t: at(e.condition.t as number), compensation: compLabel(e.condition.compensation), scales: scaleOf(e.condition.scales), metric: e.estimate, lo: e.ci?.[0] ?? null, hi: e.ci?.[1] ?? null }));
    const hasCi = est.some((e) => e.ci !== null);
    const chances = est.map((e) => e.chance).filter((c): c is number => c !== null);
    const chance = chances.length ? chances.reduce((a, b) => a + b, 0) / chances.length : null;
    const ts = values.map((v) => v.t);
    const [tMin, tMax] = [Math.min(...ts), Math.max(...ts)];
    const x = { field: 't', type: 'quantitative', scale: { type: 'log', domain: [tMin, tMax], nice: false }, axis: timeAxis(tMin, tMax, 'time after programming') };
    const single = tMin === tMax;
    const strokeDash = strokeDashOf(values.map((v) => v.compensation));
    const xOne = { field: 'compensation', type: 'nominal', sort: strokeDash.sort, title: `drift compensation, ${timeLabel(tMin)} after programming`, axis: { labelAngle: 0 } };
    const xOffset = { field: 'method', type: 'nominal' };
    const color = { field: 'method', type: 'nominal', title: 'method', sort: methodOrder(rows), legend: { orient: 'bottom', direction: 'vertical' } };
    const quiet = color;
    const scaleRows = new Set(values.map((v) => v.scales)).size > 1;
    const facetOf = (title: string) => ({ column: { field: 'profile', type: 'nominal', title }, ...(scaleRows ? { row: { field: 'scales', type: 'nominal', title: 'noise scales' } } : {}) });
    const yScale = { domain: metricDomain(chance, Math.min(...values.map((v) => v.lo ?? v.metric))) };
    const subtitle = hasCi ? `${single ? 'error bars' : 'bands'}: ${Math.round(stats.level * 100)} % CIs over seeds and examples` : ['no CIs: these rows carry no per-example predictions', '(rerun the experiment to record them)'];
    const top = {
      data: { values },
      facet: facetOf('device profile'),
      spec: {
        width: 320,
        height: 220,
        layer: [
          ...(single ? [
            { mark: { type: 'point', filled: true, size: 50 }, encoding: { x: xOne, xOffset, y: { field: 'metric', type: 'quantitative', title: metricName, scale: yScale }, color } },
            ...(hasCi ? [{ mark: { type: 'rule', strokeWidth: 2 }, encoding: { x: xOne, xOffset, y: { field: 'lo', type: 'quantitative', scale: yScale }, y2: { field: 'hi' }, color } }] : []),
          ] : [
            { mark: { type: 'line', point: true }, encoding: { x, y: { field: 'metric', type: 'quantitative', title: metricName, scale: yScale }, color, strokeDash } },
            ...(hasCi ? [{ mark: { type: 'area', opacity: 0.15 }, encoding: { x, y: { field: 'lo', type: 'quantitative', scale: yScale }, y2: { field: 'hi' }, color: quiet, detail: { field: 'compensation' } } }] : []),
          ]) as object[],
          ...(chance !== null ? [{ mark: { type: 'rule', color: '#888', strokeDash: [6, 4] }, encoding: { y: { datum: chance, type: 'quantitative' } } }] : []),
        ],
      },
    };
    const cmp = stats.comparisons.filter((c) => c.condition.kind === 'hardware' && typeof c.condition.t === 'number' && c.condition.sweep === null && c.ci !== null);
    if (cmp.length === 0) return baseSpec({ text: `${metricName} vs time after programming`, subtitle }, top);
    const dValues = cmp.map((c) => ({ profile: c.condition.profile, method: c.label, t: at(c.condition.t as number), compensation: compLabel(c.condition.compensation), scales: scaleOf(c.condition.scales), delta: c.delta, lo: (c.ci as [number, number])[0], hi: (c.ci as [number, number])[1] }));
    const dScale = { domain: deltaDomain(dValues.flatMap((v) => [v.lo, v.hi])) };
    const bottom = {
      data: { values: dValues },
      facet: facetOf(`difference from the baseline, ${cmp[0].baselineLabel} (paired, ${Math.round(stats.level * 100)} % CI)`),
      spec: {
        width: 320,
        height: 150,
        layer: [
          ...(single ? [
            { mark: { type: 'point', filled: true, size: 50 }, encoding: { x: xOne, xOffset, y: { field: 'delta', type: 'quantitative', title: `Δ ${metricName}`, scale: dScale }, color } },
            { mark: { type: 'rule', strokeWidth: 2 }, encoding: { x: xOne, xOffset, y: { field: 'lo', type: 'quantitative', scale: dScale }, y2: { field: 'hi' }, color } },
          ] : [
            { mark: { type: 'line', point: true }, encoding: { x, y: { field: 'delta', type: 'quantitative', title: `Δ ${metricName}`, scale: dScale }, color, strokeDash } },
            { mark: { type: 'area', opacity: 0.15 }, encoding: { x, y: { field: 'lo', type: 'quantitative', scale: dScale }, y2: { field: 'hi' }, color: quiet, detail: { field: 'compensation' } } },
          ]) as object[],
          { mark: { type: 'rule', color: '#333' }, encoding: { y: { datum: 0, type: 'quantitative' } } },
        ],
      },
    };
    return baseSpec({ text: `${metricName} vs time after programming`, subtitle }, { vconcat: [top, bottom], spacing: 20 });
  },
});
