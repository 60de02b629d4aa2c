/**
 * Clip counting inside the WebAssembly periphery kernels (crossbar/analog-kernels.ts): with clip
 * rates tracked, AnalogLinear keeps its WebAssembly kernels on wasm (they are taken: their kernel
 * names show in tf.profile), and its outputs and clip counts equal the fused-JS loops' bit for bit —
 * with and without tracking, for abs-max, fixed and calibrated DAC ranges and ADC bounds. The DAC
 * count is also checked against an independent count of |x·L/range| > L.
 */
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { Chip, type ClipCounts, type PeripheryOptions } from '../../src/crossbar/index.js';
import { analogKernelsFor } from '../../src/crossbar/analog-kernels.js';
import { Rng, tensorCount } from '../../src/tensor/index.js';
import { TEST_BACKENDS, useBackend } from '../helpers/backends.js';

const I = 150, O = 70, N = 8;

function site(seed: number) {
  const rng = new Rng(seed, 'clip-site');
  return { inFeatures: I, outFeatures: O, weight: rng.fillNormal(new Float32Array(I * O), 0, 0.1), bias: rng.fillNormal(new Float32Array(O), 0, 0.5) };
}

type Case = [name: string, periphery: PeripheryOptions, calibrate: boolean];
const CASES: Case[] = [
  ['fixed DAC range 1, 6-bit DAC, 5-bit ADC bound 1.5 with output noise, rank-1 read noise', { dac: { bits: 6, range: 1 }, adc: { bits: 5, bound: 1.5, noise: 0.03 }, readNoise: { mode: 'rank1' } }, false],
  ['abs-max DAC, 6-bit DAC, 5-bit ADC bound 1, exact read noise', { dac: { bits: 6 }, adc: { bits: 5, bound: 1 }, readNoise: { mode: 'exact' } }, false],
  ['fixed DAC range 0.8 without DAC bits, unquantised ADC bound 0.7, no read noise', { dac: { bits: null, range: 0.8 }, adc: { bits: null, bound: 0.7 }, readNoise: { enabled: false } }, false],
  ['calibrated per tile (DAC 90th, ADC 95th percentile), 6-bit DAC, 7-bit ADC', { dac: { bits: 6 }, adc: { bits: 7 }, readNoise: { mode: 'rank1' }, calibration: { dacPercentile: 90, adcPercentile: 95 } }, true],
];

interface Run {
  y: Float32Array[];
  counts: ClipCounts;
  kernels: string[];
}

describe.each(TEST_BACKENDS)('clip counting on %s', (backend) => {
  it.each(CASES)('the WebAssembly kernels count clips as the fused-JS loops do, same outputs with and without counting (%s)', async (_, periphery, calibrate) => {
    await useBackend(backend);
    const s = site(21);
    const x = new Rng(22).fillNormal(new Float32Array(N * I));
    x.fill(0, 0, I); // an all-zero input vector (the DAC's 1e-30 floor)
    const run = async (execution: 'auto' | 'fused-js', track: boolean): Promise<Run> => {
      const st = Chip.program(new Map([['s', s]]), 'pcm-aihwkit', { tile: { rows: 64, cols: 32 }, ...periphery, execution }, 5).at(3600);
      if (calibrate) st.calibrate(new Map([['s', x]]));
      if (track) st.trackClipping();
      const once = () => tf.tidy(() => st.analog('s').forward(tf.tensor2d(x, [N, I])).dataSync() as Float32Array);
      const first = once(); // builds the state's kept tensors
      const before = tensorCount();
      let second: Float32Array = new Float32Array();
      const profile = await tf.profile(() => { second = once(); });
      expect(tensorCount()).toBe(before);
      const counts = st.analog('s').clipCounts;
      st.dispose();
      return { y: [first, second], counts, kernels: profile.kernelNames };
    };
    const wasmTracked = await run('auto', true);
    const jsTracked = await run('fused-js', true);
    const wasmPlain = await run('auto', false);
    const onWasm = backend === 'wasm';
    expect(analogKernelsFor(O)).toBe(onWasm);
    expect(wasmTracked.kernels.includes('GraspHilAdcAccumulate')).toBe(onWasm); // counting keeps the kernels on
    expect(jsTracked.kernels).not.toContain('GraspHilAdcAccumulate');
    for (const k of [0, 1]) {
      expect(Array.from(wasmTracked.y[k])).toEqual(Array.from(jsTracked.y[k]));
      expect(Array.from(wasmPlain.y[k])).toEqual(Array.from(wasmTracked.y[k]));
    }
    expect(wasmTracked.counts).toEqual(jsTracked.counts);
    expect(wasmPlain.counts).toEqual({ dacClipped: 0, dacTotal: 0, adcClipped: 0, adcTotal: 0 });
    const c = wasmTracked.counts;
    expect(c.adcTotal).toBe(2 * N * O * 3); // two forward calls × N vectors × O outputs × 3 row tiles
    expect(c.adcClipped).toBeGreaterThan(0.01 * c.adcTotal); // the bounds are tight: clipping happens
    expect(c.adcClipped).toBeLessThan(0.6 * c.adcTotal);
    const fixed = periphery.dac?.range;
    if (typeof fixed === 'number') {
      // independent count: |x·L/range| > L, with L = 2^(bits−1) − 1 (1 without DAC bits)
      const L = periphery.dac?.bits ? 2 ** (periphery.dac.bits - 1) - 1 : 1;
      let over = 0;
      for (const v of x) if (Math.abs(v * (L / fixed)) > L) over++;
      expect(over).toBeGreaterThan(0);
      expect(c).toMatchObject({ dacClipped: 2 * over, dacTotal: 2 * N * I });
    } else if (calibrate) {
      expect(c.dacTotal).toBe(2 * N * I);
      expect(c.dacClipped / c.dacTotal).toBeGreaterThan(0.05); // the 90th percentile clips ≈ 10 %
      expect(c.dacClipped / c.dacTotal).toBeLessThan(0.15);
    } else {
      expect(c).toMatchObject({ dacClipped: 0, dacTotal: 0 }); // abs-max never clips
    }
  });
});
