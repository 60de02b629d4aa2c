/**
 * The WebAssembly kernels: the committed module bytes are their WAT sources assembled by wabt, and on
 * wasm each kernel's fast path is actually taken (its custom kernel shows in tf.profile's kernel
 * names) and gives the reference path's numbers (the tf ops the cpu backend runs).
 */
import { beforeAll, describe, expect, it, vi } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { Chip } from '../../src/crossbar/index.js';
import { assembleWat } from '../../scripts/assemble-wat.js';
import {
  batchMatMul, fillKeyedNormal, inputAffine, inputAffineGrad, keyedNormalTensor, localTerm, localTermGrad, localTermInputGrad, noiseKey, Rng, rowStats,
} from '../../src/tensor/index.js';
import { WasmKernels } from '../../src/tensor/wasm-kernels.js';
import { WASM_MODULES } from '../../src/tensor/wasm-modules.generated.js';
import { WAT_SOURCES } from '../../src/tensor/wat/index.js';
import { maxAbsDiff, useBackend } from '../helpers/backends.js';

describe('kernel modules', () => {
  it.each(Object.keys(WAT_SOURCES) as (keyof typeof WAT_SOURCES)[])('%s: the committed bytes are the WAT source assembled by wabt (scripts/write-kernels.ts)', async (name) => {
    const bytes = await assembleWat(name, WAT_SOURCES[name]);
    expect(Buffer.from(bytes).toString('base64')).toBe(WASM_MODULES[name]);
  });
});

type Case = (rng: Rng) => () => tf.Tensor[];

/** Runs `make`'s op on cpu (the tf-op reference) and on wasm; returns both results and the wasm kernels run. */
async function onBoth(seed: string, make: Case): Promise<{ ref: Float32Array[]; got: Float32Array[]; kernels: string[] }> {
  const run = () => {
    const op = make(new Rng(3, seed));
    return op().map((t) => t.dataSync() as Float32Array);
  };
  await useBackend('cpu');
  let ref: Float32Array[] = [];
  tf.tidy(() => { ref = run(); });
  await useBackend('wasm');
  const before = tf.memory().numTensors;
  let got: Float32Array[] = [];
  const profile = await tf.profile(() => { tf.tidy(() => { got = run(); }); });
  expect(tf.memory().numTensors).toBe(before);
  return { ref, got, kernels: profile.kernelNames };
}

const randn = (rng: Rng, shape: number[]) => tf.tensor(rng.fillNormal(new Float32Array(shape.reduce((a, b) => a * b, 1))), shape);

describe('fast paths on wasm', () => {
  beforeAll(async () => useBackend('wasm'));

  it.each([[8, 16], [5, 12]])('batchMatMul runs GraspHilBatchMatMul (m = %i, n = %i) with tf.matMul\'s numbers', async (m, n) => {
    const { ref, got, kernels } = await onBoth(`bmm/${m}/${n}`, (rng) => {
      const [a, b] = [randn(rng, [2, 3, m, 20]), randn(rng, [2, 3, 20, n])];
      return () => [batchMatMul(a, b)];
    });
    expect(kernels).toContain('GraspHilBatchMatMul');
    expect(kernels).not.toContain('BatchMatMul');
    expect(maxAbsDiff(got[0], ref[0])).toBeLessThan(1e-4);
  });

  it('inputAffine and inputAffineGrad run GraspHilInputAffine and GraspHilInputAffineGrad with the tf ops\' numbers', async () => {
    const { ref, got, kernels } = await onBoth('input-affine', (rng) => {
      const [x, dh] = [randn(rng, [7, 24]) as tf.Tensor2D, randn(rng, [7, 24]) as tf.Tensor2D];
      const [a, c] = [randn(rng, [24]), randn(rng, [24])];
      return () => {
        const g = inputAffineGrad(dh, x, a);
        return [inputAffine(x, a, c), g.dx, g.da, g.dc];
      };
    });
    expect(kernels).toEqual(expect.arrayContaining(['GraspHilInputAffine', 'GraspHilInputAffineGrad']));
    for (let i = 0; i < ref.length; i++) expect(maxAbsDiff(got[i], ref[i])).toBeLessThan(1e-4);
  });

  it('AnalogLinear (execution auto) runs GraspHilDacCodes and GraspHilAdcAccumulate, with the fused-JS loops\' numbers exactly', async () => {
    const [I, O, N] = [40, 16, 5];
    const rng = new Rng(4, 'analog-site');
    const s = { inFeatures: I, outFeatures: O, weight: rng.fillNormal(new Float32Array(I * O), 0, 0.1), bias: rng.fillNormal(new Float32Array(O), 0, 0.5) };
    const x = rng.fillNormal(new Float32Array(N * I));
    const forward = async (execution: 'auto' | 'fused-js') => {
      const chip = Chip.program(new Map([['s', s]]), 'pcm-aihwkit', { tile: { rows: 32, cols: 8 }, dac: { bits: 6 }, adc: { bits: 7, bound: 4, noise: 0.03 }, readNoise: { mode: 'rank1' }, execution }, 5);
      const state = chip.at(3600);
      let y: ArrayLike<number> = [];
      const profile = await tf.profile(() => { y = tf.tidy(() => state.analog('s').forward(tf.tensor2d(x, [N, I])).dataSync()); });
      state.dispose();
      return { y, kernels: profile.kernelNames };
    };
    const auto = await forward('auto'), js = await forward('fused-js');
    expect(auto.kernels).toEqual(expect.arrayContaining(['GraspHilDacCodes', 'GraspHilAdcAccumulate']));
    expect(js.kernels).not.toContain('GraspHilDacCodes');
    expect(Array.from(auto.y)).toEqual(Array.from(js.y));
  });

  it.each([[true, 32], [false, 12]])('localTerm, localTermGrad, rowStats and localTermInputGrad run their four kernels (noise %s, D = %i) with the tf ops\' numbers', async (noisy, d) => {
    const { ref, got, kernels } = await onBoth(`local-noise/${d}`, (rng) => {
      const n = 6;
      const [x, y, dy, dh] = [randn(rng, [n, 20]), randn(rng, [n, d]), randn(rng, [n, d]), randn(rng, [n, 20])] as tf.Tensor2D[];
      const [mu, sigma, bias] = [randn(rng, [d]), tf.abs(randn(rng, [d])), randn(rng, [d])];
      const key = noiseKey(rng);
      return () => {
        const { s1, s2 } = rowStats(x);
        const { value, xi } = localTerm(y, bias, s1, s2, { mu, sigma: noisy ? sigma : null, key });
        const g = localTermGrad(dy, xi, s1, s2, mu, noisy ? sigma : null);
        // the input gradient of a [n, 20] input, given r₁, r₂ of [n, 1]
        const dx = localTermInputGrad(x, dh, g.r1, g.r2, s2);
        return [s1, s2, value, g.dMu, g.r1, dx, ...(noisy ? [xi!, g.dSigma!, g.r2!] : [])];
      };
    });
    expect(kernels).toEqual(expect.arrayContaining(['GraspHilRowStats', 'GraspHilLocalTerm', 'GraspHilLocalTermGrad', 'GraspHilLocalTermInputGrad']));
    expect(got).toHaveLength(ref.length);
    for (let i = 0; i < ref.length; i++) expect(maxAbsDiff(got[i], ref[i])).toBeLessThan(1e-4);
    if (noisy) expect(Array.from(got[6])).toEqual(Array.from(ref[6])); // ξ: the same float32 numbers
  });

  it('keyedNormalTensor fills whole pairs of blocks with the module\'s fill kernel, the same numbers as the JavaScript reference', async () => {
    const key = noiseKey(new Rng(5, 'keyed'));
    const spy = vi.spyOn(WasmKernels.prototype, 'forBackend');
    try {
      const t = keyedNormalTensor([3, 40], key); // 7 pairs of blocks (112 numbers) from the kernel, 8 from JavaScript
      const got = t.dataSync();
      t.dispose();
      expect(spy.mock.contexts.map((k) => (k as WasmKernels).module)).toContain('localNoise');
      const want = new Float32Array(120);
      fillKeyedNormal(key, want, 0);
      expect(Array.from(got)).toEqual(Array.from(want));
    } finally {
      spy.mockRestore();
    }
  });
});
