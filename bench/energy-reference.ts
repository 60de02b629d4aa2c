/**
 * bench/energy-reference: the energy/area estimate (src/crossbar/cost.ts) for a core shaped like IBM's
 * HERMES PCM core, beside that chip's measured figures, to show how far the estimate is from silicon.
 *
 * Reference (Khaddam-Aljameh et al., "HERMES-Core — a 1.59-TOPS/mm² PCM on 14-nm CMOS in-memory
 * compute core using 300-ps/LSB linearized CCO-based ADCs", IEEE JSSC 57(4), 2022, abstract): one
 * 256 × 256 PCM crossbar in 14 nm CMOS with 256 ADCs (one per column), 1 GHz clock,
 * 10.5 TOPS/W and 1.59 TOPS/mm² measured.
 *
 * Estimate: pcm-aihwkit on one 256 × 256 tile, 8-bit DAC and ADC, one ADC per column, F = 14 nm,
 * every other parameter at its default; weights N(0, 1) (seeded); one MVM = 2·256·256 operations.
 * The estimate leaves out control, clocking, leakage and the core's digital unit, so it is expected
 * to be optimistic; this prints by how much.
 *
 *   node --import tsx bench/energy-reference.ts
 */
import { Chip, estimateCost } from '../src/crossbar/index.js';
import { Rng } from '../src/tensor/index.js';
import { report } from './util.js';

const N = 256;
const rng = new Rng(0, 'bench/energy-reference');
const weight = Float32Array.from({ length: N * N }, () => rng.normal());
const chip = Chip.program(new Map([['core', { inFeatures: N, outFeatures: N, weight, bias: null }]]), 'pcm-aihwkit', {
  tile: { rows: N, cols: N }, dac: { bits: 8 }, adc: { bits: 8 }, energy: { columnsPerAdc: 1 }, area: { featureSize: 14e-9 },
}, 0);
const c = estimateCost(chip, { tokens: 1 });
const ops = 2 * N * N;
const e = c.energy.perInference;
const topsPerW = ops / e.energy / 1e12;
const topsPerMm2 = ops / e.latency / (c.area.total.area * 1e6) / 1e12;
report('estimate', {
  energy_nJ: e.energy * 1e9, latency_ns: e.latency * 1e9, area_mm2: c.area.total.area * 1e6, TOPS_per_W: topsPerW, TOPS_per_mm2: topsPerMm2,
  adc_share: e.breakdown.adc / e.energy, digital_share: e.breakdown.digital / e.energy, cells_share: e.breakdown.cellRead / e.energy,
});
report('HERMES measured', { TOPS_per_W: 10.5, TOPS_per_mm2: 1.59 });
report('estimate / measured', { energy_efficiency: topsPerW / 10.5, area_efficiency: topsPerMm2 / 1.59 });
