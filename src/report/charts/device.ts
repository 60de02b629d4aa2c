/** Device characterisation: conductance distributions over time per profile. */
import { baseSpec, registerChart, timeLabel } from '../chart.js';

registerChart({
  id: 'device',
  title: 'Conductance distributions over time',
  description:
    'Simulated conductances (µS) of devices programmed to a few target levels, right after programming and at ' +
    'later times, one panel per device profile. Spreading shows programming noise and variation; the shift ' +
    'to the left over time is drift.',
  spec(rows) {
    const data = rows.filter((r) => r.kind === 'device' && r.histograms);
    if (data.length === 0) return null;
    const values: Record<string, unknown>[] = [];
    for (const r of data) {
      for (const [level, hs] of Object.entries(r.histograms ?? {})) {
        const h = hs.conductance;
        if (!h) continue;
        const total = h.counts.reduce((a, b) => a + b, 0) || 1;
        for (let i = 0; i < h.counts.length; i++) {
          values.push({ profile: r.profile, t: timeLabel(r.t ?? 0), tNum: r.t, level, g: (h.edges[i] + h.edges[i + 1]) / 2, p: h.counts[i] / total });
        }
      }
    }
    return baseSpec('Device conductance distributions over time', {
      data: { values },
      facet: { column: { field: 'profile', type: 'nominal', title: 'device profile' } },
      resolve: { scale: { x: 'independent' } },
      spec: {
        width: 240,
        height: 180,
        mark: { type: 'area', opacity: 0.35, interpolate: 'step-after' },
        encoding: {
          x: { field: 'g', type: 'quantitative', title: 'conductance (µS)' },
          y: { field: 'p', type: 'quantitative', title: 'fraction of devices', stack: null },
          color: { field: 't', type: 'ordinal', title: 'time after programming', sort: { field: 'tNum' } },
          detail: { field: 'level' },
        },
      },
    });
  },
});
