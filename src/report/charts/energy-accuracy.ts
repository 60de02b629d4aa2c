/**
 * Energy per inference against the task metric: one point per method × hardware condition (profile,
 * t, compensation, periphery sweep cell) with its 95 % CI as a vertical bar (src/results/stats.ts),
 * energy on a log axis (nJ; the estimate of src/crossbar/energy.ts recorded in each hardware row),
 * colour = method, shape = device profile, and a grey step line through the Pareto-optimal points
 * (src/report/energy-points.ts). Tooltips give the condition, latency and area.
 */
import { baseSpec, registerChart, statsOf, methodOrder } from '../chart.js';
import { energyPoints } from '../energy-points.js';

/** Relative x offset between neighbouring methods' points (display only). */
const DODGE = 0.03;

registerChart({
  id: 'energy-accuracy',
  title: 'Energy per inference against accuracy',
  description:
    'Each point is one method on one hardware configuration (device profile, time, compensation and periphery ' +
    'sweep cell): x is the estimated energy per inference (log scale; NeuroSim-style estimate, `grasp-hil device ' +
    'energy` lists its parameters and their sources), y the task metric with its 95 % CI (bootstrap over seeds and ' +
    'examples) as a bar. The grey line joins the Pareto-optimal points: nothing is both cheaper and better. Look ' +
    'for the leftmost point whose bar still reaches the best one.',
  spec(rows) {
    const stats = statsOf(rows);
    const points = energyPoints(rows, stats);
    if (points.length === 0) return null;
    const metricName = points[0].metricName;
    // methods on one configuration often share an energy: each method's points are dodged by a fixed
    // factor (≤ ±DODGE·(M − 1)/2 in log space) so that none hides another; tooltips give the exact value
    const methods = [...new Set(points.map((p) => p.method))];
    const dodge = (m: string) => (1 + DODGE) ** (methods.indexOf(m) - (methods.length - 1) / 2);
    const values = points.map((p) => ({
      method: p.method, profile: p.profile, condition: p.condition, metric: p.metric, lo: p.lo, hi: p.hi,
      energy_nJ: p.energyJ * 1e9,
      x_nJ: p.energyJ * 1e9 * dodge(p.method),
      latency_us: p.latencyS === null ? null : p.latencyS * 1e6,
      area_mm2: p.areaM2 === null ? null : p.areaM2 * 1e6,
      runs: p.runs,
    }));
    // tied points (same energy and metric) are one step of the front
    const front = new Map(points.filter((p) => p.pareto).map((p) => [`${p.energyJ} ${p.metric}`, { energy_nJ: p.energyJ * 1e9, metric: p.metric }]));
    const pareto = [...front.values()].sort((a, b) => a.energy_nJ - b.energy_nJ);
    const hasCi = points.some((p) => p.lo !== null);
    const lows = points.map((p) => p.lo ?? p.metric);
    const yDomain = [Math.max(0, Math.floor(Math.min(...lows) * 10) / 10), 1];
    const xs = values.map((v) => v.x_nJ);
    const xScale = { type: 'log', nice: false, domain: [Math.min(...xs) / 1.25, Math.max(...xs) * 1.25] };
    const x = { field: 'x_nJ', type: 'quantitative', title: 'energy per inference (nJ, estimate)', scale: xScale, axis: { format: '~s' } };
    const y = { field: 'metric', type: 'quantitative', title: metricName, scale: { domain: yDomain, zero: false } };
    const color = { field: 'method', type: 'nominal', title: 'method', sort: methodOrder(rows), legend: { orient: 'bottom', direction: 'vertical', labelLimit: 0 } };
    const tooltip = [
      { field: 'method', type: 'nominal' }, { field: 'profile', type: 'nominal' }, { field: 'condition', type: 'nominal' },
      { field: 'metric', type: 'quantitative', format: '.4f', title: metricName }, { field: 'lo', type: 'quantitative', format: '.4f', title: 'CI low' },
      { field: 'hi', type: 'quantitative', format: '.4f', title: 'CI high' }, { field: 'energy_nJ', type: 'quantitative', format: '.4~s', title: 'energy (nJ)' },
      { field: 'latency_us', type: 'quantitative', format: '.4~s', title: 'latency (µs)' }, { field: 'area_mm2', type: 'quantitative', format: '.4~s', title: 'area (mm²)' },
      { field: 'runs', type: 'quantitative' },
    ];
    const layer: Record<string, unknown>[] = [
      { data: { values: pareto }, mark: { type: 'line', interpolate: 'step-after', color: '#999', strokeDash: [4, 3] }, encoding: { x: { ...x, field: 'energy_nJ' }, y } },
      ...(hasCi ? [{ mark: { type: 'rule', strokeWidth: 1.5, opacity: 0.6 }, encoding: { x, y: { field: 'lo', type: 'quantitative', scale: y.scale, title: metricName }, y2: { field: 'hi' }, color } }] : []),
      { mark: { type: 'point', filled: true, size: 60, opacity: 0.85 }, encoding: { x, y, color, shape: { field: 'profile', type: 'nominal', title: 'device profile', legend: { orient: 'bottom', direction: 'vertical' } }, tooltip } },
    ];
    const spread = methods.length > 1 ? [`methods at one energy are drawn up to ±${Math.round(((1 + DODGE) ** ((methods.length - 1) / 2) - 1) * 100)} % apart so that none hides another`] : [];
    const subtitle = hasCi
      ? [`bars: ${Math.round(stats.level * 100)} % CIs over seeds and examples; dashed: Pareto front (cheaper and better)`, ...spread]
      : ['no CIs: these rows carry no per-example predictions', 'dashed: Pareto front (cheaper and better)', ...spread];
    return baseSpec({ text: `Energy per inference vs ${metricName}`, subtitle }, { width: 480, height: 320, data: { values }, layer });
  },
});
