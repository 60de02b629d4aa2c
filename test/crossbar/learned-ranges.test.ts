/**
 * calibration.dac 'learned' (src/crossbar/calibration.ts): every row tile of a Site takes the Site's
 * learned input range as its DAC range, the ADC bounds are calibrated with it, and the DAC clip rate
 * is the fraction of inputs above it.
 */
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { Chip, resolveCalibration, type PeripheryOptions } from '../../src/crossbar/index.js';
import { Rng } from '../../src/tensor/index.js';
import { useBackend } from '../helpers/backends.js';

const I = 128, O = 24, M = 200;
const weights = () => {
  const rng = new Rng(11, 'site');
  return { inFeatures: I, outFeatures: O, weight: rng.fillNormal(new Float32Array(I * O), 0, 0.1), bias: new Float32Array(O) };
};
const inputs = (seed: number) => new Rng(seed, 'x').fillNormal(new Float32Array(M * I));
const percentile = (values: number[], p: number) => {
  const a = values.map(Math.abs).sort((u, v) => u - v);
  return a[Math.ceil((p / 100) * a.length) - 1];
};
const base: PeripheryOptions = { tile: { rows: 64, cols: 64 }, dac: { bits: 8 }, adc: { bits: 6, bound: 12 }, readNoise: false, compensation: 'none' };

describe("learned DAC ranges (calibration.dac 'learned')", () => {
  it('resolves with dacPercentile null and refuses a dacPercentile beside it', () => {
    expect(resolveCalibration({ dac: 'learned', adcPercentile: 99 }, 'periphery.calibration')).toEqual({ dac: 'learned', dacPercentile: null, adcPercentile: 99, per: 'tile' });
    expect(resolveCalibration({}, 'p')!.dac).toBe('percentile');
    expect(() => resolveCalibration({ dac: 'learned', dacPercentile: 99 }, 'periphery.calibration')).toThrow("periphery.calibration.dac is 'learned'");
    expect(() => resolveCalibration({ dac: 'learnt' as never }, 'periphery.calibration')).toThrow('periphery.calibration.dac must be one of percentile, learned');
  });

  it("sets every row tile's DAC range to the learned range, calibrates the ADC with it, and clips |x| above it", async () => {
    await useBackend('cpu');
    const s = weights();
    const x = inputs(1);
    const st = Chip.program(new Map([['s', s]]), 'ideal', { ...base, calibration: { dac: 'learned', adcPercentile: 99.9 } }, 1).at(0);
    expect(() => st.calibrate(new Map([['s', x]]))).toThrow("periphery.calibration.dac is 'learned' but no learned input range was given for this Site");
    const r = st.calibrate(new Map([['s', x]]), new Map([['s', 1.25]]))['s'] as { dacRange: number[]; adcBound: number[] };
    expect(r.dacRange).toEqual([1.25, 1.25]);
    // ADC bound: the 99.9th percentile of the noise-free tile outputs clip(x/1.25)·Wn (ideal device: Wn = W/max|W| per tile).
    for (const t of [0, 1]) {
      let wmax = 0;
      for (let i = t * 64; i < t * 64 + 64; i++) for (let j = 0; j < O; j++) wmax = Math.max(wmax, Math.abs(s.weight[i * O + j]));
      const ys: number[] = [];
      for (let m = 0; m < M; m++) for (let j = 0; j < O; j++) {
        let y = 0;
        for (let i = t * 64; i < t * 64 + 64; i++) y += Math.max(-1, Math.min(1, x[m * I + i] / 1.25)) * (s.weight[i * O + j] / wmax);
        ys.push(y);
      }
      expect(r.adcBound[t]).toBeCloseTo(percentile(ys, 99.9), 4);
    }
    const test = inputs(2);
    st.trackClipping();
    tf.tidy(() => st.analog('s').forward(tf.tensor2d(test, [M, I])).dataSync());
    const above = test.reduce((n, v) => n + (Math.abs(v) > 1.25 ? 1 : 0), 0) / test.length;
    expect(st.clipRates().dac).toBeCloseTo(above, 6);
    expect(above).toBeGreaterThan(0.15); // P(|z| > 1.25) ≈ 0.21 for standard normal inputs
    st.dispose();
  });
});
