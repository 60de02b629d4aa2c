/**
 * The key/value cache reproduces the full forward: the prompt in one cached call, then one token at a
 * time (with a beam-style row reorder in the middle), gives the last hidden state of Decoder.forward
 * over the whole sequence at every position, with left padding.
 */
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { loadModel } from '../../src/io/index.js';
import { Decoder, KvCache } from '../../src/model/index.js';
import { tensorCount } from '../../src/tensor/index.js';
import { maxAbsDiff, TEST_BACKENDS, useBackend } from '../helpers/backends.js';

const MODEL = new URL('../fixtures/tiny-gpt2-random/lm-head', import.meta.url).pathname;

/** Full-sequence reference: Decoder.forward with HF generation positions; hidden of the last position per row. */
function fullLast(model: Decoder, rows: number[][], mask: number[][]): Float32Array {
  const n = rows.length, len = rows[0].length;
  const pos = mask.map((m) => {
    let seen = 0;
    return m.map((v) => (v ? seen++ : 1));
  });
  const t = tf.tidy(() => {
    const h = model.forward({
      inputIds: tf.tensor2d(rows, [n, len], 'int32'),
      attentionMask: tf.tensor2d(mask, [n, len], 'float32'),
      positionIds: tf.tensor2d(pos, [n, len], 'int32'),
    });
    return tf.slice(h, [0, len - 1, 0], [n, 1, h.shape[2]]);
  });
  const data = t.dataSync() as Float32Array;
  t.dispose();
  return data;
}

describe.each(TEST_BACKENDS)('KV cache on %s', (backend) => {
  it('prefill + single-token steps + row reorder equal the full forward (1e-5), no leak', async () => {
    await useBackend(backend);
    const model = (await loadModel(MODEL)) as Decoder;
    let rows = [[0, 0, 5, 17], [61, 3, 9, 12]];
    let mask = [[0, 0, 1, 1], [1, 1, 1, 1]];
    const before = tensorCount();
    const ids = tf.tensor2d(rows, [2, 4], 'int32');
    let { hidden, cache } = model.forwardCached({ inputIds: ids, positions: Int32Array.from([1, 1, 0, 1, 0, 1, 2, 3]), keyMask: Float32Array.from(mask.flat()) }, null);
    ids.dispose();
    let nextPos = [2, 4];
    const last = (h: tf.Tensor3D) => tf.tidy(() => tf.slice(h, [0, h.shape[1] - 1, 0], [h.shape[0], 1, h.shape[2]]).dataSync() as Float32Array);
    expect(maxAbsDiff(last(hidden), fullLast(model, rows, mask))).toBeLessThan(1e-5);
    const steps: { tokens: number[]; parents?: number[] }[] = [{ tokens: [7, 8] }, { tokens: [44, 45], parents: [1, 1] }, { tokens: [3, 90], parents: [1, 0] }];
    for (const { tokens, parents } of steps) {
      if (parents) {
        const old: KvCache = cache;
        cache = old.select(parents);
        old.dispose();
        rows = parents.map((p) => rows[p]);
        mask = parents.map((p) => mask[p]);
        nextPos = parents.map((p) => nextPos[p]);
      }
      rows = rows.map((r, i) => [...r, tokens[i]]);
      mask = mask.map((m) => [...m, 1]);
      hidden.dispose();
      const t = tf.tensor2d(tokens.map((x) => [x]), [2, 1], 'int32');
      const out = model.forwardCached({ inputIds: t, positions: Int32Array.from(nextPos), keyMask: Float32Array.from(mask.flat()) }, cache);
      t.dispose();
      cache.dispose();
      ({ hidden, cache } = out);
      nextPos = nextPos.map((p) => p + 1);
      expect(cache.length).toBe(rows[0].length);
      expect(maxAbsDiff(last(hidden), fullLast(model, rows, mask)), `after ${tokens}`).toBeLessThan(1e-5);
    }
    hidden.dispose();
    cache.dispose();
    expect(tensorCount()).toBe(before);
    model.dispose();
  });

  it('rejects a key mask or positions of the wrong length, naming what was expected', async () => {
    await useBackend(backend);
    const model = (await loadModel(MODEL)) as Decoder;
    const ids = tf.tensor2d([[1, 2]], [1, 2], 'int32');
    expect(() => model.forwardCached({ inputIds: ids, positions: Int32Array.from([0, 1]), keyMask: Float32Array.from([1]) }, null)).toThrow(/keyMask has 1 entries, expected rows·\(past \+ seq\) = 2/);
    expect(() => model.forwardCached({ inputIds: ids, positions: Int32Array.from([0, 40]), keyMask: Float32Array.from([1, 1]) }, null)).toThrow(/positions \(max positions 40\)/);
    ids.dispose();
    model.dispose();
  });
});
