/**
 * Synthetic result rows covering every chart, for report tests (the numbers mean nothing). Evaluation rows
 * carry per-example predictions as the row contract asks: 200 examples with 4 labels (40 % majority
 * class), each example right when a per-(seed, example) uniform draw shared by all methods falls below the
 * method's accuracy, so methods are paired as on a real experiment.
 */
import type { ResultRow } from '../../src/results/index.js';
import { Rng } from '../../src/tensor/rng.js';

const N = 200;
const LABELS = Array.from({ length: N }, (_, i) => (i % 5 < 2 ? 0 : (i % 5) - 1));

/** Predictions right where the shared draw of (seed, example) is below `p`; wrong ones predict the next label. */
function predictions(p: number, seed: number): number[] {
  const rng = new Rng(seed, 'fixture-examples');
  return LABELS.map((y) => (rng.uniform() < p ? y : (y + 1) % 4));
}

export function syntheticRows(options: { predictions?: boolean } = {}): ResultRow[] {
  const withPred = options.predictions ?? true;
  const rows: ResultRow[] = [];
  const base = { experiment: 'tiny', experimentHash: 'h', metricName: 'accuracy', task: 'brown-genre', compareTo: withPred ? 'grasp' : null };
  const evalFields = (p: number, seed: number) => (withPred ? { metric: p, predictions: predictions(p, seed), labels: LABELS } : { metric: p });
  const methods = [['grasp', 'GRASP K=32 (deterministic)', 1000], ['stochgrasp', 'StochGRASP K=32 with the noise-aware loss', 2000], ['grasp-weight', 'GRASP-weight K=32', 1000]] as const;
  for (const [m, label, params] of methods) {
    for (const seed of [0, 1]) {
      for (const s of [0, 0.01, 0.02, 0.05]) {
        const p = 0.8 - s * (m === 'stochgrasp' ? 2 : m === 'grasp' ? 6 : 5.5) + seed * 0.01;
        rows.push({ ...base, key: `n/${m}/${seed}/${s}`, kind: 'noise', method: m, entryId: m, methodLabel: label, trainableParams: params, methodOptions: { k: 32 }, noiseSigma: s, weightStd: 0.025, seeds: { train: seed, noise: 0 }, ...evalFields(p, 100 * seed + s * 1000) });
      }
      for (const profile of ['pcm-aihwkit', 'ideal']) {
        for (const t of [0, 60, 3600, 86400, 2592000]) {
          for (const comp of [true, false]) {
            const p = 0.8 - (profile === 'ideal' ? 0 : Math.log10(t + 1) * (comp ? 0.005 : 0.03) * (m === 'stochgrasp' ? 0.6 : 1));
            rows.push({ ...base, key: `h/${m}/${seed}/${profile}/${t}/${comp}`, kind: 'hardware', method: m, entryId: m, methodLabel: label, profile, t, compensation: comp, seeds: { train: seed, chip: 3 }, ...evalFields(p, 7 + 100 * seed + t) });
          }
        }
      }
    }
    for (const adc of [4, 6, 8]) for (const dac of [4, 8]) {
      rows.push({ ...base, key: `c/${m}/${adc}/${dac}`, kind: 'hardware', method: m, entryId: m, methodLabel: label, profile: 'pcm-aihwkit', t: 0, compensation: true, sweep: { adcBits: adc, dacBits: dac }, seeds: { train: 0, chip: 3 }, energy: { totalJ: (adc + dac) * 1e-9 }, ...evalFields(0.5 + adc * 0.03 + dac * 0.01, 11 + adc * 10 + dac) });
    }
    // A co-design sweep with calibrated ranges (the codesign-calibration chart), for one method.
    if (m === 'stochgrasp') for (const adc of [4, 8]) for (const tileRows of [128, 512]) for (const calibration of [null, { adcPercentile: 99.99 }]) {
      const sweep = { 'adc.bits': adc, 'tile.rows': tileRows, calibration };
      rows.push({ ...base, key: `cal/${m}/${adc}/${tileRows}/${calibration ? 'cal' : 'fixed'}`, kind: 'hardware', method: m, entryId: m, methodLabel: label, profile: 'pcm-aihwkit', t: 86400, compensation: true, sweep, periphery: { tile: { rows: tileRows }, adc: { bits: adc, bound: 12 }, calibration }, clipRates: { dac: null, adc: calibration ? 1e-4 : 0, perSite: {} }, seeds: { train: 0, chip: 3 }, energy: { totalJ: adc * 1e-9 }, ...evalFields(calibration || adc === 8 ? 0.75 : 0.4, 13 + adc + tileRows) });
    }
    rows.push({ ...base, key: `p/${m}`, kind: 'params', method: m, entryId: m, methodLabel: label, ...(m === 'stochgrasp' ? { sigmaTarget: 0.012 } : {}), histograms: paramHistograms(m) });
  }
  for (const profile of ['pcm-aihwkit', 'rram-cmo']) for (const t of [1, 3600]) {
    rows.push({ ...base, key: `d/${profile}/${t}`, kind: 'device', profile, t, histograms: { 'g=0.5': { conductance: { edges: [10, 11, 12, 13, 14], counts: [10, 50, 40, 5] } } } });
  }
  return rows;
}

/** Per-Site histograms of two encoder layers, plus the pooled '*' entry. */
function paramHistograms(method: string): Record<string, Record<string, { edges: number[]; counts: number[] }>> {
  const grid = (lo: number, hi: number, bins: number) => Array.from({ length: bins + 1 }, (_, i) => lo + ((hi - lo) * i) / bins);
  const bell = (bins: number, at: number) => Array.from({ length: bins }, (_, i) => Math.round(100 * Math.exp(-(((i - at) / 3) ** 2))));
  const out: Record<string, Record<string, { edges: number[]; counts: number[] }>> = {};
  for (const layer of [0, 1]) {
    for (const site of ['attention.self.query', 'output.dense']) {
      const name = `roberta.encoder.layer.${layer}.${site}`;
      out[name] = method === 'stochgrasp'
        ? { stochgrasp_mu: { edges: grid(0.8, 1.2, 20), counts: bell(20, 10) }, stochgrasp_rho: { edges: grid(-6, -3, 20), counts: bell(20, 8 + layer * 4) } }
        : { grasp_scale: { edges: grid(0.8, 1.2, 20), counts: bell(20, 9 + layer) }, grasp_shift: { edges: grid(-0.1, 0.1, 20), counts: bell(20, 10) } };
    }
  }
  out['*'] = out[`roberta.encoder.layer.0.output.dense`];
  return out;
}
