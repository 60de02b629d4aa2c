/**
 * bench/stats: time of the report's paired statistics (src/results/stats.ts, 2000 bootstrap replicates)
 * at the size of a study: 5 methods × 6 noise levels × 9 runs (3 train × 3 noise seeds) × 256 examples,
 * accuracy, one baseline; then the same with 1000 examples. Synthetic predictions (correct with
 * probability 0.8 − 4σ), seeded. Prints wall and CPU time per call (CPU time is the figure to compare
 * on a shared machine).
 *
 *   node --import tsx bench/stats.ts
 */
import { experimentStats, type ResultRow } from '../src/results/index.js';
import { Rng } from '../src/tensor/index.js';
import { report, timeMs } from './util.js';

function rows(examples: number): ResultRow[] {
  const labels = Array.from({ length: examples }, (_, i) => i % 4);
  const out: ResultRow[] = [];
  for (const m of ['grasp', 'grasp-weight', 'stochgrasp-a', 'stochgrasp-b', 'stochgrasp-c']) {
    for (const sigma of [0, 0.01, 0.02, 0.03, 0.04, 0.05]) {
      for (let train = 0; train < 3; train++) {
        for (let noise = 0; noise < 3; noise++) {
          const rng = new Rng(`${m}/${train}/${noise}/${sigma}`, 'bench-stats');
          const predictions = labels.map((y) => (rng.uniform() < 0.8 - 4 * sigma ? y : (y + 1) % 4));
          out.push({ key: `${m}/${sigma}/${train}/${noise}`, kind: 'noise', experiment: 'bench', experimentHash: 'h', entryId: m, compareTo: 'grasp', noiseSigma: sigma, metricName: 'accuracy', metric: 0, predictions, labels, seeds: { train, noise } });
        }
      }
    }
  }
  return out;
}

for (const n of [256, 1000]) {
  const r = rows(n);
  let s = experimentStats(r);
  const cpu0 = process.cpuUsage();
  const ms = timeMs(() => { s = experimentStats(r); }, 3, 0);
  const cpuMs = process.cpuUsage(cpu0).user / 1000 / 3;
  report(`stats ${r.length} rows × ${n} examples`, { estimates: s.estimates.length, comparisons: s.comparisons.length, wallMs: ms, cpuMs, maxDeltaHalfWidthPts: (s.maxDeltaHalfWidth as number) * 100 });
}
