/** Synthetic result rows covering every chart, for report tests (the numbers mean nothing). */
import type { ResultRow } from '../../src/results/index.js';

export function syntheticRows(): ResultRow[] {
  const rows: ResultRow[] = [];
  const base = { experiment: 'tiny', experimentHash: 'h', metricName: 'accuracy', task: 'brown-genre' };
  const methods = [['grasp', 'GRASP K=32', 1000], ['stochgrasp', 'StochGRASP K=32', 2000], ['grasp-weight', 'GRASP-weight K=32', 1000]] as const;
  for (const [m, label, params] of methods) {
    for (const seed of [0, 1]) {
      for (const s of [0, 0.01, 0.02, 0.05]) {
        rows.push({ ...base, key: `n/${m}/${seed}/${s}`, kind: 'noise', method: m, methodLabel: label, trainableParams: params, methodOptions: { k: 32 }, noiseSigma: s, metric: 0.8 - s * (m === 'stochgrasp' ? 2 : 6) + seed * 0.01, seeds: { train: seed } });
      }
      for (const profile of ['pcm-aihwkit', 'ideal']) {
        for (const t of [0, 3600, 86400]) {
          for (const comp of [true, false]) {
            rows.push({ ...base, key: `h/${m}/${seed}/${profile}/${t}/${comp}`, kind: 'hardware', method: m, methodLabel: label, profile, t, compensation: comp, metric: 0.8 - (profile === 'ideal' ? 0 : Math.log10(t + 1) * (comp ? 0.005 : 0.03)) });
          }
        }
      }
    }
    for (const adc of [4, 6, 8]) for (const dac of [4, 8]) {
      rows.push({ ...base, key: `c/${m}/${adc}/${dac}`, kind: 'hardware', method: m, methodLabel: label, profile: 'pcm-aihwkit', t: 0, compensation: true, sweep: { adcBits: adc, dacBits: dac }, metric: 0.5 + adc * 0.03 + dac * 0.01, energy: { totalJ: (adc + dac) * 1e-9 } });
    }
    rows.push({ ...base, key: `p/${m}`, kind: 'params', method: m, methodLabel: label, histograms: { '*': { gamma: { edges: [0.8, 0.9, 1.0, 1.1, 1.2], counts: [1, 5, 9, 3] }, beta: { edges: [-0.1, 0, 0.1], counts: [4, 6] } } } });
  }
  for (const profile of ['pcm-aihwkit', 'rram-cmo']) for (const t of [1, 3600]) {
    rows.push({ ...base, key: `d/${profile}/${t}`, kind: 'device', profile, t, histograms: { 'g=0.5': { conductance: { edges: [10, 11, 12, 13, 14], counts: [10, 50, 40, 5] } } } });
  }
  return rows;
}
