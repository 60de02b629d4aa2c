/**
 * bench/program: programming throughput. A roberta-base-sized encoder's linear weights (12 layers ×
 * q, k, v, attention.output 768×768, intermediate 768×3072, output 3072×768 ≈ 85 M weights) are
 * programmed as differential pairs (≈ 170 M devices) with the pcm-aihwkit profile, then read at
 * t = 1 day. Target: programming under 60 s. Reports devices/s and peak memory (max RSS).
 *
 *   node --import tsx bench/program.ts [--profile pcm-aihwkit] [--layers 12]
 */
import { Chip } from '../src/crossbar/index.js';
import { fillStandardNormal, loadProfile } from '../src/device/index.js';
import type { SiteWeights } from '../src/model/index.js';
import { Rng } from '../src/tensor/index.js';
import { flagReader, report } from './util.js';

const arg = flagReader(['layers', 'profile']);
const profile = arg('profile', 'pcm-aihwkit');
const layers = Number(arg('layers', '12'));
const [H, F] = [768, 3072];

const weights = new Map<string, SiteWeights>();
const rng = new Rng(0, 'bench/program');
const shapes: [string, number, number][] = [
  ['attention.self.query', H, H], ['attention.self.key', H, H], ['attention.self.value', H, H],
  ['attention.output.dense', H, H], ['intermediate.dense', H, F], ['output.dense', F, H],
];
for (let l = 0; l < layers; l++) {
  for (const [suffix, i, o] of shapes) {
    const name = `encoder.layer.${l}.${suffix}`;
    weights.set(name, { inFeatures: i, outFeatures: o, weight: fillStandardNormal(rng.fork(name), new Float32Array(i * o), 0, 0.02), bias: new Float32Array(o) });
  }
}
const device = loadProfile(profile);
const rssBefore = process.memoryUsage().rss;
const t0 = performance.now();
const chip = Chip.program(weights, device, {}, 1);
const t1 = performance.now();
const s = chip.summary();
const state = chip.at(86400);
const t2 = performance.now();
const programS = (t1 - t0) / 1000;
report(`program ${profile} (${layers} layers, ${s.sites} Sites, ${s.tiles} tiles)`, {
  weights_M: s.weights / 1e6,
  devices_M: s.devices / 1e6,
  program_s: programS,
  devices_per_s_M: s.devices / programS / 1e6,
  at_1day_s: (t2 - t1) / 1000,
  peak_rss_GB: process.resourceUsage().maxRSS / 1024 / 1024,
  rss_before_program_GB: rssBefore / 1e9,
  target_program_s: 60,
});
state.dispose();
