import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { Chip, estimateEnergy, resolvePeriphery, sliceWeights, type PeripheryOptions } from '../../src/crossbar/index.js';
import { loadProfile, parseProfile, type DeviceProfileJson } from '../../src/device/index.js';
import { Rng, tensorCount } from '../../src/tensor/index.js';
import { useBackend } from '../helpers/backends.js';

const I = 64, O = 24, N = 5;

/** Integer weights in [−63, 63], every column reaching ±63 (so the slice step is exactly 1). */
function integerSite(seed: number) {
  const rng = new Rng(seed, 'int');
  const w = new Float32Array(I * O);
  for (let i = 0; i < w.length; i++) w[i] = Math.round((rng.uniform() * 2 - 1) * 63);
  for (let j = 0; j < O; j++) w[j] = j % 2 ? 63 : -63;
  return { inFeatures: I, outFeatures: O, weight: w, bias: null };
}

function integerInputs(seed: number): Float32Array {
  const rng = new Rng(seed, 'x');
  return Float32Array.from({ length: N * I }, () => Math.round((rng.uniform() * 2 - 1) * 127));
}

function exactProduct(x: Float32Array, w: Float32Array): Float64Array {
  const y = new Float64Array(N * O);
  for (let r = 0; r < N; r++) for (let j = 0; j < O; j++) for (let i = 0; i < I; i++) y[r * O + j] += x[r * I + i] * w[i * O + j];
  return y;
}

const exact: PeripheryOptions = { dac: { bits: 8, range: 127 }, readNoise: false, compensation: 'none', slicing: { slices: 3, base: 4 } };

describe('weight slicing and bit-serial inputs', () => {
  it('splits weights into base-F digits whose shift-and-add is the quantised weight', () => {
    const w = Float32Array.from([0.9, -0.3, 0.05, -1]);
    const { slices, significance } = sliceWeights(w, 4, 1, { slices: 2, base: 4 });
    expect(significance).toEqual([1, 4]);
    const step = 1 / 15;
    for (let i = 0; i < 4; i++) {
      const q = Math.round(Math.abs(w[i]) / step) * Math.sign(w[i]) * step;
      expect(slices[0][i] + 4 * slices[1][i]).toBeCloseTo(q, 6);
      expect(Math.abs(slices[0][i] / step)).toBeLessThanOrEqual(3 + 1e-6);
    }
    expect(() => resolvePeriphery({ slicing: { slices: 0 } })).toThrow(/periphery.slicing.slices must be an integer from 1 to 8/);
    expect(() => resolvePeriphery({ dac: { serial: 1 } })).toThrow(/dac.serial needs dac.bits/);
    expect(() => resolvePeriphery({ dac: { bits: 4, serial: 4 } })).toThrow(/dac.serial must be an integer from 1 to dac.bits − 1 = 3/);
  });

  it.each([
    ['3 slices of 2 bits', exact],
    ['3 slices of 2 bits, bit-serial inputs (1 bit per cycle)', { ...exact, dac: { bits: 8, range: 127, serial: 1 } }],
    ['3 slices of 2 bits, bit-serial inputs (3 bits per cycle), offset mapping', { ...exact, mapping: 'offset', dac: { bits: 8, range: 127, serial: 3 } }],
  ] as [string, PeripheryOptions][])('ideal devices + slicing give the exact integer product (%s)', async (_, periphery) => {
    await useBackend('cpu');
    const s = integerSite(1);
    const x = integerInputs(2);
    const chip = Chip.program(new Map([['s', s]]), 'ideal', periphery, 1);
    expect(chip.summary()).toMatchObject({ sites: 1, weights: I * O });
    expect(chip.summary().devices).toBe(3 * I * O * (periphery.mapping === 'offset' ? 1 : 2));
    const st = chip.at(0);
    const layer = st.analog('s');
    const once = () => tf.tidy(() => layer.forward(tf.tensor2d(x, [N, I])).dataSync());
    const y = once();
    const before = tensorCount();
    once();
    expect(tensorCount()).toBe(before);
    const ref = exactProduct(x, s.weight);
    for (let i = 0; i < ref.length; i++) {
      expect(Math.abs(y[i] - ref[i])).toBeLessThan(0.02);
      expect(Math.round(y[i])).toBe(ref[i]);
    }
    const wr = st.effectiveWeights('s', { readNoise: false }).weight;
    for (let i = 0; i < wr.length; i++) expect(wr[i]).toBeCloseTo(s.weight[i], 3);
    st.dispose();
  });

  it('with programming noise, the weight error variance follows the slice weights: Var = 2σ²·Σ s_k²·(S_k/(1 − g_lo))²', () => {
    // pcm-aihwkit with a constant programming σ = 0.02 g_max on every device, no drift, no read noise
    const json = JSON.parse(JSON.stringify(loadProfile('pcm-aihwkit').json)) as DeviceProfileJson;
    json.programming = { method: 'one-shot', sigma: { type: 'constant', value: 0.02, unit: 'gMax', source: 'aihwkit-pcm', verified: true } };
    json.drift = {
      model: 'power-law', t0: '20 s', distribution: 'normal',
      nuMean: { type: 'constant', value: 0, unit: '1', source: 'aihwkit-pcm', verified: true },
      nuStd: { type: 'constant', value: 0, unit: '1', source: 'aihwkit-pcm', verified: true },
    };
    delete json.readNoise;
    json.conductance.clamp = 'none'; // a clamp at 0 would fold the noise of devices at g_min
    const noisy = parseProfile(json, 'constant-sigma.json');
    const span = 1 - noisy.gMinNorm;
    const rng = new Rng(5, 'w');
    const w = rng.fillNormal(new Float32Array(I * O), 0, 0.1);
    const site = { inFeatures: I, outFeatures: O, weight: w, bias: null };
    for (const slicing of [{ slices: 2, base: 8 }, { slices: 3, base: 2 }]) {
      const { slices, significance } = sliceWeights(w, I, O, slicing);
      const wq = new Float64Array(w.length);
      let predicted = 0;
      slices.forEach((sk, k) => {
        let S = 0; // the slice's tile scale max|W_k| (one tile, tile granularity)
        for (let i = 0; i < sk.length; i++) {
          wq[i] += significance[k] * sk[i];
          S = Math.max(S, Math.abs(sk[i]));
        }
        predicted += significance[k] ** 2 * (S / span) ** 2; // each device of a pair gets σ: Var(Wn) = 2σ², S/(1 − g_lo) weight units per unit of Wn
      });
      predicted *= 2 * 0.02 ** 2;
      let v = 0, n = 0;
      for (let seed = 0; seed < 6; seed++) {
        const read = Chip.program(new Map([['s', site]]), noisy, { slicing, readNoise: false, compensation: 'none' }, seed).at(0).effectiveWeights('s', { readNoise: false }).weight;
        for (let i = 0; i < read.length; i++, n++) v += (read[i] - wq[i]) ** 2;
      }
      expect(Math.abs(v / n / predicted - 1)).toBeLessThan(0.08); // 9216 draws: the variance's standard error is 1.5 %
    }
  });

  it('costs every slice and every input cycle in the energy estimate, and quantises each cycle at the ADC', async () => {
    await useBackend('cpu');
    const s = integerSite(3);
    const base: PeripheryOptions = { dac: { bits: 8 }, adc: { bits: 6, bound: 4 }, readNoise: false, compensation: 'none' };
    const e1 = estimateEnergy(Chip.program(new Map([['s', s]]), 'ideal', base, 1), { tokens: 10 }).perInference;
    const e3 = estimateEnergy(Chip.program(new Map([['s', s]]), 'ideal', { ...base, slicing: { slices: 3, base: 4 } }, 1), { tokens: 10 }).perInference;
    const serialChip = Chip.program(new Map([['s', s]]), 'ideal', { ...base, dac: { bits: 8, serial: 1 } }, 1);
    const e7 = estimateEnergy(serialChip, { tokens: 10 }).perInference;
    expect(e3.breakdown.adc).toBeCloseTo(3 * e1.breakdown.adc, 20);
    expect(e3.latency).toBeGreaterThan(e1.latency);
    expect(e3.latency).toBeLessThan(2 * e1.latency); // slices read in parallel
    expect(e7.breakdown.adc).toBeCloseTo(7 * e1.breakdown.adc, 20);
    expect(e7.breakdown.dac).toBeCloseTo((7 * 4 / 256) * e1.breakdown.dac, 20); // 7 cycles of sign + 1 bit
    expect(e7.latency).toBeGreaterThan(6 * e1.latency);
    expect(e7.mvms).toBe(7 * e1.mvms);
    const x = integerInputs(4);
    const run = (chip: Chip) => {
      const st = chip.at(0);
      const y = tf.tidy(() => st.analog('s').forward(tf.tensor2d(x, [N, I])).dataSync());
      st.dispose();
      return y;
    };
    const parallel = run(Chip.program(new Map([['s', s]]), 'ideal', base, 1));
    const serial = run(serialChip);
    let diff = 0;
    for (let i = 0; i < parallel.length; i++) diff = Math.max(diff, Math.abs(parallel[i] - serial[i]));
    expect(diff).toBeGreaterThan(1); // the ADC rounds each cycle's partial sum
  });
});
