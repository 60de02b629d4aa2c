import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { Chip, estimateEnergy, resolvePeriphery, weightsOfSites } from '../../src/crossbar/index.js';
import { loadProfile, parseProfile, type DeviceProfileJson } from '../../src/device/index.js';
import { createModel, selectSites, tinyConfig, type SiteWeights } from '../../src/model/index.js';
import { Rng, tensorCount } from '../../src/tensor/index.js';
import { useBackend } from '../helpers/backends.js';

function weights(seed: number, sites: [string, number, number][]): Map<string, SiteWeights> {
  const rng = new Rng(seed, 'w');
  return new Map(sites.map(([name, i, o]) => [name, {
    inFeatures: i, outFeatures: o, weight: rng.fork(name).fillNormal(new Float32Array(i * o), 0, 0.05), bias: new Float32Array(o).fill(0.1),
  }]));
}

const W = () => weights(1, [['a', 300, 40], ['b', 40, 700]]);

describe('Chip', () => {
  it('maps Sites to tiles of device pairs (or single devices with an offset) and counts them', () => {
    const chip = Chip.program(W(), 'pcm-aihwkit', { tile: { rows: 128, cols: 256 } }, 1);
    const s = chip.summary();
    expect(s).toMatchObject({ profile: 'pcm-aihwkit', sites: 2, tiles: 3 * 1 + 1 * 3, weights: 300 * 40 + 40 * 700, mapping: 'differential' });
    expect(s.devices).toBe(2 * s.weights);
    expect(s.pulses).toBe(s.devices);
    const cmo = Chip.program(W(), 'rram-cmo', {}, 1).summary();
    expect(cmo.mapping).toBe('offset');
    expect(cmo.devices).toBe(cmo.weights);
    expect(cmo.pulses).toBe(10 * cmo.devices);
  });

  it('same seeds give identical conductances; a Site does not depend on which others are on the chip', () => {
    const a = Chip.program(W(), 'fefet', { tile: { rows: 64, cols: 64 } }, { chip: 3, program: 4 });
    const b = Chip.program(W(), 'fefet', { tile: { rows: 64, cols: 64 } }, { chip: 3, program: 4 });
    const onlyB = Chip.program(new Map([['b', W().get('b')!]]), 'fefet', { tile: { rows: 64, cols: 64 } }, { chip: 3, program: 4 });
    for (const name of ['a', 'b']) {
      a.site(name).tiles.forEach((t, k) => expect(Array.from(t.state)).toEqual(Array.from(b.site(name).tiles[k].state)));
    }
    onlyB.site('b').tiles.forEach((t, k) => expect(Array.from(t.state)).toEqual(Array.from(a.site('b').tiles[k].state)));
    const sa = a.at(3600).effectiveWeights('a');
    const sb = b.at(3600).effectiveWeights('a');
    expect(Array.from(sa.weight)).toEqual(Array.from(sb.weight));
    // the chip seed fixes variation and faults; the programming seed does not change them
    const c = Chip.program(W(), 'fefet', { tile: { rows: 64, cols: 64 } }, { chip: 3, program: 5 });
    const faults = (ch: Chip) => ch.site('a').tiles.map((t) => Array.from(t.faults.index));
    expect(faults(c)).toEqual(faults(a));
    expect(Array.from(c.site('a').tiles[0].state)).not.toEqual(Array.from(a.site('a').tiles[0].state));
  });

  it('a new read seed changes only per-MVM read noise; a new time seed changes the state at t', async () => {
    await useBackend('cpu');
    const chip = Chip.program(W(), 'pcm-aihwkit', {}, 7);
    const s1 = chip.at(86400);
    const s2 = chip.at(86400, { read: 99 });
    const s3 = chip.at(86400, { time: 42 });
    expect(Array.from(s2.site('a').wn)).toEqual(Array.from(s1.site('a').wn));
    expect(Array.from(s2.site('a').kAlpha)).toEqual(Array.from(s1.site('a').kAlpha));
    expect(Array.from(s2.effectiveWeights('a', { readNoise: false }).weight)).toEqual(Array.from(s1.effectiveWeights('a', { readNoise: false }).weight));
    expect(Array.from(s3.site('a').wn)).not.toEqual(Array.from(s1.site('a').wn));
    const x = tf.tensor2d(new Rng(1).fillNormal(new Float32Array(4 * 300)), [4, 300]);
    const y1 = tf.tidy(() => s1.analog('a').forward(x).dataSync());
    const y1again = tf.tidy(() => chip.at(86400).analog('a').forward(x).dataSync());
    const y2 = tf.tidy(() => s2.analog('a').forward(x).dataSync());
    expect(Array.from(y1again)).toEqual(Array.from(y1));
    expect(Array.from(y2)).not.toEqual(Array.from(y1));
    const diff = Math.max(...Array.from(y1, (v, i) => Math.abs(v - y2[i])));
    expect(diff).toBeLessThan(0.2); // read noise only: small against |y| ~ 1
    for (const s of [s1, s2, s3]) s.dispose();
    x.dispose();
  });

  it('global drift compensation is exact for a noise-free device with a constant ν: α = ((t + t0)/t0)^ν', () => {
    const json = JSON.parse(JSON.stringify(loadProfile('pcm-aihwkit').json)) as DeviceProfileJson;
    const zero = { type: 'constant', value: 0, unit: 'gMax', source: 'aihwkit-pcm', verified: true };
    json.programming = { method: 'one-shot', sigma: zero };
    json.drift = {
      model: 'power-law', t0: '20 s', distribution: 'normal',
      nuMean: { type: 'constant', value: 0.06, unit: '1', source: 'aihwkit-pcm', verified: true },
      nuStd: { type: 'constant', value: 0, unit: '1', source: 'aihwkit-pcm', verified: true },
    };
    delete json.readNoise;
    const device = parseProfile(json, 'constant-nu.json');
    const w = W();
    for (const mode of ['global', 'global-exact', 'column', 'column-exact'] as const) {
      const chip = Chip.program(w, device, { compensation: mode, tile: { rows: 128, cols: 256 }, scale: mode.startsWith('column') ? 'column' : 'tile' }, 1);
      for (const t of [0, 1, 3600, 86400 * 365]) {
        const st = chip.at(t);
        const alpha = ((t + 20) / 20) ** 0.06;
        for (const a of st.site('a').alpha) expect(a).toBeCloseTo(alpha, 5);
        const back = st.effectiveWeights('a').weight;
        const orig = w.get('a')!.weight;
        let m = 0;
        for (let i = 0; i < orig.length; i++) m = Math.max(m, Math.abs(back[i] - orig[i]));
        expect(m).toBeLessThan(1e-6);
      }
      expect(chip.at(3600, { compensation: 'none' }).site('a').alpha.every((a) => a === 1)).toBe(true);
    }
  });

  it('rejects bad input with clear errors', () => {
    const w = W();
    expect(() => Chip.program(w, 'ideal', { tile: { rows: 0, cols: 4 } })).toThrow(/periphery\.tile\.rows must be an integer ≥ 1 \(a tile is at least 1×1\), got 0/);
    expect(() => Chip.program(w, 'ideal', { tile: { rows: 2.5, cols: 4 } })).toThrow(/tile\.rows must be an integer ≥ 1/);
    expect(() => Chip.program(w, 'ideal', { dac: { bits: 1 } })).toThrow(/dac\.bits must be an integer from 2 to 24/);
    expect(() => Chip.program(w, 'ideal', { adc: { bits: 8, bound: -1 } })).toThrow(/adc\.bound must be a finite number > 0/);
    expect(() => Chip.program(w, 'ideal', { compensation: 'sometimes' as never })).toThrow(/compensation must be one of none, global, global-exact, column, column-exact/);
    expect(() => Chip.program(w, 'ideal', 'fancy')).toThrow(/unknown periphery preset 'fancy'; presets: ideal, aihwkit-standard/);
    expect(() => Chip.program(new Map(), 'ideal')).toThrow(/no Sites to program/);
    const bad = new Map([['x', { inFeatures: 2, outFeatures: 2, weight: new Float32Array([1, NaN, 0, 1]), bias: null }]]);
    expect(() => Chip.program(bad, 'ideal')).toThrow(/Site 'x': weight\[1\] is NaN/);
    const short = new Map([['x', { inFeatures: 2, outFeatures: 2, weight: new Float32Array(3), bias: null }]]);
    expect(() => Chip.program(short, 'ideal')).toThrow(/weight has 3 values, expected 2×2/);
    const chip = Chip.program(w, 'pcm-aihwkit');
    expect(() => chip.at(-1)).toThrow(/finite number ≥ 0 seconds, got -1/);
    expect(() => chip.at(NaN)).toThrow(/got NaN/);
    expect(() => chip.at(0).site('zzz')).toThrow(/Site 'zzz' is not on this chip; programmed Sites: a, b/);
    expect(resolvePeriphery({}).tile).toEqual({ rows: 512, cols: 512 });
  });

  it('all-zero weights program to g_min and read back as zeros (no NaN)', () => {
    const z = new Map([['z', { inFeatures: 5, outFeatures: 3, weight: new Float32Array(15), bias: null }]]);
    for (const p of ['pcm-aihwkit', 'rram-cmo', 'ideal']) {
      const back = Chip.program(z, p).at(3600).effectiveWeights('z', { readNoise: false }).weight;
      expect(back.every(Number.isFinite)).toBe(true);
    }
  });
});

describe('energy', () => {
  it('estimates energy and latency per inference, labelled as an estimate, decomposed by component', () => {
    const chip = Chip.program(W(), 'pcm-aihwkit', { dac: { bits: 8 }, adc: { bits: 8 } }, 1);
    const e = estimateEnergy(chip, { tokens: 128 });
    expect(e.label).toBe('estimate');
    const b = e.perInference.breakdown;
    expect(Object.values(b).every((v) => v > 0)).toBe(true);
    expect(e.perInference.energy).toBeCloseTo(b.cellRead + b.dac + b.rowDrivers + b.adc + b.digital, 20);
    expect(e.perInference.mvms).toBe(128 * chip.summary().tiles);
    expect(e.programming.pulses).toBe(chip.summary().pulses);
    expect(e.programming.energy).toBeCloseTo(chip.summary().pulses * 10e-12, 18);
    const e2 = estimateEnergy(chip, { tokens: 256 });
    expect(e2.perInference.energy).toBeCloseTo(2 * e.perInference.energy, 18);
    // more ADC bits cost exponentially more ADC energy
    const chip10 = Chip.program(W(), 'pcm-aihwkit', { dac: { bits: 8 }, adc: { bits: 10 } }, 1);
    expect(estimateEnergy(chip10, { tokens: 128 }).perInference.breakdown.adc).toBeCloseTo(4 * b.adc, 18);
    expect(() => estimateEnergy(chip, { tokens: 0 })).toThrow(/tokens must be an integer ≥ 1/);
  });
});

describe.each(['roberta', 'gpt2'] as const)('Chip with a %s model', (arch) => {
  it('replaces the selected Sites by AnalogLinear layers (ideal device = digital), detaches cleanly, no leaks', async () => {
    await useBackend('cpu');
    const model = createModel(tinyConfig({ architecture: arch }), new Rng(1, 'init'));
    const ids = tf.tensor2d([[0, 5, 6, 7, 2], [0, 8, 9, 2, 1]], [2, 5], 'int32');
    const digital = model.forward({ inputIds: ids });
    const sites = selectSites(model, 'all-linear');
    const chip = Chip.program(weightsOfSites(sites), 'ideal', {}, 1);
    const state = chip.at(0);
    const before = tensorCount();
    const detach = state.attach(model);
    expect(sites.every((s) => s.attachedOwners().includes('analog'))).toBe(true);
    const analog = model.forward({ inputIds: ids });
    const d = digital.dataSync();
    const a = analog.dataSync();
    let m = 0, s = 0;
    for (let i = 0; i < d.length; i++) {
      m = Math.max(m, Math.abs(a[i] - d[i]));
      s = Math.max(s, Math.abs(d[i]));
    }
    expect(m / s).toBeLessThan(1e-5);
    analog.dispose();
    detach();
    expect(sites.every((x) => x.attachedOwners().length === 0)).toBe(true);
    const again = model.forward({ inputIds: ids });
    expect(Array.from(again.dataSync())).toEqual(Array.from(d));
    again.dispose();
    state.dispose();
    expect(tensorCount()).toBe(before);
    // a noisy chip changes the output but keeps it finite
    const noisy = Chip.program(weightsOfSites(sites), 'pcm-aihwkit', 'aihwkit-standard', 1).at(86400);
    const off = noisy.attach(sites);
    const y = model.forward({ inputIds: ids });
    expect(y.dataSync().every(Number.isFinite)).toBe(true);
    expect(Array.from(y.dataSync())).not.toEqual(Array.from(d));
    off();
    y.dispose();
    noisy.dispose();
    digital.dispose();
    ids.dispose();
    model.dispose();
  });
});
