/**
 * Pulsed programming (src/device/pulsed.ts) against closed forms:
 *   - noiseless soft bounds / linear step: verify stops after the analytic number of pulses, within tolerance;
 *   - cycle-to-cycle noise: after n constant steps the spread is dw·σ·√n;
 *   - device-to-device variation of the step: open loop leaves |w_T − w_0|·σ_dtod, verify leaves ≤ tol;
 *     the profile's static variation is likewise corrected by verify;
 *   - the shipped fefet profile reproduces NeuroSim V2.1's pulse response w(P) (fixture written by
 *     scripts/fefet-neurosim-pulsed.py from NeuroSim's formula);
 *   - pulses per device of the shipped profiles.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadProfile, parseProfile, type DeviceModel, type DeviceProfileJson, type PulsedDeviceJson, type PulsedProgrammingJson, type PulsedWriter } from '../../src/device/index.js';
import { characterise, Chip, programmingCost, PulseHistogram } from '../../src/crossbar/index.js';
import { fillStandardNormal } from '../../src/device/index.js';
import { Rng } from '../../src/tensor/index.js';

const base = (programming: Partial<PulsedProgrammingJson> & { device: PulsedDeviceJson }, extra: Partial<DeviceProfileJson> = {}): DeviceProfileJson => ({
  id: 'pulsed-test',
  name: 'pulsed test device',
  family: 'ecram',
  conductance: { gMin: '0 uS', gMax: '10 uS', levels: null, clamp: 'none' },
  programming: { method: 'pulsed', maxPulses: 5000, tolerance: { value: '0.2 %', of: 'gMax' }, ...programming } as PulsedProgrammingJson,
  sources: [{ id: 'test', title: 'test' }],
  ...extra,
});
const device = (json: DeviceProfileJson): DeviceModel => parseProfile(json, 'pulsed-test.json');
const writer = (m: DeviceModel): PulsedWriter => m.programming as PulsedWriter;

function stats(a: ArrayLike<number>): { mean: number; std: number } {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  const mean = s / a.length;
  let v = 0;
  for (let i = 0; i < a.length; i++) v += (a[i] - mean) ** 2;
  return { mean, std: Math.sqrt(v / (a.length - 1)) };
}
const within = (actual: number, expected: number, rel = 0.03): void => {
  expect(Math.abs(actual - expected) / Math.abs(expected), `actual ${actual} vs expected ${expected}`).toBeLessThan(rel);
};

/** Programs `targets` with the device's writer directly (no faults); returns state and pulse counts. */
function program(m: DeviceModel, targets: number[], seed = 1): { out: Float32Array; counts: Uint32Array; pulses: number } {
  const target = Float32Array.from(targets);
  const out = new Float32Array(target.length);
  const counts = new Uint32Array(target.length);
  const rng = new Rng(seed, 'pulsed-test');
  const pulses = m.programmingNoise(target, out, rng.fork('write'), { device: rng.fork('device'), counts });
  return { out, counts, pulses };
}

describe('pulsed programming without noise', () => {
  it('soft bounds: verify stops after the analytic pulse count, within tolerance, up and down', () => {
    // w ∈ [−1, 1] ↦ g = (w + 1)/2; soft bounds (γ = 1): b − w_n = (b − w_0)(1 − dw/b)^n
    const dw = 0.01;
    const m = device(base({ device: { dwMin: dw, wMin: -1, wMax: 1 } }));
    const tolW = 0.002 * 2; // 0.2 % of g_max in weight units
    const targetsW = [-0.9, -0.5, -0.123, 0.05, 0.3, 0.77, 0.95];
    const r = program(m, targetsW.map((w) => (w + 1) / 2));
    targetsW.forEach((wT, i) => {
      // first n with w_n within tolerance; the step (≤ 0.01) is below 2·tol, so no overshoot
      const expected = wT > 0
        ? Math.ceil(Math.log((1 - (wT - tolW)) / 1) / Math.log(1 - dw))
        : Math.ceil(Math.log((1 + (wT + tolW)) / 1) / Math.log(1 - dw));
      expect(r.counts[i], `w_T ${wT}`).toBe(expected);
      expect(Math.abs(r.out[i] - (wT + 1) / 2)).toBeLessThanOrEqual(0.002 + 1e-7);
    });
    expect(r.pulses).toBe(r.counts.reduce((a, b) => a + b, 0));
  });

  it('linear step (γ = 0.5): the fixed point moves to b/γ, and the count follows it', () => {
    const dw = 0.004;
    const m = device(base({ device: { dwMin: dw, wMin: -1, wMax: 1, gammaUp: 0.5, gammaDown: 0.5 } }));
    const wT = 0.8;
    const r = program(m, [(wT + 1) / 2]);
    // w* − w_n = (w* − 0)(1 − dw·γ)^n with w* = 1/γ = 2
    const expected = Math.ceil(Math.log((2 - (wT - 0.004)) / 2) / Math.log(1 - dw * 0.5));
    expect(r.counts[0]).toBe(expected);
  });

  it('start low: an erased device at g_min needs no pulse for a g_min target', () => {
    const m = device(base({ device: { dwMin: 0.01, wMin: -1, wMax: 1 }, start: 'low' }));
    const r = program(m, [0, 0.5]);
    expect(r.counts[0]).toBe(0);
    // from w_0 = −1 up to w_T = 0 with tolerance 0.004: 1 − w_n = 2·0.99^n ≤ 1.004
    expect(r.counts[1]).toBe(Math.ceil(Math.log(1.004 / 2) / Math.log(0.99)));
    expect(Math.abs(r.out[1] - 0.5)).toBeLessThanOrEqual(0.002 + 1e-7);
  });
});

describe('cycle-to-cycle noise per pulse', () => {
  it('adds variance n·(dw·σ)² after n constant steps (open loop, γ = 0), additive and multiplicative', () => {
    const n = 20_000;
    for (const noise of ['additive', 'multiplicative'] as const) {
      const dw = 0.005;
      const sigma = 0.4;
      const m = device(base({ device: { dwMin: dw, wMin: -1, wMax: 1, gammaUp: 0, gammaDown: 0, dwMinStd: sigma, noise }, verify: false }));
      const steps = 120; // w_T = 0.6 from 0
      const r = program(m, new Array(n).fill((steps * dw + 1) / 2), 7);
      expect(r.counts.every((c) => c === steps)).toBe(true);
      const w = Float64Array.from(r.out, (g) => 2 * g - 1);
      const s = stats(w);
      within(s.std, dw * sigma * Math.sqrt(steps));
      expect(Math.abs(s.mean - steps * dw)).toBeLessThan(4 * s.std / Math.sqrt(n));
    }
  });

  it('scales with the profile programming scale (0 turns it off)', () => {
    const m = device(base({ device: { dwMin: 0.005, wMin: -1, wMax: 1, gammaUp: 0, gammaDown: 0, dwMinStd: 0.4 }, verify: false }));
    const r = program(m.withScales({ programming: 0 }), new Array(100).fill(0.8));
    expect(new Set(r.out).size).toBe(1);
  });
});

describe('device-to-device variation', () => {
  const n = 20_000;
  const dtod = 0.2;
  const dev: PulsedDeviceJson = { dwMin: 0.005, wMin: -1, wMax: 1, gammaUp: 0, gammaDown: 0, dwMinDtod: dtod };

  it('of the step: open loop leaves |w_T − w_0|·σ_dtod; verify corrects it to within tolerance', () => {
    const wT = 0.5;
    const open = program(device(base({ device: dev, verify: false })), new Array(n).fill((wT + 1) / 2), 3);
    within(stats(Float64Array.from(open.out, (g) => 2 * g - 1)).std, wT * dtod);
    const verified = program(device(base({ device: dev })), new Array(n).fill((wT + 1) / 2), 3);
    let worst = 0;
    for (const g of verified.out) worst = Math.max(worst, Math.abs(g - (wT + 1) / 2));
    expect(worst).toBeLessThanOrEqual(0.002 + 1e-7);
    // verify pays for it in pulses: a device with step dw·(1 + δ) needs ≈ 100/(1 + δ) of them
    const c = PulseHistogram.of(verified.counts).stats();
    expect(c.max).toBeGreaterThan(c.median + 10);
  });

  it('of the bounds: a device pulsed to its own bound stops there', () => {
    const m = device(base({ device: { dwMin: 0.01, wMin: -1, wMax: 1, gammaUp: 0, gammaDown: 0, wMaxDtod: 0.05 } }));
    const r = program(m, new Array(2000).fill(1), 5);
    // half the devices have b_max < 1: they end at b_max (error = their bound's spread), never at maxPulses
    expect(PulseHistogram.of(r.counts).stats().max).toBeLessThanOrEqual(106);
    const short = [...r.out].filter((g) => g < 1 - 0.002);
    expect(short.length / 2000).toBeGreaterThan(0.4);
    within(stats(Float64Array.from(short, (g) => 2 * g - 1)).mean, 1 - 0.05 * Math.sqrt(2 / Math.PI), 0.01);
  });

  it("the profile's static variation is read and corrected by verify, not by open loop (chip pipeline)", () => {
    const variation = { sigma: { type: 'constant', value: 0.05, unit: '1', source: 'test', verified: false } } as DeviceProfileJson['variation'];
    const target = new Float32Array(n).fill(0.6);
    for (const verify of [true, false]) {
      const m = device(base({ device: { dwMin: 0.005, wMin: -1, wMax: 1, gammaUp: 0, gammaDown: 0 }, verify }, { variation }));
      const c = characterise(m, 0.6, 0, { targets: target, seed: 9 });
      const rel = Float64Array.from(c.state, (g) => g / 0.6 - 1);
      if (verify) expect(Math.max(...rel.map(Math.abs)) * 0.6).toBeLessThanOrEqual(0.002 + 1e-6);
      else within(stats(rel).std, 0.05);
    }
  });
});

describe('device-to-device variation and the other methods', () => {
  it('one-shot applies it after programming; acceptance-range (a verify loop) has corrected it', () => {
    const n = 50_000;
    const variation = { sigma: { type: 'constant', value: 0.05, unit: '1', source: 'test', verified: false } } as DeviceProfileJson['variation'];
    const sigma = { type: 'constant', value: 0.01, unit: 'gMax', source: 'test', verified: false };
    const oneShot = device({ ...base({ device: { dwMin: 0.01, wMin: -1, wMax: 1 } }, { variation }), programming: { method: 'one-shot', sigma } as DeviceProfileJson['programming'] });
    const accept = device({ ...base({ device: { dwMin: 0.01, wMin: -1, wMax: 1 } }, { variation }), programming: { method: 'acceptance-range', range: '2 %', sigma: { '2 %': sigma } } as DeviceProfileJson['programming'] });
    const g = 0.6;
    // one-shot: G = d·(G_T + σz): var = (σ_d2d·G_T)² + σ² (to first order)
    within(stats(characterise(oneShot, g, 0, { samples: n, seed: 11 }).state).std, Math.hypot(0.05 * g, 0.01));
    within(stats(characterise(accept, g, 0, { samples: n, seed: 11 }).state).std, 0.01);
  });
});

describe('shipped pulsed profiles', () => {
  const fx = JSON.parse(readFileSync(new URL('./fixtures/fefet-neurosim.json', import.meta.url), 'utf8')) as { ltp: number[]; ltd: number[] };

  it("fefet follows NeuroSim V2.1's pulse response w(P) = B(1 − e^(−P/A)) − 1 (and its mirror for depression)", () => {
    const json = JSON.parse(readFileSync(loadProfile('fefet').file, 'utf8')) as DeviceProfileJson;
    const p = json.programming as PulsedProgrammingJson;
    for (const [start, curve] of [['low', fx.ltp], ['high', fx.ltd]] as const) {
      const m = parseProfile({ ...json, programming: { ...p, verify: false, start } }, 'fefet-open.json').withScales({ programming: 0, variation: 0 });
      const wr = writer(m);
      const r = program(m, curve.map((w) => wr.conductance(w)));
      curve.forEach((w, P) => {
        expect(r.counts[P], `P = ${P}`).toBe(P);
        expect(Math.abs(wr.weight(r.out[P]) - w), `P = ${P}`).toBeLessThan(2e-6);
      });
    }
  });

  it('pulses per device: ECRAM needs hundreds from its symmetry point, FeFET tens from erase', () => {
    const ecram = characterise(loadProfile('ecram'), 0.05, 0, { samples: 4000, seed: 2 }); // the g_min side of a differential pair
    const e = PulseHistogram.of(ecram.pulseCounts).stats();
    expect(e.median).toBeGreaterThan(300);
    expect(e.median).toBeLessThan(1000);
    const fefet = characterise(loadProfile('fefet'), 1, 0, { samples: 4000, seed: 2 });
    const f = PulseHistogram.of(fefet.pulseCounts).stats();
    expect(f.median).toBeGreaterThanOrEqual(25);
    expect(f.median).toBeLessThanOrEqual(40);
  });
});

describe('a chip programmed pulse by pulse', () => {
  it('reports the pulses of every device, energy = pulses × pulse energy, time = busiest tile × pulse time', () => {
    const weight = fillStandardNormal(new Rng(3, 'w'), new Float32Array(64 * 48), 0, 0.05);
    const chip = Chip.program(new Map([['a', { inFeatures: 64, outFeatures: 48, weight, bias: null }]]), 'fefet', { tile: { rows: 32, cols: 32 } }, 4);
    const c = programmingCost(chip);
    const tiles = chip.site('a').tiles;
    expect(c.pulses.devices).toBe(2 * 64 * 48);
    expect(c.pulses.pulses).toBe(tiles.reduce((n, t) => n + t.pulses, 0));
    expect(c.energy).toBeCloseTo(c.pulses.pulses * 1e-15, 20);
    expect(c.time).toBeCloseTo(Math.max(...tiles.map((t) => t.pulses)) * 40e-9, 15);
    expect(c.pulses.median).toBeLessThanOrEqual(c.pulses.p99);
    expect(c.pulses.p99).toBeLessThanOrEqual(c.pulses.max);
  });

  it('PulseHistogram: mean, median, 99th percentile and max of the counts', () => {
    const counts = Uint32Array.from({ length: 1000 }, (_, i) => (i < 990 ? i % 10 : 100 + i));
    const s = PulseHistogram.of(counts).stats(); // 99 devices at each of 0…9, then 1090…1099: the 500th is at 5, the 990th at 9
    expect(s).toEqual({ devices: 1000, pulses: 990 * 4.5 + (1090 + 1099) * 5, mean: (990 * 4.5 + (1090 + 1099) * 5) / 1000, median: 5, p99: 9, max: 1099 });
  });
});

describe('pulsed profile errors', () => {
  it('name the field and the fix', () => {
    expect(() => device(base({ device: { dwMin: 0.01, wMin: 0.1, wMax: 1 } }))).toThrow(/pulsed-test\.json: \/programming\/device\/wMin: the bounds must enclose the symmetry point/);
    const noTol = base({ device: { dwMin: 0.01, wMin: -1, wMax: 1 } });
    delete (noTol.programming as Partial<PulsedProgrammingJson>).tolerance;
    expect(() => device(noTol)).toThrow(/\/programming\/tolerance: pulsed programming with verify needs a tolerance/);
    expect(() => device(base({ device: { dwMin: 0.01, wMin: -1, wMax: 1, range: { min: -2, max: 1 } } }))).toThrow(/\/programming\/device\/range: the range \[-2, 1\]/);
    expect(() => device(base({ device: { dwMin: 0.01, wMin: -1, wMax: 1, dwMinStd: -1 } }))).toThrow(/\/programming\/device\/dwMinStd: cycle-to-cycle spread must be a finite number ≥ 0/);
    expect(() => device(base({ device: { dwMin: 0.01, wMin: -1, wMax: 1 }, maxPulses: 0 }))).toThrow(/\/programming\/maxPulses: must be >= 1/);
  });
});
