/** Co-design: metric over a two-way periphery sweep (e.g. ADC bits × DAC bits), with the energy estimate. */
import { sweepValueLabel } from '../../results/index.js';
import { baseSpec, registerChart } from '../chart.js';

registerChart({
  id: 'codesign',
  title: 'Co-design sweep',
  description:
    'Each cell is one periphery setting of the sweep (axes name the swept knobs); colour is the task metric on ' +
    'the simulated chip, the label the estimated energy per inference (an estimate, decomposed as NeuroSim/' +
    'Accelergy do). Look for the cheapest cell whose colour is still close to the digital result.',
  spec(rows) {
    const swept = rows.filter((r) => r.kind === 'hardware' && r.sweep && typeof r.metric === 'number');
    if (swept.length === 0) return null;
    // One sweep per chart: the rows that swept the same settings as the first.
    const keys = Object.keys(swept[0].sweep ?? {});
    const data = swept.filter((r) => Object.keys(r.sweep ?? {}).join('\0') === keys.join('\0'));
    const [kx, ky] = [keys[0], keys[1] ?? keys[0]];
    const rest = keys.slice(2);
    const kz = rest.length ? rest.join(', ') : undefined;
    const metricName = data[0].metricName ?? 'metric';
    const values = data.map((r) => ({
      x: sweepValueLabel(r.sweep?.[kx]),
      y: sweepValueLabel(r.sweep?.[ky]),
      // Further swept knobs get their own panels (one per combination); the profile labels them otherwise.
      panel: kz !== undefined ? rest.map((k) => `${k}=${sweepValueLabel(r.sweep?.[k])}`).join(', ') : r.profile,
      method: r.methodLabel ?? r.method,
      metric: r.metric,
      energy_nJ: r.energy?.totalJ !== undefined ? (r.energy.totalJ as number) * 1e9 : null,
    }));
    const sortNum = (a: string) => (isNaN(Number(a)) ? undefined : 'ascending');
    return baseSpec({ text: `Co-design: ${metricName} over ${kx}${ky !== kx ? ` × ${ky}` : ''}`, subtitle: 'cell labels: estimated energy per inference (nJ)' }, {
      data: { values },
      facet: { row: { field: 'method', type: 'nominal' }, column: { field: 'panel', type: 'nominal', title: kz ?? 'device profile' } },
      spec: {
        width: 220,
        height: 180,
        encoding: {
          x: { field: 'x', type: 'ordinal', title: kx, sort: sortNum(values[0].x) },
          y: { field: 'y', type: 'ordinal', title: ky, sort: sortNum(values[0].y) },
        },
        layer: [
          { mark: 'rect', encoding: { color: { aggregate: 'mean', field: 'metric', type: 'quantitative', title: metricName, scale: { scheme: 'viridis' } } } },
          { mark: { type: 'text', fontSize: 9, color: 'white' }, encoding: { text: { aggregate: 'mean', field: 'energy_nJ', type: 'quantitative', format: '.3~g' } } },
        ],
      },
    });
  },
});
