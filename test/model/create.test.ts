import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { createModel, tinyConfig, type Architecture } from '../../src/model/index.js';
import { Rng, tensorCount } from '../../src/tensor/index.js';
import { maxAbsDiff, TEST_BACKENDS, useBackend } from '../helpers/backends.js';

const ARCHS: Architecture[] = ['roberta', 'bert', 'gpt2'];

describe.each(TEST_BACKENDS)('createModel on %s', (backend) => {
  it.each(ARCHS)('%s: initialises like transformers and runs a finite forward without leaking', async (arch) => {
    await useBackend(backend);
    const config = tinyConfig({ architecture: arch });
    const model = createModel(config, new Rng(1, 'init'));
    expect(model.family).toBe(arch === 'gpt2' ? 'decoder' : 'encoder');
    const ids = tf.tensor2d([[0, 5, 6, 7, 2], [0, 8, 2, 1, 1]], [2, 5], 'int32');
    const mask = tf.tensor2d([[1, 1, 1, 1, 1], [1, 1, 1, 0, 0]], [2, 5], 'float32');
    const before = tensorCount();
    const y = model.forward({ inputIds: ids, attentionMask: mask });
    expect(y.shape).toEqual([2, 5, 32]);
    const data = y.dataSync();
    expect(data.every(Number.isFinite)).toBe(true);
    y.dispose();
    expect(tensorCount()).toBe(before);
    const y2 = model.forward({ inputIds: ids, attentionMask: mask });
    y2.dispose();
    expect(tensorCount()).toBe(before);
    // Init statistics: weights N(0, 0.02), biases 0, LN gamma 1.
    const first = [...model.sites.values()][0];
    const w = first.weightTensor().dataSync() as Float32Array;
    const std = Math.sqrt(w.reduce((a: number, b: number) => a + b * b, 0) / w.length);
    expect(std).toBeGreaterThan(0.015);
    expect(std).toBeLessThan(0.025);
    expect(first.bias()!.dataSync().every((v) => v === 0)).toBe(true);
    const lnName = arch === 'gpt2' ? 'ln_f.weight' : 'embeddings.LayerNorm.weight';
    expect(model.params.get(lnName).dataSync().every((v) => v === 1)).toBe(true);
    // Same seed → same weights.
    const again = createModel(config, new Rng(1, 'init'));
    expect(maxAbsDiff(again.sites.get(first.name)!.weightTensor().dataSync(), w)).toBe(0);
    again.dispose();
    model.dispose();
    ids.dispose();
    mask.dispose();
  });
});
