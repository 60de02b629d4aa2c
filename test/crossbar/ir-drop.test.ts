import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { A_VALID, Chip, dropPolynomial, nodalOutputs, nodalTransfer, positionFactor, resolvePeriphery, staticIrDrop, type PeripheryOptions } from '../../src/crossbar/index.js';
import { loadProfile } from '../../src/device/index.js';
import { Rng } from '../../src/tensor/index.js';

interface Case { name: string; rows: number; cols: number; colWire: number; rowWire: number | null; g: number[]; x: number[]; ideal: number[]; outputs: number[] }
const fixture = JSON.parse(readFileSync(new URL('./fixtures/irdrop.json', import.meta.url), 'utf8')) as { cases: Case[] };

function site(rows: number, cols: number, seed: number) {
  const rng = new Rng(seed, 'site');
  return { inFeatures: rows, outFeatures: cols, weight: rng.fillNormal(new Float32Array(rows * cols), 0, 0.1), bias: null };
}

/** ‖a − b‖ / ‖ref − b‖ over all entries. */
function dropError(a: Float32Array, b: Float32Array, ref: Float32Array): number {
  let num = 0, den = 0;
  for (let i = 0; i < a.length; i++) {
    num += (a[i] - b[i]) ** 2;
    den += (ref[i] - b[i]) ** 2;
  }
  return Math.sqrt(num / den);
}

describe('nodal IR-drop solve', () => {
  it.each(fixture.cases.map((c) => [c.name, c] as const))('matches SciPy spsolve on the same netlist (%s)', (_, c) => {
    const y = nodalOutputs({ rows: c.rows, cols: c.cols, g: c.g, colWire: c.colWire, rowWire: c.rowWire ?? Infinity }, c.x);
    let err = 0, drop = 0;
    for (let j = 0; j < c.cols; j++) {
      err = Math.max(err, Math.abs(y[j] - c.outputs[j]));
      drop = Math.max(drop, Math.abs(c.ideal[j] - c.outputs[j]));
    }
    expect(drop).toBeGreaterThan(0); // the wires matter in every case
    expect(err).toBeLessThan(1e-6 * drop + 1e-12);
  });

  it('without wires the transfer matrix is the conductances, and the solve refuses arrays too large for it', () => {
    const g = new Rng(1).fillUniform(new Float32Array(5 * 3));
    const T = nodalTransfer({ rows: 5, cols: 3, g, colWire: 1e12, rowWire: 1e12 });
    for (let i = 0; i < g.length; i++) expect(T[i]).toBeCloseTo(g[i], 6);
    expect(() => nodalTransfer({ rows: 512, cols: 1024, g: new Float64Array(512 * 1024), colWire: 1e5, rowWire: 1e5 })).toThrow(/needs ≈ .* flops .*rowWireResistance 0/);
  });
});

describe('static IR drop on a chip', () => {
  const gMax = loadProfile('pcm-aihwkit').gMax;

  it.each([
    [32, 'differential', 0.35],
    [64, 'differential', 0.35],
    [128, 'offset', 0.35],
    [128, 'offset', 6],
    [128, 'differential', 20],
  ] as const)('the analytic physical model is within 5 percent of the nodal solve’s drop (%i rows, %s, %f ohm per segment)', (rows, mapping, ohm) => {
    const w = new Map([['s', site(rows, 16, rows)]]);
    const base: PeripheryOptions = { tile: { rows, cols: 16 }, mapping, readNoise: false, compensation: 'none' };
    const wn = (irDrop: PeripheryOptions['irDrop']) => Chip.program(w, 'pcm-aihwkit', { ...base, irDrop }, 3).at(60).site('s').wn;
    const ideal = wn(null);
    const exact = wn({ model: 'exact', wireResistance: ohm });
    const st = Chip.program(w, 'pcm-aihwkit', { ...base, irDrop: { model: 'physical', wireResistance: ohm } }, 3).at(60);
    expect(st.site('s').irDropA).toBeLessThan(A_VALID);
    expect(st.site('s').irDropA).toBeGreaterThan(0.001);
    expect(st.warnings).toEqual([]);
    const err = dropError(st.site('s').wn, exact, ideal);
    if (process.env.IRDROP_REPORT) console.log(`IRDROP rows=${rows} ${mapping} ${ohm}Ω a=${st.site('s').irDropA.toFixed(4)} drop-error=${err.toFixed(4)}`);
    expect(err).toBeLessThan(0.05);
    // the row-wire nodal solve with negligible row resistance is the ideal-rows one
    const rowsToo = wn({ model: 'exact', wireResistance: ohm, rowWireResistance: 1e-9 });
    if (rows <= 64) expect(dropError(rowsToo, exact, ideal)).toBeLessThan(1e-3);
  });

  it('the drop follows the common-mode current: zero weights read as zero differentially, and as −g_ref·c(a)·f with the offset mapping', () => {
    const rows = 64;
    const zero = new Map([['s', { inFeatures: rows, outFeatures: 4, weight: new Float32Array(rows * 4), bias: null }]]);
    const profile = loadProfile('ideal');
    const at = (mapping: 'differential' | 'offset') => Chip.program(zero, profile, { tile: { rows, cols: 4 }, mapping, readNoise: false, compensation: 'none', irDrop: { gRatio: 2000 } }, 1).at(0).site('s');
    expect(Array.from(at('differential').wn).every((v) => Math.abs(v) < 1e-7)).toBe(true);
    const off = at('offset');
    const ref = (1 + profile.gMinNorm) / 2;
    const a = (rows * rows * ref) / 2000;
    expect(off.irDropA).toBeCloseTo(a, 5);
    for (let r = 0; r < rows; r++) expect(off.wn[r * 4 + 1]).toBeCloseTo(-ref * dropPolynomial(a) * positionFactor(r, rows), 6);
  });

  it('warns outside the analytic model’s validity and names the fix', () => {
    const w = new Map([['s', site(128, 8, 2)]]);
    const seen: string[] = [];
    const st = Chip.program(w, 'pcm-aihwkit', { tile: { rows: 128, cols: 8 }, irDrop: { gRatio: 500 } }, 1).at(0, { onWarning: (m) => seen.push(m) });
    expect(st.warnings.length).toBe(1);
    expect(seen).toEqual(st.warnings);
    expect(st.warnings[0]).toMatch(/Site 's': IR-drop current parameter a = .* exceeds 1.5.*irDrop.model 'exact'/);
  });

  it('presets match what they claim, and bad IR-drop options are refused with the field named', () => {
    const p = resolvePeriphery('aihwkit-standard');
    expect(p.irDrop).toMatchObject({ model: 'aihwkit', scale: 1 });
    expect(p.irDrop?.gRatio).toBeCloseTo(571428.57, 1); // aihwkit IOParameters.ir_drop_g_ratio = 1/(0.35 Ω · 5 µS)
    expect(resolvePeriphery({ irDrop: {} }).irDrop).toMatchObject({ model: 'physical', wireResistance: 0.35, rowWireResistance: 0 });
    expect(() => resolvePeriphery({ irDrop: { model: 'spice' as never } })).toThrow(/periphery.irDrop.model must be one of physical, exact, aihwkit/);
    expect(() => resolvePeriphery({ irDrop: { rowWireResistance: 1 } })).toThrow(/rowWireResistance: only the 'exact' model/);
    expect(() => staticIrDrop(new Float32Array(4), 2, 2, 'offset', resolvePeriphery({}), 1, 1)).toThrow(/IR-drop model is off/);
    expect(gMax).toBeGreaterThan(0);
  });
});
