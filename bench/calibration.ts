/**
 * bench/calibration: the calibrate step of a hardware evaluation with periphery.calibration
 * (src/experiment/calibrate.ts → ChipState.calibrate) on the shipped tiny-roberta: all 24 linear
 * Sites on pcm-aihwkit (128-row tiles, 6-bit ADC), each calibrated from 4096 input vectors (64
 * examples × 64 tokens, the experiments' default) with DAC and ADC percentiles 99.99; and one
 * nearest-rank percentile of 2^21 values (absPercentile, the largest it takes). Inputs are seeded
 * normals. Median of 3 runs after 1 warm-up.
 *
 *   node --import tsx bench/calibration.ts [--backend wasm]
 */
import { absPercentile, Chip, weightsOfSites } from '../src/crossbar/index.js';
import { fillStandardNormal } from '../src/device/index.js';
import { loadModel } from '../src/io/index.js';
import { selectSites } from '../src/model/index.js';
import { initBackend, Rng } from '../src/tensor/index.js';
import { flagReader, report, timeMs } from './util.js';

const flag = flagReader(['backend']);
await initBackend(flag('backend', 'wasm'));
const model = await loadModel(new URL('../models/tiny-roberta', import.meta.url).pathname, {});
const sites = selectSites(model, 'all-linear');
const chip = Chip.program(weightsOfSites(sites), 'pcm-aihwkit', {
  tile: { rows: 128, cols: 256 }, dac: { bits: 8 }, adc: { bits: 6 }, calibration: { dacPercentile: 99.99, adcPercentile: 99.99 },
}, { chip: 0, read: 0 });
const state = chip.at(86400, { read: 0 });
const rng = new Rng(0, 'bench/calibration');
const inputs = new Map(sites.map((s) => [s.name, fillStandardNormal(rng.fork(s.name), new Float32Array(4096 * s.inFeatures))]));
const values = fillStandardNormal(rng.fork('percentile'), new Float32Array(2 ** 21));
report('calibration', {
  sites: sites.length,
  vectors: 4096,
  calibrate_all_sites_ms: timeMs(() => state.calibrate(inputs), 3),
  percentile_2M_ms: timeMs(() => absPercentile(values, 99.99), 3),
});
state.dispose();
