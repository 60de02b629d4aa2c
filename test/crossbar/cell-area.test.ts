/**
 * The device cell's area per profile (`cell.area`, F²) in the area estimate: a profile's value
 * replaces the default cell, a cellArea set in the periphery options wins over both, the ledger
 * names where the value came from, and bad values are refused with the file and the field. Expected
 * array areas are R · C · 2 devices · cell (F²) · F², worked out by hand.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Chip, DEFAULT_AREA, estimateArea, estimateCost, type PeripheryOptions } from '../../src/crossbar/index.js';
import { builtinProfileIds, loadProfile, parseProfile, type DeviceProfileJson } from '../../src/device/index.js';

const ideal = (): DeviceProfileJson => JSON.parse(readFileSync('device-models/ideal.json', 'utf8'));
const withCell = (area: unknown): DeviceProfileJson => ({ ...ideal(), cell: { area } } as DeviceProfileJson);

const site = { inFeatures: 2, outFeatures: 2, weight: Float32Array.from([1, 0, 0, -0.5]), bias: null };
// F = 1 µm (F² = 1e-12 m²); the cell area left at its default unless a test sets it
const periphery: PeripheryOptions = { tile: { rows: 2, cols: 2 }, dac: { bits: 4 }, adc: { bits: 6 }, readNoise: false, compensation: 'none', area: { featureSize: 1e-6 } };
const chipOf = (device: ReturnType<typeof parseProfile>, p: PeripheryOptions = periphery) => Chip.program(new Map([['s', site]]), device, p, 1);

describe('cell area per profile', () => {
  it("a profile's cell.area replaces the default cell in the array area", () => {
    const device = parseProfile(withCell({ value: 40, source: 'estimate', verified: false, note: 'made up for the test' }), 'cell40.json');
    expect(device.cellArea).toBe(40);
    const a = estimateArea(chipOf(device));
    expect(a.cell).toEqual({ area: 40, from: 'profile' });
    expect(a.total.breakdown.array).toBeCloseTo(2 * 2 * 2 * 40 * 1e-12, 24);
    const plain = estimateArea(chipOf(parseProfile(ideal(), 'ideal.json')));
    expect(plain.cell).toEqual({ area: DEFAULT_AREA.cellArea, from: 'default' });
    expect(plain.total.breakdown.array).toBeCloseTo(2 * 2 * 2 * 16 * 1e-12, 24);
    // everything but the array is the same
    expect(a.total.area - plain.total.area).toBeCloseTo(2 * 2 * 2 * (40 - 16) * 1e-12, 21);
  });

  it('a cellArea set in the periphery options wins over the profile', () => {
    const device = parseProfile(withCell(40), 'cell40.json');
    const a = estimateArea(chipOf(device, { ...periphery, area: { featureSize: 1e-6, cellArea: 10 } }));
    expect(a.cell).toEqual({ area: 10, from: 'periphery options' });
    expect(a.total.breakdown.array).toBeCloseTo(2 * 2 * 2 * 10 * 1e-12, 24);
  });

  it("the ledger names the profile's source, and a cell area without one is listed as an assumption", () => {
    const sourced = estimateCost(chipOf(parseProfile(withCell({ value: 40, source: 'definition', verified: true, note: 'read somewhere' }), 'a.json')), { tokens: 1 });
    const byName = new Map(sourced.parameters.map((x) => [x.name, x]));
    expect(byName.get('device.cellArea')).toMatchObject({ value: 40, unit: 'F²', source: 'definition', verified: true, note: 'read somewhere' });
    expect(byName.get('periphery.area.cellArea')?.note).toMatch(/not used: the profile's cell\.area applies/);
    const bare = estimateCost(chipOf(parseProfile(withCell(40), 'b.json')), { tokens: 1 });
    expect(bare.parameters.find((x) => x.name === 'device.cellArea')).toMatchObject({ value: 40, verified: false });
    expect(bare.assumptions.some((s) => s.startsWith('device.cellArea = 40 F² is not verified'))).toBe(true);
    const none = estimateCost(chipOf(parseProfile(ideal(), 'ideal.json')), { tokens: 1 });
    expect(none.parameters.find((x) => x.name === 'device.cellArea')).toMatchObject({ value: null, source: 'not given' });
    expect(none.assumptions.some((s) => s.startsWith('device.cellArea'))).toBe(false);
  });

  it('refuses a cell area that is not a positive number of F², naming the file and the field', () => {
    expect(() => parseProfile(withCell('16 um2'), 'str.json')).toThrow(/str\.json: \/cell\/area/);
    expect(() => parseProfile(withCell(0), 'zero.json')).toThrow(/zero\.json: \/cell\/area/);
    expect(() => parseProfile(withCell(1.6e-13), 'm2.json')).toThrow(/m2\.json: \/cell\/area: 1\.6e-13 is outside the plausible range 1 … 100 000 F²/);
    expect(() => parseProfile(withCell({ value: 16, source: 'nowhere', verified: true }), 'src.json')).toThrow(/src\.json: \/cell\/area\/source: 'nowhere' is not the id of an entry in sources/);
  });

  it('shipped profiles: fefet gives NeuroSim V2.1’s cell (16 F², verified); the others give none', () => {
    const fefet = loadProfile('fefet');
    expect(fefet.cellArea).toBe(16);
    expect(fefet.provenance.find((p) => p.pointer === '/cell/area')).toMatchObject({ source: 'neurosim-v21', verified: true });
    for (const id of builtinProfileIds().filter((x) => x !== 'fefet')) expect(loadProfile(id).cellArea, id).toBeNull();
  });
});
