/**
 * Energy, latency and area of a hand-computable chip: one 2 × 2 Site on one 2 × 2 tile of the ideal
 * profile (g_max 25 µS, 0.2 V, 100 ns reads), 1 token. Every expected number below is worked out by
 * hand from the formulas in src/crossbar/energy.ts and src/crossbar/area.ts.
 */
import { describe, expect, it } from 'vitest';
import {
  AREA_ORIGIN, Chip, COST_SOURCES, DEFAULT_AREA, ENERGY_ORIGIN, estimateArea, estimateCost, estimateEnergy, resolvePeriphery, tileArea,
  type PeripheryOptions,
} from '../../src/crossbar/index.js';

// W [in, out] = [[1, 0], [0, −0.5]]: differential pairs, g_min 0, scale max|W| = 1 → devices 1 and 0.5, Σg = 1.5 g_max
const site = { inFeatures: 2, outFeatures: 2, weight: Float32Array.from([1, 0, 0, -0.5]), bias: null };
const energy = { adcFom: 20e-15, adcTime: 1e-9, columnsPerAdc: 8, dacUnit: 1e-15, dacTime: 1e-9, rowDriver: 50e-15, digitalAdd: 0.9e-12, digitalMul: 3.7e-12, digitalTime: 1e-9 };
// round unit areas: F = 1 µm (F² = 1e-12 m²)
const area = { featureSize: 1e-6, cellArea: 10, rowDriverArea: 100, adcAreaBase: 1000, adcAreaPerBit: 200, shiftAddAreaPerBit: 50, bufferBitArea: 2 };
const base: PeripheryOptions = { tile: { rows: 2, cols: 2 }, dac: { bits: 4 }, adc: { bits: 6 }, readNoise: false, compensation: 'none', energy, area };
const chipWith = (p: PeripheryOptions = base) => Chip.program(new Map([['s', site]]), 'ideal', p, 1);

describe('energy per inference of a 2 × 2 tile', () => {
  it('equals the hand-computed sum of its components', () => {
    const e = estimateEnergy(chipWith(), { tokens: 1 });
    const b = e.perInference.breakdown;
    // cells: V²·t·g_max·activity·Σg = 0.04 · 1e-7 · 25e-6 · 0.5 · 1.5
    expect(b.cellRead).toBeCloseTo(7.5e-14, 27);
    expect(b.dac).toBeCloseTo(2 * 1e-15 * 16, 27); // rows · dacUnit · 2^4
    expect(b.rowDrivers).toBeCloseTo(2 * 50e-15, 27);
    expect(b.adc).toBeCloseTo(2 * 20e-15 * 64, 27); // cols · FoM · 2^6
    expect(b.digital).toBeCloseTo(2 * 3.7e-12, 27); // one row tile: out output-scale multiplies, no adds, no bias
    expect(e.perInference.energy).toBeCloseTo(7.5e-14 + 3.2e-14 + 1e-13 + 2.56e-12 + 7.4e-12, 26);
    // t_DAC + t_read + min(2, 8)·t_ADC (one ADC converts both columns), no digital stage
    expect(e.perInference.latency).toBeCloseTo(1e-9 + 1e-7 + 2e-9, 20);
    const l = e.perInference.latencyBreakdown;
    expect([l.dac, l.read, l.adc, l.digital].map((x) => x * 1e9)).toEqual([1, 100, 2, 0].map((x) => expect.closeTo(x, 9)));
    expect(e.sites.s.energy).toBeCloseTo(e.perInference.energy, 26);
  });

  it('ADC latency: each ADC converts its multiplexed columns in turn, all ADCs in parallel', () => {
    const adcTime = (cols: number, columnsPerAdc: number) => estimateEnergy(chipWith({ ...base, tile: { rows: 2, cols }, energy: { ...energy, columnsPerAdc } }),
      { tokens: 1 }).perInference.latencyBreakdown.adc;
    const w = { inFeatures: 2, outFeatures: 64, weight: Float32Array.from({ length: 128 }, (_, k) => Math.cos(k)), bias: null };
    const wide = (columnsPerAdc: number) => estimateEnergy(Chip.program(new Map([['w', w]]), 'ideal', { ...base, tile: { rows: 2, cols: 64 }, energy: { ...energy, columnsPerAdc } }, 1),
      { tokens: 1 }).perInference.latencyBreakdown.adc;
    expect(wide(8)).toBeCloseTo(8e-9, 20); // 8 ADCs of 8 columns each
    expect(wide(1)).toBeCloseTo(1e-9, 20); // one ADC per column
    expect(wide(64)).toBeCloseTo(64e-9, 20); // one ADC for the tile
    expect(adcTime(2, 8)).toBeCloseTo(2e-9, 20); // fewer columns than the mux
  });

  it('ADC energy doubles with every bit', () => {
    const adc = (bits: number) => estimateEnergy(chipWith({ ...base, adc: { bits } }), { tokens: 1 }).perInference.breakdown.adc;
    expect(adc(7) / adc(6)).toBeCloseTo(2, 12);
    expect(adc(8) / adc(7)).toBeCloseTo(2, 12);
  });

  it('per-Site energies add up to the chip total', () => {
    const w = (i: number, o: number) => ({ inFeatures: i, outFeatures: o, weight: Float32Array.from({ length: i * o }, (_, k) => Math.sin(k + 1)), bias: null });
    const chip = Chip.program(new Map([['a', w(5, 3)], ['b', w(3, 7)]]), 'ideal', base, 1);
    const e = estimateEnergy(chip, { tokens: 3 });
    expect(e.sites.a.energy + e.sites.b.energy).toBeCloseTo(e.perInference.energy, 24);
    expect(e.sites.a.latency + e.sites.b.latency).toBeCloseTo(e.perInference.latency, 20);
  });
});

describe('area of a 2 × 2 tile', () => {
  it('equals the hand-computed sum of its blocks', () => {
    const a = estimateArea(chipWith());
    const b = a.total.breakdown;
    expect(a.total.tiles).toBe(1);
    expect(b.array).toBeCloseTo(2 * 2 * 2 * 10 * 1e-12, 24); // rows · cols · 2 devices · 10 F²
    expect(b.rowDrivers).toBeCloseTo(2 * 100 * 1e-12, 24);
    expect(b.adc).toBeCloseTo((1000 + 200 * 5) * 1e-12, 24); // ⌈2/8⌉ = 1 ADC of 6 bits
    expect(b.shiftAdd).toBe(0); // no bit-serial inputs
    expect(b.buffer).toBeCloseTo((2 * 4 + 2 * 6) * 2 * 1e-12, 24); // rows · 4-bit codes + cols · 6-bit words
    expect(a.total.area).toBeCloseTo(2320e-12, 22);
    expect(a.sites.s).toMatchObject({ tiles: 1, utilisation: 1 });
  });

  it('costs a shift-and-add per ADC and wider output words with bit-serial inputs', () => {
    const b = estimateArea(chipWith({ ...base, dac: { bits: 4, serial: 1 } })).total.breakdown;
    expect(b.shiftAdd).toBeCloseTo(1 * (6 + 4 - 1) * 50 * 1e-12, 24);
    expect(b.buffer).toBeCloseTo((2 * 4 + 2 * 9) * 2 * 1e-12, 24);
  });

  it("uses NeuroSim's unit areas by default: a 6-bit SAR ADC is 295 366.4 F², a 1T1R cell 16 F²", () => {
    const p = resolvePeriphery({ tile: { rows: 2, cols: 2 }, dac: { bits: 4 }, adc: { bits: 6 } });
    const f2 = DEFAULT_AREA.featureSize ** 2;
    const t = tileArea(p, 'differential');
    expect(t.breakdown.adc / f2).toBeCloseTo(295_366.4, 6);
    expect(t.breakdown.array / f2).toBeCloseTo(2 * 2 * 2 * 16, 9);
  });

  it('grows linearly with the columns of a tile (whole ADCs)', () => {
    const at = (cols: number) => tileArea(resolvePeriphery({ ...base, tile: { rows: 64, cols } }), 'differential').area;
    const step = at(128) - at(64);
    expect(at(192) - at(128)).toBeCloseTo(step, 20);
    expect(at(512) - at(64)).toBeCloseTo(7 * step, 19);
    expect(at(64)).toBeGreaterThan(step); // the row drivers do not grow with columns
  });

  it('counts whole physical tiles and their utilisation', () => {
    const w = { inFeatures: 3, outFeatures: 2, weight: Float32Array.from([1, 2, 3, 4, 5, 6]), bias: null };
    const a = estimateArea(Chip.program(new Map([['w', w]]), 'ideal', base, 1));
    expect(a.sites.w.tiles).toBe(2); // 3 rows on 2-row tiles
    expect(a.sites.w.utilisation).toBeCloseTo(6 / 8, 12);
    expect(a.total.area).toBeCloseTo(2 * 2320e-12, 22);
  });
});

describe('parameters and their sources', () => {
  it('every default names a known source; unverified values and user overrides are listed as assumptions', () => {
    const ids = new Set(COST_SOURCES.map((s) => s.id));
    for (const o of [...Object.values(ENERGY_ORIGIN), ...Object.values(AREA_ORIGIN)]) expect(ids.has(o.source)).toBe(true);
    const c = estimateCost(chipWith({ ...base, energy: undefined, area: { cellArea: 6 } }), { tokens: 1 });
    const byName = new Map(c.parameters.map((x) => [x.name, x]));
    expect(byName.get('periphery.area.cellArea')).toMatchObject({ value: 6, verified: false, source: 'periphery options' });
    expect(byName.get('periphery.energy.digitalAdd')).toMatchObject({ value: 0.9e-12, verified: true, source: 'horowitz2014' });
    expect(byName.get('periphery.area.featureSize')).toMatchObject({ verified: true, source: 'neurosim-v2.1' });
    // the ideal profile's energy values are estimates: unverified, with the profile's own source
    expect(byName.get('device.readVoltage')).toMatchObject({ value: 0.2, verified: false, source: 'estimate' });
    const unverified = c.parameters.filter((x) => !x.verified && x.value !== null).map((x) => x.name); // null: not given, not costed
    expect(unverified).toEqual(expect.arrayContaining(['periphery.energy.adcFom', 'periphery.area.cellArea', 'device.readTime']));
    for (const n of unverified) expect(c.assumptions.some((a) => a.startsWith(`${n} = `))).toBe(true);
    expect(c.assumptions.some((a) => a.startsWith('periphery.energy.digitalAdd'))).toBe(false);
  });

  it('refuses unknown or negative area parameters, naming the field', () => {
    expect(() => resolvePeriphery({ area: { cellArea: -1 } })).toThrow(/periphery\.area\.cellArea must be a finite number > 0/);
    expect(() => resolvePeriphery({ area: { cellSize: 4 } as never })).toThrow(/periphery\.area\.cellSize: unknown area parameter; known: featureSize/);
  });
});
