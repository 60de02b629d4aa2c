/** The paper's Fig. 3b: metric vs trainable parameters across group counts K. */
import { baseSpec, metricDomain, registerChart, statsOf, methodOrder } from '../chart.js';

registerChart({
  id: 'params-vs-k',
  title: 'Metric vs trainable parameters',
  description:
    'Noise-free metric of each trained adapter against its trainable parameter count (log scale, task head ' +
    'excluded). Points of one method differ in K (groups) or rank; labels give K. Up and to the left is better. ' +
    'The metric axis runs from 0 (or chance) to 1.',
  spec(rows) {
    const data = rows.filter((r) => r.kind === 'noise' && r.noiseSigma === 0 && typeof r.metric === 'number' && typeof r.trainableParams === 'number');
    if (data.length === 0) return null;
    const metricName = data[0].metricName ?? 'metric';
    const values = data.map((r) => ({
      method: r.methodLabel ?? r.method,
      params: r.trainableParams,
      metric: r.metric,
      k: (r.methodOptions?.k as number | undefined) ?? (r.methodOptions?.rank as number | undefined) ?? null,
    }));
    const chances = statsOf(rows).estimates.map((e) => e.chance).filter((c): c is number => c !== null);
    const chance = chances.length ? chances.reduce((a, b) => a + b, 0) / chances.length : null;
    const domain = metricDomain(chance, Math.min(...values.map((v) => v.metric as number)));
    const x = { field: 'params', type: 'quantitative', scale: { type: 'log' }, title: 'trainable parameters' };
    return baseSpec(`${metricName} vs trainable parameters`, {
      width: 460,
      height: 300,
      data: { values },
      layer: [
        { mark: { type: 'point', filled: true, size: 70 }, encoding: { x, y: { aggregate: 'mean', field: 'metric', type: 'quantitative', title: metricName, scale: { domain } }, color: { field: 'method', type: 'nominal', sort: methodOrder(data) }, detail: { field: 'k' } } },
        { mark: { type: 'text', dy: -10, fontSize: 10 }, encoding: { x, y: { aggregate: 'mean', field: 'metric', type: 'quantitative' }, text: { field: 'k' }, detail: { field: 'method' } } },
      ],
    });
  },
});
