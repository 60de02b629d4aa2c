/** The paper's Fig. 6: metric vs injected weight-noise σ, one line per method, mean ± std over seeds. */
import { baseSpec, hasReplicates, pick, registerChart } from '../chart.js';

registerChart({
  id: 'robustness',
  title: 'Robustness to injected weight noise',
  description:
    'Each line is one method; the y value is the task metric after adding N(0, σ²) to every adapted ' +
    'Site\'s deployed weights (StochGRASP deploys its means; its learned σ is replaced by the injected level). ' +
    'The band is ± one standard deviation over seeds. A flatter line keeps more accuracy under noise.',
  spec(rows) {
    const data = rows.filter((r) => r.kind === 'noise' && typeof r.metric === 'number' && typeof r.noiseSigma === 'number');
    if (data.length === 0) return null;
    const metricName = data[0].metricName ?? 'metric';
    const values = pick(data, ['methodLabel', 'noiseSigma', 'metric', 'task']);
    const x = { field: 'noiseSigma', type: 'quantitative', title: 'injected σ (weight units)' };
    const color = { field: 'methodLabel', type: 'nominal', title: 'method' };
    return baseSpec(`Robustness: ${metricName} vs injected σ`, {
      width: 460,
      height: 300,
      data: { values },
      layer: [
        ...(hasReplicates(values, ['methodLabel', 'noiseSigma'])
          ? [{ mark: { type: 'errorband', extent: 'stdev', opacity: 0.2 }, encoding: { x, y: { field: 'metric', type: 'quantitative', title: metricName }, color } }]
          : []),
        { mark: { type: 'line', point: true }, encoding: { x, y: { aggregate: 'mean', field: 'metric', type: 'quantitative', title: metricName }, color } },
      ],
    });
  },
});
