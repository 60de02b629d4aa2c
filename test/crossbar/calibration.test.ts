import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { Chip, resolvePeriphery, type PeripheryOptions } from '../../src/crossbar/index.js';
import { Rng, tensorCount } from '../../src/tensor/index.js';
import { useBackend } from '../helpers/backends.js';

const I = 128, O = 40, M = 400;

function site(seed: number) {
  const rng = new Rng(seed, 'site');
  return { inFeatures: I, outFeatures: O, weight: rng.fillNormal(new Float32Array(I * O), 0, 0.1), bias: rng.fillNormal(new Float32Array(O), 0, 0.1) };
}

/** Gaussian inputs; the second row tile (rows 64…127) ten times larger. */
function inputs(seed: number, n = M): Float32Array {
  const x = new Rng(seed, 'x').fillNormal(new Float32Array(n * I));
  for (let m = 0; m < n; m++) for (let i = 64; i < I; i++) x[m * I + i] *= 10;
  return x;
}

/** Nearest-rank percentile, written independently of src/crossbar/calibration.ts. */
function percentile(values: number[], p: number): number {
  const a = values.map(Math.abs).sort((u, v) => u - v);
  return a[Math.ceil((p / 100) * a.length) - 1];
}

const base: PeripheryOptions = { tile: { rows: 64, cols: 64 }, dac: { bits: 8 }, adc: { bits: 6, bound: 12 }, readNoise: false, compensation: 'none' };

describe('calibrated DAC ranges and ADC bounds', () => {
  it('sets per-tile DAC ranges and ADC bounds at the requested percentiles', async () => {
    await useBackend('cpu');
    const x = inputs(1);
    const st = Chip.program(new Map([['s', site(1)]]), 'ideal', { ...base, calibration: { dacPercentile: 99, adcPercentile: 99.9 } }, 1).at(0);
    const r = st.calibrate(new Map([['s', x]]))['s'] as { dacRange: number[]; adcBound: number[] };
    const tile = (t: number) => Array.from({ length: M * 64 }, (_, k) => x[Math.floor(k / 64) * I + t * 64 + (k % 64)]);
    expect(r.dacRange[0]).toBeCloseTo(percentile(tile(0), 99), 5);
    expect(r.dacRange[1]).toBeCloseTo(percentile(tile(1), 99), 4);
    expect(r.dacRange[1] / r.dacRange[0]).toBeGreaterThan(8);
    // ADC bound: percentile of the noise-free tile outputs clip(x/a)·Wn (ideal device: Wn = W/max|W|, tile scale)
    const w = site(1).weight;
    for (const t of [0, 1]) {
      let s = 0;
      for (let i = t * 64; i < t * 64 + 64; i++) for (let j = 0; j < O; j++) s = Math.max(s, Math.abs(w[i * O + j]));
      const ys: number[] = [];
      for (let m = 0; m < M; m++) {
        for (let j = 0; j < O; j++) {
          let y = 0;
          for (let i = t * 64; i < t * 64 + 64; i++) y += Math.max(-1, Math.min(1, x[m * I + i] / r.dacRange[t])) * (w[i * O + j] / s);
          ys.push(y);
        }
      }
      expect(r.adcBound[t]).toBeCloseTo(percentile(ys, 99.9), 4);
    }
    const layer = Chip.program(new Map([['s', site(1)]]), 'ideal', { ...base, calibration: { dacPercentile: 99, adcPercentile: null, per: 'layer' } }, 1).at(0);
    const rl = layer.calibrate(new Map([['s', x]]))['s'] as { dacRange: number[]; adcBound: number[] };
    expect(rl.dacRange[0]).toBe(rl.dacRange[1]);
    expect(rl.adcBound).toEqual([12, 12]);
  });

  it('beats the fixed chip-wide ADC bound at 6 bits', async () => {
    await useBackend('cpu');
    const s = site(2);
    const x = inputs(3);
    const test = inputs(4, 100);
    const digital = new Float64Array(100 * O);
    for (let m = 0; m < 100; m++) for (let j = 0; j < O; j++) {
      let y = s.bias[j];
      for (let i = 0; i < I; i++) y += test[m * I + i] * s.weight[i * O + j];
      digital[m * O + j] = y;
    }
    const rms = (p: PeripheryOptions, calibrate: boolean) => {
      const st = Chip.program(new Map([['s', s]]), 'ideal', p, 1).at(0);
      if (calibrate) st.calibrate(new Map([['s', x]]));
      const y = tf.tidy(() => st.analog('s').forward(tf.tensor2d(test, [100, I])).dataSync());
      st.dispose();
      let e = 0;
      for (let k = 0; k < y.length; k++) e += (y[k] - digital[k]) ** 2;
      return Math.sqrt(e / y.length);
    };
    const fixed = rms(base, false);
    const calibrated = rms({ ...base, calibration: {} }, true);
    expect(calibrated).toBeLessThan(0.5 * fixed);
  });

  it.each(['fused-js', 'tensor-ops'] as const)('reports DAC and ADC clip rates after a forward pass (%s)', async (execution) => {
    await useBackend('cpu');
    const x = inputs(5);
    const st = Chip.program(new Map([['s', site(5)]]), 'ideal', { ...base, execution, calibration: { dacPercentile: 90, adcPercentile: 95 } }, 1).at(0);
    expect(() => tf.tidy(() => st.analog('s').forward(tf.tensor2d(x, [M, I])))).toThrow(/periphery.calibration is set but this Site is not calibrated; call chipState.calibrate/);
    st.startCalibration();
    tf.tidy(() => st.analog('s').forward(tf.tensor2d(x, [M, I])).dataSync());
    const r = st.finishCalibration();
    expect(r['s']).toEqual(st.calibrate(new Map([['s', x]]))['s']); // recording = calibrating on the same inputs
    tf.tidy(() => st.analog('s').forward(tf.tensor2d(x, [M, I])).dataSync()); // builds the calibrated tiles' kept tensors
    st.trackClipping();
    expect(st.clipRates()).toEqual({ dac: null, adc: null, perSite: { s: { dac: null, adc: null } } });
    const before = tensorCount();
    tf.tidy(() => st.analog('s').forward(tf.tensor2d(x, [M, I])).dataSync());
    expect(tensorCount()).toBe(before);
    const rates = st.clipRates();
    expect(rates.dac).toBeCloseTo(0.1, 2); // the 90th percentile of |x| clips 10 %
    expect(rates.adc as number).toBeGreaterThan(0.03); // the 95th percentile of the noise-free outputs clips ≈ 5 %
    expect(rates.adc as number).toBeLessThan(0.07);
    expect(rates.perSite['s']).toEqual({ dac: rates.dac, adc: rates.adc });
    const other = st.withReadSeed(9); // same devices: the calibration carries over
    expect(tf.tidy(() => other.analog('s').forward(tf.tensor2d(x, [M, I])).dataSync()).every(Number.isFinite)).toBe(true);
    other.dispose();
    st.dispose();
  });

  it('iterative bound management resends clipped input vectors with halved inputs (noise-free: the unclipped product)', async () => {
    await useBackend('cpu');
    const s = site(6);
    const x = inputs(7, 50);
    const digital = new Float64Array(50 * O);
    for (let m = 0; m < 50; m++) for (let j = 0; j < O; j++) {
      let y = s.bias[j];
      for (let i = 0; i < I; i++) y += x[m * I + i] * s.weight[i * O + j];
      digital[m * O + j] = y;
    }
    const run = (boundManagement: 'none' | 'iterative') => {
      const st = Chip.program(new Map([['s', s]]), 'ideal', { ...base, dac: { bits: null }, adc: { bits: null, bound: 0.5, boundManagement } }, 1).at(0);
      st.trackClipping();
      const y = tf.tidy(() => st.analog('s').forward(tf.tensor2d(x, [50, I])).dataSync());
      const rate = st.clipRates().adc as number;
      st.dispose();
      let e = 0;
      for (let k = 0; k < y.length; k++) e = Math.max(e, Math.abs(y[k] - digital[k]));
      return { e, rate };
    };
    const plain = run('none');
    const managed = run('iterative');
    expect(plain.rate).toBeGreaterThan(0.05);
    expect(plain.e).toBeGreaterThan(0.1);
    expect(managed.e).toBeLessThan(1e-4);
    expect(() => resolvePeriphery({ adc: { boundManagement: 'iterative' } })).toThrow(/boundManagement 'iterative' needs an ADC bound/);
  });

  it('refuses bad calibration settings with the field named', () => {
    expect(() => resolvePeriphery({ calibration: { dacPercentile: 120 } })).toThrow(/periphery.calibration.dacPercentile must be a percentile in \(0, 100\]/);
    expect(() => resolvePeriphery({ calibration: { per: 'chip' as never } })).toThrow(/periphery.calibration.per must be 'tile' or 'layer'/);
    const st = Chip.program(new Map([['s', site(1)]]), 'ideal', base, 1).at(0);
    expect(() => st.calibrate(new Map([['s', new Float32Array(I)]]))).toThrow(/calibrate needs periphery.calibration/);
  });
});
