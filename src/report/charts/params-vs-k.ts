/** The paper's Fig. 3b: metric vs trainable parameters across group counts K. */
import { baseSpec, registerChart } from '../chart.js';

registerChart({
  id: 'params-vs-k',
  title: 'Metric vs trainable parameters',
  description:
    'Noise-free metric of each trained adapter against its trainable parameter count (log scale, task head ' +
    'excluded). Points of one method differ in K (groups) or rank; labels give K. Up and to the left is better.',
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
    const x = { field: 'params', type: 'quantitative', scale: { type: 'log' }, title: 'trainable parameters' };
    return baseSpec(`${metricName} vs trainable parameters`, {
      width: 460,
      height: 300,
      data: { values },
      layer: [
        { mark: { type: 'point', filled: true, size: 70 }, encoding: { x, y: { aggregate: 'mean', field: 'metric', type: 'quantitative', title: metricName, scale: { zero: false } }, color: { field: 'method', type: 'nominal' }, detail: { field: 'k' } } },
        { mark: { type: 'text', dy: -10, fontSize: 10 }, encoding: { x, y: { aggregate: 'mean', field: 'metric', type: 'quantitative' }, text: { field: 'k' }, detail: { field: 'method' } } },
      ],
    });
  },
});
