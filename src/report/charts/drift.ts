/** Per device profile: metric vs time after programming (log axis), with and without compensation. */
import { baseSpec, hasReplicates, registerChart } from '../chart.js';

registerChart({
  id: 'drift',
  title: 'Accuracy over time after programming',
  description:
    'One panel per device profile. x is the time since the chip was programmed (log scale), y the task ' +
    'metric of the model running on the simulated crossbar. Solid lines use global drift compensation, ' +
    'dashed lines do not; the band is ± one standard deviation over chip and read seeds.',
  spec(rows) {
    const data = rows.filter((r) => r.kind === 'hardware' && typeof r.metric === 'number' && typeof r.t === 'number' && !r.sweep);
    if (data.length === 0) return null;
    const metricName = data[0].metricName ?? 'metric';
    const values = data.map((r) => ({
      profile: r.profile,
      method: r.methodLabel ?? r.method,
      t: Math.max(r.t as number, 1e-3),
      compensation: r.compensation ? 'compensated' : 'uncompensated',
      metric: r.metric,
    }));
    const x = { field: 't', type: 'quantitative', scale: { type: 'log' }, title: 'time after programming (s)' };
    const color = { field: 'method', type: 'nominal', title: 'method' };
    const strokeDash = { field: 'compensation', type: 'nominal', title: 'drift compensation', sort: ['compensated', 'uncompensated'] };
    return baseSpec(`${metricName} vs time after programming`, {
      data: { values },
      facet: { column: { field: 'profile', type: 'nominal', title: 'device profile' } },
      spec: {
        width: 260,
        height: 220,
        layer: [
          ...(hasReplicates(values, ['profile', 'method', 't', 'compensation'])
            ? [{ mark: { type: 'errorband', extent: 'stdev', opacity: 0.15 }, encoding: { x, y: { field: 'metric', type: 'quantitative' }, color, detail: { field: 'compensation' } } }]
            : []),
          { mark: { type: 'line', point: true }, encoding: { x, y: { aggregate: 'mean', field: 'metric', type: 'quantitative', title: metricName }, color, strokeDash } },
        ],
      },
    });
  },
});
