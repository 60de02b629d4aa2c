import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import type { PeripheryOptions } from '../../src/crossbar/index.js';
import { attachSites, chipAt as at, BlockingChipClient, HilError, programSites, SimulatorDriver, type SyncChip } from '../../src/hil/index.js';
import { weightsOfSites } from '../../src/crossbar/index.js';
import { createModel, headLogits, selectSites, tinyConfig, type Model } from '../../src/model/index.js';
import { Rng, tensorCount } from '../../src/tensor/index.js';
import { maxAbsDiff, useBackend } from '../helpers/backends.js';
import { serveChild, type ServedChip } from './serve-child.js';

const PERIPHERY: PeripheryOptions = { tile: { rows: 16, cols: 16 }, dac: { bits: 8 }, adc: { bits: 10, bound: 12 }, readNoise: true, compensation: 'none' };

function logits(model: Model, ids: tf.Tensor2D): Float32Array {
  return tf.tidy(() => headLogits(model, { inputIds: ids }).dataSync() as Float32Array);
}

/** Logits of `model` with its all-linear Sites on `chip` (seed 7) at each t, compensated or not. */
function onChip(chip: SyncChip, model: Model, ids: tf.Tensor2D, times: number[], compensation: boolean): Float32Array[] {
  const placed = programSites(chip, weightsOfSites(selectSites(model, 'all-linear')), { seed: 7, compensation });
  return times.map((t) => {
    at(placed, t);
    const att = attachSites(placed, model);
    try {
      return logits(model, ids);
    } finally {
      att.detach();
    }
  });
}

describe('a model on a chip driver', () => {
  let model: Model;
  let ids: tf.Tensor2D;
  let served: ServedChip;

  beforeAll(async () => {
    await useBackend('cpu');
    model = createModel(tinyConfig({ architecture: 'roberta', numLabels: 3 }), new Rng(2), { head: 'sequence-classification' });
    ids = tf.tensor2d([[0, 5, 6, 7, 2], [0, 8, 9, 2, 1]], [2, 5], 'int32');
    served = await serveChild(['--profile', 'pcm-aihwkit', '--periphery', JSON.stringify(PERIPHERY), '--seed', '3', '--tiles', '512']);
  }, 60_000);
  afterAll(async () => {
    await served?.stop();
  });

  it('on the ideal chip gives the digital logits', () => {
    const digital = logits(model, ids);
    const chip = new SimulatorDriver({ profile: 'ideal', periphery: 'ideal', tiles: 512 });
    const [y] = onChip(chip, model, ids, [0], false);
    const held = tensorCount(); // the simulator holds its programmed tiles' state
    onChip(chip, model, ids, [0], false);
    expect(tensorCount()).toBe(held);
    expect(maxAbsDiff(y, digital)).toBeLessThan(1e-4);
  });

  it('gives bit-identical logits in-process and through `chip serve` on a real socket, with drift compensation by the host', () => {
    const local = new SimulatorDriver({ profile: 'pcm-aihwkit', periphery: PERIPHERY, tiles: 512, seed: 3 });
    const remote = BlockingChipClient.connect(served.address);
    try {
      for (const compensation of [false, true]) {
        const want = onChip(local, model, ids, [1, 2_592_000], compensation);
        const got = onChip(remote, model, ids, [1, 2_592_000], compensation);
        expect(got).toEqual(want);
        const scale = Math.max(...Array.from(want[0], Math.abs));
        expect(maxAbsDiff(want[0], want[1])).toBeGreaterThan(1e-3 * scale); // a month of drift changes the logits
      }
      // compensation brings 30-day logits back toward the 1-s ones
      const digital = logits(model, ids);
      const [, raw] = onChip(local, model, ids, [1, 2_592_000], false);
      const [, comp] = onChip(local, model, ids, [1, 2_592_000], true);
      expect(maxAbsDiff(comp, digital)).toBeLessThan(maxAbsDiff(raw, digital));
    } finally {
      remote.closeSync();
    }
  });

  // Last: it stops the shared server.
  it('fails with UNAVAILABLE naming the address when the server goes away mid-forward', async () => {
    const own = served;
    const remote = BlockingChipClient.connect(own.address, { timeoutMs: 5000, connectTimeoutMs: 2000 });
    try {
      const placed = programSites(remote, weightsOfSites(selectSites(model, 'all-linear')), { seed: 1, compensation: false });
      await own.stop();
      const att = attachSites(placed, model);
      try {
        const e = (() => {
          try {
            logits(model, ids);
            return null;
          } catch (err) {
            return err;
          }
        })();
        expect(e).toBeInstanceOf(HilError);
        expect((e as HilError).code).toBe('UNAVAILABLE');
        expect((e as HilError).message).toContain(own.address);
      } finally {
        att.detach();
      }
    } finally {
      remote.closeSync();
    }
  }, 60_000);
});
