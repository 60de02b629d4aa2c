import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import type { PeripheryOptions } from '../../src/crossbar/index.js';
import { weightsOfSites } from '../../src/crossbar/index.js';
import { attachSites, chipAt as at, CountingChip, programSites, sharedInputGroups, SimulatorDriver } from '../../src/hil/index.js';
import { createModel, headLogits, selectSites, tinyConfig, type Model } from '../../src/model/index.js';
import { Rng, tensorCount } from '../../src/tensor/index.js';
import { maxAbsDiff, useBackend } from '../helpers/backends.js';

// 16×16 tiles: the 32×32 and 32×64 Sites span several tiles each; read noise on, so any extra or
// missing MVM of a tile changes the numbers.
const PERIPHERY: PeripheryOptions = { tile: { rows: 16, cols: 16 }, dac: { bits: 8 }, adc: { bits: 10, bound: 12 }, readNoise: true, compensation: 'none' };

function logits(model: Model, ids: tf.Tensor2D): Float32Array {
  return tf.tidy(() => headLogits(model, { inputIds: ids }).dataSync() as Float32Array);
}

describe('Sites that read the same input share one MVM request', () => {
  let model: Model;
  let ids: tf.Tensor2D;
  const layers = 2;

  beforeAll(async () => {
    await useBackend('cpu');
    model = createModel(tinyConfig({ architecture: 'roberta', numLabels: 3, numLayers: layers }), new Rng(2), { head: 'sequence-classification' });
    ids = tf.tensor2d([[0, 5, 6, 7, 2], [0, 8, 9, 2, 1]], [2, 5], 'int32');
  });

  /** Logits with the all-linear Sites on a fresh pcm chip (reset seed 7, 1 day, compensated), and the requests sent. */
  function run(shareInputs: boolean, extra?: () => () => void): { y: Float32Array; requests: number; calls: number } {
    const chip = new CountingChip(new SimulatorDriver({ profile: 'pcm-aihwkit', periphery: PERIPHERY, tiles: 512, seed: 3 }));
    const placed = programSites(chip, weightsOfSites(selectSites(model, 'all-linear')), { seed: 7, compensation: true });
    at(placed, 86400);
    const undo = extra?.();
    const att = attachSites(placed, model, { shareInputs });
    try {
      const before = chip.requests;
      return { y: logits(model, ids), requests: chip.requests - before, calls: att.mvm.calls };
    } finally {
      att.detach();
      undo?.();
      chip.closeSync();
    }
  }

  it('groups each encoder block\'s query, key and value', () => {
    const groups = sharedInputGroups(model, new Set(model.sites.keys()));
    expect(groups).toEqual([0, 1].map((b) => ['query', 'key', 'value'].map((r) => `encoder.layer.${b}.attention.self.${r}`)));
    expect(sharedInputGroups(model, new Set(['encoder.layer.0.attention.self.query']))).toEqual([]);
  });

  it('gives the logits of separate requests, bit for bit, with two requests fewer per block and flat tensor counts', () => {
    const separate = run(false);
    const held = tensorCount();
    const shared = run(true);
    expect(tensorCount()).toBe(held);
    expect(shared.y).toEqual(separate.y);
    expect(separate.requests).toBe(separate.calls);
    expect(shared.calls).toBe(separate.calls);
    expect(shared.requests).toBe(separate.requests - 2 * layers);
  });

  it('sends separate requests when a hook in front changes one member\'s input, with the same logits', () => {
    const key = model.sites.get('encoder.layer.1.attention.self.key')!;
    const scaleKey = () => key.attach('test-scale', (x, next) => next(tf.mul(x, 0.5)));
    const separate = run(false, scaleKey);
    const shared = run(true, scaleKey);
    expect(shared.y).toEqual(separate.y);
    expect(shared.requests).toBe(separate.requests - 2 * (layers - 1));
  });

  it('hands a follower the kept output only for the leader\'s input (same tensor or same values), else calls again', () => {
    const chip = new CountingChip(new SimulatorDriver({ profile: 'ideal', periphery: 'ideal', tiles: 512 }));
    const names = ['query', 'key', 'value'].map((r) => `encoder.layer.0.attention.self.${r}`);
    const sites = names.map((n) => model.sites.get(n)!);
    const placed = programSites(chip, weightsOfSites(sites), { seed: 1, compensation: false });
    const att = attachSites(placed, model);
    try {
      const x = tf.tensor2d(Array.from({ length: 3 * 32 }, (_, i) => Math.sin(i)), [3, 32]);
      const other = tf.mul(x, -1);
      const digital = (i: number, v: tf.Tensor) => tf.tidy(() => sites[i].base(v).dataSync() as Float32Array);
      const read = (t: tf.Tensor) => t.dataSync() as Float32Array;
      const q = read(sites[0].forward(x));
      expect(chip.requests).toBe(1);
      const k = read(sites[1].forward(x.clone())); // same values, another tensor: kept
      expect(chip.requests).toBe(1);
      const v = read(sites[2].forward(other)); // another input: its own call
      expect(chip.requests).toBe(2);
      expect(maxAbsDiff(q, digital(0, x))).toBeLessThan(1e-4);
      expect(maxAbsDiff(k, digital(1, x))).toBeLessThan(1e-4);
      expect(maxAbsDiff(v, digital(2, other))).toBeLessThan(1e-4);
      expect(maxAbsDiff(v, digital(2, x))).toBeGreaterThan(1e-2);
      tf.dispose([x, other]);
    } finally {
      att.detach();
      chip.closeSync();
    }
  });
});
