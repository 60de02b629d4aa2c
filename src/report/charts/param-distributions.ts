/** Paper Fig. 2–3 and 5: densities of learned GRASP γ, β and StochGRASP μ, σ. */
import type { ResultRow } from '../../results/index.js';
import { baseSpec, registerChart } from '../chart.js';

/** Histogram rows → one value per bin, normalised to a density per (method, parameter). */
function binValues(rows: ResultRow[]): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const r of rows) {
    for (const [param, h] of Object.entries(r.histograms?.['*'] ?? {})) {
      const total = h.counts.reduce((a, b) => a + b, 0) || 1;
      for (let i = 0; i < h.counts.length; i++) {
        const width = h.edges[i + 1] - h.edges[i] || 1;
        out.push({
          method: r.methodLabel ?? r.method,
          param,
          x: (h.edges[i] + h.edges[i + 1]) / 2,
          density: h.counts[i] / total / width,
        });
      }
    }
  }
  return out;
}

registerChart({
  id: 'param-distributions',
  title: 'Learned parameter distributions',
  description:
    'Density of the learned parameters pooled over all adapted Sites: GRASP scales γ and shifts β for each K, ' +
    'and StochGRASP means μ and standard deviations σ with and without the noise-aware loss. With the noise-aware ' +
    'loss, σ should gather near σ_target.',
  spec(rows) {
    const data = rows.filter((r) => r.kind === 'params' && r.histograms?.['*']);
    if (data.length === 0) return null;
    return baseSpec('Learned parameter distributions (all Sites pooled)', {
      data: { values: binValues(data) },
      facet: { column: { field: 'param', type: 'nominal', title: 'parameter' } },
      resolve: { scale: { x: 'independent', y: 'independent' } },
      spec: {
        width: 220,
        height: 180,
        mark: { type: 'line', interpolate: 'step-after' },
        encoding: {
          x: { field: 'x', type: 'quantitative', title: 'value' },
          y: { field: 'density', type: 'quantitative', title: 'density' },
          color: { field: 'method', type: 'nominal', title: 'adapter' },
        },
      },
    });
  },
});
