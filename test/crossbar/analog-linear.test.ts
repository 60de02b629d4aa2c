import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { Chip, type PeripheryOptions } from '../../src/crossbar/index.js';
import { loadProfile } from '../../src/device/index.js';
import { analogKernelsFor } from '../../src/crossbar/analog-kernels.js';
import { Rng, tensorCount } from '../../src/tensor/index.js';
import { TEST_BACKENDS, useBackend } from '../helpers/backends.js';

const I = 150, O = 70, N = 6;

function site(seed: number, std = 0.1) {
  const rng = new Rng(seed, 'site');
  return {
    inFeatures: I,
    outFeatures: O,
    weight: rng.fillNormal(new Float32Array(I * O), 0, std),
    bias: rng.fillNormal(new Float32Array(O), 0, 0.5),
  };
}

/** Reference x·W + b in float64. */
function digital(x: Float32Array, w: Float32Array, b: Float32Array, n: number): Float64Array {
  const y = new Float64Array(n * O);
  for (let r = 0; r < n; r++) {
    for (let j = 0; j < O; j++) {
      let acc = b[j];
      for (let i = 0; i < I; i++) acc += x[r * I + i] * w[i * O + j];
      y[r * O + j] = acc;
    }
  }
  return y;
}

function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0, s = 0;
  for (let i = 0; i < a.length; i++) {
    m = Math.max(m, Math.abs(a[i] - b[i]));
    s = Math.max(s, Math.abs(b[i]));
  }
  return m / s;
}

const IDEAL_CASES: [string, PeripheryOptions][] = [
  ['one matmul, 512×512 tiles', { compensation: 'none' }],
  ['row and column tiles (64×32), per-column scale', { tile: { rows: 64, cols: 32 }, scale: 'column' }],
  ['per-tile partial sums (unbounded ADC path)', { tile: { rows: 64, cols: 32 }, adc: { bound: 1e9 } }],
  ['offset mapping', { tile: { rows: 40, cols: 512 }, mapping: 'offset' }],
];

describe.each(TEST_BACKENDS)('AnalogLinear on %s', (backend) => {
  it.each(IDEAL_CASES)('the ideal profile reproduces the digital layer (%s) to 1e-5', async (_name, periphery) => {
    await useBackend(backend);
    const s = site(1);
    const chip = Chip.program(new Map([['s', s]]), 'ideal', periphery, 3);
    const state = chip.at(1000);
    const x = new Rng(2).fillNormal(new Float32Array(N * I));
    const before = tensorCount();
    const xt = tf.tensor3d(x, [2, N / 2, I]);
    const y = state.analog('s').forward(xt);
    expect(y.shape).toEqual([2, N / 2, O]);
    expect(relErr(y.dataSync(), digital(x, s.weight, s.bias, N))).toBeLessThan(1e-5);
    y.dispose();
    xt.dispose();
    const kept = tensorCount();
    for (let k = 0; k < 3; k++) tf.tidy(() => state.analog('s').forward(tf.tensor2d(x, [N, I]))).dispose();
    expect(tensorCount()).toBe(kept);
    state.dispose();
    expect(tensorCount()).toBe(before);
  });

  it('with 8-bit DAC and ADC matches an integer reference computed independently', async () => {
    await useBackend(backend);
    const s = site(4);
    const rows = 64;
    const B = 1.5;
    const chip = Chip.program(new Map([['s', s]]), 'ideal', {
      tile: { rows, cols: 512 }, dac: { bits: 8 }, adc: { bits: 8, bound: B }, compensation: 'none',
    }, 1);
    const x = new Rng(5).fillNormal(new Float32Array(N * I));
    const state = chip.at(0);
    const y = tf.tidy(() => state.analog('s').forward(tf.tensor2d(x, [N, I])).dataSync());
    // independent reference: integer codes per row tile
    const ref = new Float64Array(N * O);
    let clipped = 0;
    for (let r0 = 0; r0 < I; r0 += rows) {
      const r1 = Math.min(r0 + rows, I);
      let sMax = 0;
      for (let i = r0; i < r1; i++) for (let j = 0; j < O; j++) sMax = Math.max(sMax, Math.abs(s.weight[i * O + j]));
      for (let n = 0; n < N; n++) {
        let a = 0;
        for (let i = r0; i < r1; i++) a = Math.max(a, Math.abs(x[n * I + i]));
        const xq = new Int32Array(r1 - r0).map((_, k) => Math.round((x[n * I + r0 + k] / a) * 127));
        for (let j = 0; j < O; j++) {
          let p = 0;
          for (let k = 0; k < r1 - r0; k++) p += (xq[k] / 127) * Math.fround(s.weight[(r0 + k) * O + j] / sMax);
          const raw = Math.round((p * 127) / B);
          const code = Math.max(-127, Math.min(127, raw));
          if (code !== raw) clipped++;
          ref[n * O + j] += (code * B) / 127 * a * sMax;
        }
      }
    }
    for (let n = 0; n < N; n++) for (let j = 0; j < O; j++) ref[n * O + j] += s.bias[j];
    expect(clipped).toBeGreaterThan(0); // the bound is exercised
    let mismatched = 0;
    for (let i = 0; i < ref.length; i++) if (Math.abs(y[i] - ref[i]) > 1e-4 * (1 + Math.abs(ref[i]))) mismatched++;
    // float32 summation may flip a code sitting exactly on a rounding boundary; allow ≤ 0.5 %
    expect(mismatched / ref.length).toBeLessThanOrEqual(0.005);
    state.dispose();
  });

  it('per-MVM read noise has the variance Σ x²·σ² of the devices read (one-hot inputs, exact mode)', async () => {
    await useBackend(backend);
    const s = site(6);
    const pcm = loadProfile('pcm-aihwkit');
    const rows = 20_000;
    {
      const chip = Chip.program(new Map([['s', s]]), pcm, { readNoise: { mode: 'exact' }, compensation: 'none', tile: { rows: 100, cols: 512 } }, 2);
      const state = chip.at(60);
      const st = state.site('s');
      const i = 7; // one-hot input on row 7 (row tile 0)
      const x = new Float32Array(rows * I);
      for (let r = 0; r < rows; r++) x[r * I + i] = 1;
      const y = tf.tidy(() => state.analog('s').forward(tf.tensor2d(x, [rows, I])).dataSync());
      const ratios: number[] = [];
      for (let j = 0; j < O; j++) {
        let m = 0;
        for (let r = 0; r < rows; r++) m += y[r * O + j];
        m /= rows;
        let v = 0;
        for (let r = 0; r < rows; r++) v += (y[r * O + j] - m) ** 2;
        const std = Math.sqrt(v / (rows - 1));
        const expected = Math.sqrt(st.s2![i * O + j]) * st.kAlpha[j];
        ratios.push(std / expected);
        // the mean is the read-back weight plus bias
        expect(Math.abs(m - (st.wn[i * O + j] * st.kAlpha[j] + s.bias[j]))).toBeLessThan(5 * std / Math.sqrt(rows) + 1e-6);
      }
      const mean = ratios.reduce((a, b) => a + b, 0) / O;
      expect(Math.abs(mean - 1)).toBeLessThan(0.01);
      for (const r of ratios) expect(Math.abs(r - 1)).toBeLessThan(0.03);
      state.dispose();
    }
  });

  it('dense inputs: rank-1 read-noise σ is within 5 % of the exact one (rank-1 is meant for dense inputs, not single devices)', async () => {
    await useBackend(backend);
    const s = site(7);
    const x = new Rng(8).fillUniform(new Float32Array(2000 * I), -1, 1);
    const noiseStd: number[] = [];
    for (const mode of ['exact', 'rank1'] as const) {
      const chip = Chip.program(new Map([['s', s]]), 'pcm-aihwkit', { readNoise: { mode }, compensation: 'none' }, 2);
      const noisy = chip.at(60);
      const clean = chip.at(60).withReadSeed(99);
      const a = tf.tidy(() => noisy.analog('s').forward(tf.tensor2d(x, [2000, I])).dataSync());
      const b = tf.tidy(() => clean.analog('s').forward(tf.tensor2d(x, [2000, I])).dataSync());
      let v = 0;
      for (let k = 0; k < a.length; k++) v += (a[k] - b[k]) ** 2;
      noiseStd.push(Math.sqrt(v / a.length / 2));
      noisy.dispose();
      clean.dispose();
    }
    expect(Math.abs(noiseStd[1] / noiseStd[0] - 1)).toBeLessThan(0.05);
  });

  it('IR drop follows aihwkit’s analytic model (reference computed independently)', async () => {
    await useBackend(backend);
    const s = site(10);
    const rows = 64;
    const gRatio = 200;
    const chip = Chip.program(new Map([['s', s]]), 'ideal', { tile: { rows, cols: 512 }, irDrop: { model: 'aihwkit', scale: 1, gRatio }, compensation: 'none' }, 1);
    const x = new Rng(11).fillNormal(new Float32Array(N * I));
    const state = chip.at(0);
    const y = tf.tidy(() => state.analog('s').forward(tf.tensor2d(x, [N, I])).dataSync());
    // aihwkit ForwardBackwardPassIOManaged::applyIrDrop on each tile (inputs scaled by abs-max, weights by max|W|):
    //   a_i = n/g_ratio·Σ_j |w_ij||x_j|,  c_i = a_i(a_i(0.05a_i − 0.2) + 0.5),  y_i −= c_i·Σ_j w_ij·x_j·(1 − (1 − j/n)²)
    const ref = new Float64Array(N * O);
    let dropped = 0;
    for (let r0 = 0; r0 < I; r0 += rows) {
      const n = Math.min(rows, I - r0);
      let sMax = 0;
      for (let i = r0; i < r0 + n; i++) for (let j = 0; j < O; j++) sMax = Math.max(sMax, Math.abs(s.weight[i * O + j]));
      for (let b = 0; b < N; b++) {
        let amax = 0;
        for (let i = r0; i < r0 + n; i++) amax = Math.max(amax, Math.abs(x[b * I + i]));
        for (let o = 0; o < O; o++) {
          let yi = 0, cur = 0, yd = 0;
          for (let j = 0; j < n; j++) {
            const w = s.weight[(r0 + j) * O + o] / sMax;
            const xj = x[b * I + r0 + j] / amax;
            yi += w * xj;
            cur += Math.abs(w) * Math.abs(xj);
            yd += w * xj * (1 - (1 - j / n) ** 2);
          }
          const a = (n / gRatio) * cur;
          const c = a * (a * (0.05 * a - 0.2) + 0.5);
          dropped += Math.abs(c * yd);
          ref[b * O + o] += (yi - c * yd) * amax * sMax;
        }
      }
    }
    for (let b = 0; b < N; b++) for (let o = 0; o < O; o++) ref[b * O + o] += s.bias[o];
    expect(dropped).toBeGreaterThan(1); // the drop is not negligible here
    expect(relErr(y, ref)).toBeLessThan(1e-5);
    state.dispose();
  });

  it.each([['rank1', true], ['exact', true], ['rank1', false]] as const)('fused-JS and TF.js-ops periphery give the same numbers (read noise %s, IR drop %s, DAC, ADC)', async (mode, ir) => {
    await useBackend(backend);
    const s = site(12);
    const x = new Rng(13).fillNormal(new Float32Array(N * I));
    const run = (execution: 'fused-js' | 'tensor-ops') => {
      const chip = Chip.program(new Map([['s', s]]), 'pcm-aihwkit', {
        tile: { rows: 64, cols: 32 }, dac: { bits: 6 }, adc: { bits: 7, bound: 4, noise: 0.03 }, readNoise: { mode }, irDrop: ir ? { model: 'aihwkit', scale: 1, gRatio: 500 } : null, execution,
      }, 5);
      const st = chip.at(3600);
      const y = tf.tidy(() => [st.analog('s').forward(tf.tensor2d(x, [N, I])).dataSync(), st.analog('s').forward(tf.tensor2d(x, [N, I])).dataSync()]);
      st.dispose();
      return y;
    };
    const [f1, f2] = run('fused-js');
    const [t1, t2] = run('tensor-ops');
    for (const [a, b] of [[f1, t1], [f2, t2]]) {
      let off = 0;
      for (let i = 0; i < a.length; i++) if (Math.abs(a[i] - b[i]) > 1e-4 * (1 + Math.abs(b[i]))) off++;
      expect(off / a.length).toBeLessThanOrEqual(0.01); // a code at a rounding boundary may flip
    }
    expect(Array.from(f1)).not.toEqual(Array.from(f2)); // fresh read noise per call
  });

  it.each([
    ['rank1 read noise, 6-bit DAC, 7-bit ADC with output noise', { dac: { bits: 6 }, adc: { bits: 7, bound: 4, noise: 0.03 }, readNoise: { mode: 'rank1' } }, true],
    ['exact read noise, 6-bit DAC, 7-bit ADC', { dac: { bits: 6 }, adc: { bits: 7, bound: 4 }, readNoise: { mode: 'exact' } }, true],
    ['no read noise, 8-bit DAC and ADC', { dac: { bits: 8 }, adc: { bits: 8, bound: 3 }, readNoise: { enabled: false } }, false],
    ['rank1 read noise, no DAC bits, bounded ADC without bits', { dac: { bits: null }, adc: { bits: null, bound: 2 }, readNoise: { mode: 'rank1' } }, true],
  ] as [string, PeripheryOptions, boolean][])('the WebAssembly periphery kernels give the fused-JS numbers exactly (%s)', async (_, periphery, noisy) => {
    await useBackend(backend);
    const s = site(14);
    const x = new Rng(15).fillNormal(new Float32Array(N * I));
    x.fill(0, 0, I); // an all-zero input vector (the DAC's 1e-30 floor)
    const run = (execution: 'auto' | 'fused-js') => {
      const chip = Chip.program(new Map([['s', s]]), 'pcm-aihwkit', { tile: { rows: 64, cols: 32 }, ...periphery, execution }, 5);
      const st = chip.at(3600);
      const once = () => tf.tidy(() => st.analog('s').forward(tf.tensor2d(x, [N, I])).dataSync());
      const first = once(); // builds the state's kept tensors
      const before = tensorCount();
      const y = [first, once()];
      expect(tensorCount()).toBe(before);
      st.dispose();
      return y;
    };
    expect(analogKernelsFor(O)).toBe(backend === 'wasm');
    const [a1, a2] = run('auto');
    const [f1, f2] = run('fused-js');
    expect(Array.from(a1)).toEqual(Array.from(f1));
    expect(Array.from(a2)).toEqual(Array.from(f2));
    if (noisy) expect(Array.from(a1)).not.toEqual(Array.from(a2)); // fresh noise per call
    else expect(Array.from(a1)).toEqual(Array.from(a2)); // nothing random
  });

  it('never returns NaN: all-zero inputs with an abs-max DAC give the bias', async () => {
    await useBackend(backend);
    const s = site(9);
    const chip = Chip.program(new Map([['s', s]]), 'pcm-aihwkit', 'aihwkit-standard', 1);
    const state = chip.at(3600);
    const y = tf.tidy(() => state.analog('s').forward(tf.zeros([3, I])).dataSync());
    expect(y.every(Number.isFinite)).toBe(true);
    const ideal = Chip.program(new Map([['s', s]]), 'ideal', { dac: { bits: 8 }, adc: { bits: 8 } }, 1).at(0);
    const yi = tf.tidy(() => ideal.analog('s').forward(tf.zeros([2, I])).dataSync());
    for (let j = 0; j < O; j++) expect(yi[j]).toBeCloseTo(s.bias[j], 5);
    expect(() => state.analog('s').forward(tf.zeros([2, I + 1]))).toThrow(/input's last dimension is 151, expected 150/);
    state.dispose();
    ideal.dispose();
  });
});
