import { describe, expect, it } from 'vitest';
import { Chip, probeInputs, relativeSigmaTarget, sigmaTargetFromProfile, splitStatic } from '../../src/crossbar/index.js';
import { parseProfile, type DeviceModel } from '../../src/device/index.js';
import type { SiteWeights } from '../../src/model/index.js';
import { Rng, tensorCount } from '../../src/tensor/index.js';
import { parseExperiment, plan } from '../../src/experiment/index.js';
import { useBackend } from '../helpers/backends.js';

const DIN = 128, DOUT = 96;

function weights(seed = 1, std = 0.05): Map<string, SiteWeights> {
  const rng = new Rng(seed, 'w');
  return new Map([['s', { inFeatures: DIN, outFeatures: DOUT, weight: rng.fillNormal(new Float32Array(DIN * DOUT), 0, std), bias: new Float32Array(DOUT).fill(0.1) }]]);
}

const ENERGY = {
  readVoltage: { value: '0.2 V', source: 'e', verified: false },
  readTime: { value: '100 ns', source: 'e', verified: false },
  programPulseEnergy: { value: '10 pJ', source: 'e', verified: false },
  programPulseTime: { value: '1 us', source: 'e', verified: false },
};

/** A PCM-family profile without noise unless given: programming σ (units of g_max) and drift. */
function profile(id: string, programmingSigma: number, drift: unknown = { model: 'none' }): DeviceModel {
  return parseProfile({
    id, name: id, family: 'pcm', description: 'test device',
    conductance: { gMin: '0 uS', gMax: '25 uS', levels: null, clamp: 'none' },
    mapping: 'differential',
    programming: { method: 'one-shot', sigma: { type: 'constant', value: programmingSigma, unit: 'gMax', source: 'd', verified: true } },
    drift,
    energy: ENERGY,
    sources: [{ id: 'd', title: 'test' }, { id: 'e', title: 'test' }],
  }, `${id}.json`);
}

describe('σ_target from the chip’s random error', () => {
  it('a known Gaussian programming σ comes back as σ·√2·k in weight units (two devices per weight), all random', async () => {
    await useBackend('cpu');
    const w = weights();
    const sigmaG = 0.02;
    const device = profile('gauss', sigmaG);
    const r = sigmaTargetFromProfile(w, device, { t: 0, periphery: 'ideal' });
    const k = Chip.program(w, device, 'ideal').site('s').tiles[0].k[0];
    const expected = Math.SQRT2 * sigmaG * k;
    // 12288 weights: the MC standard error of a std estimate is 1/√(2n) ≈ 0.64 %.
    expect(r.sites.s / expected).toBeGreaterThan(0.98);
    expect(r.sites.s / expected).toBeLessThan(1.02);
    // pure noise: the systematic estimate is MC noise of about s·(2p)^¼/√n ≈ 0.03·s
    expect(r.detail.s.systematic).toBeLessThan(0.1 * expected);
    expect(r.detail.s.mvm).toBeLessThan(1e-6 * expected + 1e-9);
    expect(r.relative.s).toBeCloseTo(r.sites.s / r.detail.s.weightStd, 12);
    // the noise-free device gives 0 (float32 rounding of W → G → W only)
    const ideal = sigmaTargetFromProfile(w, 'ideal', { t: 3600 });
    expect(ideal.sites.s).toBeLessThan(1e-7);
  });

  it('pure drift with global compensation: the error follows W (systematic), the random part ≈ 0', async () => {
    await useBackend('cpu');
    const w = weights(2);
    // ν rises with g (no spread between devices): compensation restores the scale, not the shape.
    const device = profile('drift', 0, { model: 'power-law', t0: '20 s', nuMean: { type: 'expression', expr: '0.02 + 0.08*g', unit: '1', source: 'd', verified: true }, nuStd: { type: 'constant', value: 0, unit: '1', source: 'd', verified: true }, distribution: 'normal' });
    const r = sigmaTargetFromProfile(w, device, { t: 86400, periphery: { readNoise: false, compensation: 'global' } });
    const d = r.detail.s;
    expect(d.systematic).toBeGreaterThan(0.01 * d.weightStd);
    expect(d.random).toBeLessThan(0.02 * d.systematic);
    expect(r.sites.s).toBe(d.random);
    const total = sigmaTargetFromProfile(w, device, { t: 86400, periphery: { readNoise: false, compensation: 'global' }, part: 'total' });
    expect(total.sites.s).toBeCloseTo(Math.hypot(d.random, d.systematic), 12);
  });

  it('ADC quantisation alone gives the uniform-quantisation variance Δ²/12, in weight units', async () => {
    await useBackend('cpu');
    const w = weights(3);
    const bits = 7, bound = 8;
    const delta = bound / (2 ** (bits - 1) - 1);
    const periphery = { readNoise: false, compensation: 'none' as const, adc: { bits, bound } };
    const before = tensorCount();
    const r = sigmaTargetFromProfile(w, 'ideal', { t: 0, periphery, probes: 128 });
    expect(tensorCount()).toBe(before);
    // e_y = e_P·a·k per output (a = the probe's abs-max, the DAC scale): σ_w² = Δ²/12·k²·Σa²/Σ‖x‖².
    const k = Chip.program(w, 'ideal', periphery).site('s').tiles[0].k[0];
    const x = probeInputs(128, DIN, new Rng(0, 'sigma-target-probe').fork('s'));
    let a2 = 0, x2 = 0;
    for (let n = 0; n < 128; n++) {
      let a = 0;
      for (let i = 0; i < DIN; i++) {
        a = Math.max(a, Math.abs(x[n * DIN + i]));
        x2 += x[n * DIN + i] ** 2;
      }
      a2 += a * a;
    }
    const expected = Math.sqrt((delta * delta) / 12 * k * k * a2 / x2);
    // 12288 outputs: the MC standard error of the variance is ≈ 0.8 %, of σ ≈ 0.4 %.
    expect(r.detail.s.mvm / expected).toBeGreaterThan(0.97);
    expect(r.detail.s.mvm / expected).toBeLessThan(1.03);
    expect(r.detail.s.staticRandom).toBeLessThan(1e-7);
    expect(r.sites.s / expected).toBeGreaterThan(0.97);
  });

  it('splits a known systematic curve and a known spread; each source alone; relative targets', async () => {
    await useBackend('cpu');
    const rng = new Rng(4, 'split');
    const n = 20000;
    const w = rng.fillNormal(new Float32Array(n), 0, 1);
    const noise = rng.fillNormal(new Float32Array(n), 0, 0.01);
    const read = w.map((v, i) => v + 0.05 * v * v + noise[i]);
    const s = splitStatic(w, read);
    // m(W) = 0.05·W², RMS 0.05·√3; spread 0.01
    expect(s.systematic / (0.05 * Math.sqrt(3))).toBeCloseTo(1, 1);
    expect(s.random / 0.01).toBeGreaterThan(0.97);
    expect(s.random / 0.01).toBeLessThan(1.03);

    const wm = weights(5);
    const r = sigmaTargetFromProfile(wm, 'pcm-aihwkit', { t: 86400, sources: true, probes: 32, periphery: { dac: { bits: 8 }, adc: { bits: 8, bound: 10, noise: 0.04 } } });
    const src = r.sources!;
    expect(Object.keys(src).sort()).toEqual(['drift', 'programming', 'quantisation', 'read', 'variation']);
    // PCM has no device-to-device variation section; every other source contributes.
    expect(src.variation!.s.total).toBeLessThan(1e-6);
    for (const k of ['programming', 'read', 'drift', 'quantisation'] as const) expect(src[k]!.s.total, k).toBeGreaterThan(1e-4);
    expect(src.quantisation!.s.staticRandom).toBeLessThan(1e-6);
    // the sources do not add beyond the whole
    const sum2 = Object.values(src).reduce((a, e) => a + e!.s.random ** 2, 0);
    expect(r.detail.s.random).toBeLessThan(1.3 * Math.sqrt(sum2));

    // PCM without compensation: drift makes the error grow and follow W (systematic); a few percent of the weights' std at 1 s
    const early = sigmaTargetFromProfile(wm, 'pcm-aihwkit', { t: 1, seeds: 3, probes: 32 });
    const late = sigmaTargetFromProfile(wm, 'pcm-aihwkit', { t: 86400 * 365, seeds: 3, compensation: 'none', probes: 32 });
    expect(late.detail.s.systematic).toBeGreaterThan(10 * early.detail.s.systematic);
    expect(late.detail.s.total).toBeGreaterThan(early.detail.s.total);
    expect(early.relative.s).toBeGreaterThan(0.01);
    expect(early.relative.s).toBeLessThan(0.5);

    const rel = relativeSigmaTarget(wm, { '*': 0.5 });
    expect(rel.s).toBeCloseTo(0.5 * r.detail.s.weightStd, 9);
    expect(() => relativeSigmaTarget(wm, { other: 1 })).toThrow(/no valid fraction for Site s/);
  });

  it("an experiment's sigmaTarget may be relative: { relative: f } plans one adapter with that fraction; bad values name the pointer", () => {
    const base = { name: 'x', model: 'm', task: { id: 'spam' }, training: {}, evaluation: {}, seeds: { train: [0] } };
    const e = parseExperiment({ ...base, methods: [{ method: 'stochgrasp', sigmaTarget: { relative: 0.2 } }] }, 'e.json');
    const p = plan(e, { model: 'm', data: 'd', profiles: new Map() });
    expect(p.adapters.map((a) => a.sigmaTarget)).toEqual([{ relative: 0.2 }]);
    expect(() => parseExperiment({ ...base, methods: [{ method: 'stochgrasp', sigmaTarget: { relative: -1 } }] }, 'e.json')).toThrow(/e\.json: \/methods\/0\/sigmaTarget/);
  });
});
