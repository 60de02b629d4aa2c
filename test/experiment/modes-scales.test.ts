/**
 * aihwkit's vocabulary in experiments: compensation modes by name everywhere (true/false read as
 * global/none, with the row keys and hashes rows stored before the names had, so those rows stay
 * valid), and the profile's noise scales as experiment axes (`evaluation.hardware.scales`).
 */
import { describe, expect, it } from 'vitest';
import { readFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseExperiment, plan, planSize, type EvalSpec, type Experiment } from '../../src/experiment/index.js';
import { scaledProfile } from '../../src/experiment/chip-cache.js';
import { validateStatic } from '../../src/experiment/validate.js';
import { loadProfile } from '../../src/device/index.js';
import { compensationOfRow, conditionOf, type ResultRow } from '../../src/results/index.js';
import { charts } from '../../src/report/index.js';
import { syntheticRows } from '../report/fixture-rows.js';

const tiny = fileURLToPath(new URL('../fixtures/experiments/tiny.json', import.meta.url));
const pcm = fileURLToPath(new URL('../../device-models/pcm-aihwkit.json', import.meta.url));
const inputs = { model: 'm', data: 'd', profiles: new Map([['pcm-aihwkit', { id: 'pcm-aihwkit', ref: 'pcm-aihwkit', hash: 'h' }]]) };
const edited = (edit: (e: Record<string, any>) => void): Experiment => { // eslint-disable-line @typescript-eslint/no-explicit-any
  const e = JSON.parse(readFileSync(tiny, 'utf8'));
  edit(e);
  return parseExperiment(e, tiny);
};
type Hw = Extract<EvalSpec, { kind: 'hardware' }>;
const hardware = (exp: Experiment) => plan(exp, inputs).evaluations.filter((e): e is Hw => e.kind === 'hardware');

describe('compensation modes by name', () => {
  it('true/false and global/none plan the same rows, with the keys and hashes of rows stored before the names', () => {
    const named = hardware(edited((e) => { e.evaluation.hardware.compensation = ['global', 'none']; }));
    const legacy = hardware(edited((e) => { e.evaluation.hardware.compensation = [true, false]; }));
    expect(named.map((h) => [h.key, h.inputsHash, h.compensation])).toEqual(legacy.map((h) => [h.key, h.inputsHash, h.compensation]));
    // Recorded from the plan of tiny.json before the modes had names (same inputs; at NUMERICS_VERSION 3 they were
    // grasp-717cbdab0cb37da1 / 1ed9a60f12e3da4a / 677f53763daf3994, which this plan still gives at 3).
    const t1 = named.filter((h) => h.key.startsWith('hw/grasp-dd59a9c2c194591b/pcm-aihwkit/chip=0/t=1/'));
    expect(t1.map((h) => [h.key, h.inputsHash, h.compensation])).toEqual([
      ['hw/grasp-dd59a9c2c194591b/pcm-aihwkit/chip=0/t=1/comp=true', '99c9db35d86fe1a9', 'global'],
      ['hw/grasp-dd59a9c2c194591b/pcm-aihwkit/chip=0/t=1/comp=false', 'c255f6281d858d5f', 'none'],
    ]);
  });

  it('the other modes are rows of their own; σ_target from a profile takes a mode too', () => {
    const hw = hardware(edited((e) => { e.evaluation.hardware.compensation = ['column', 'global-exact']; }));
    expect(new Set(hw.filter((h) => h.sweep === null).map((h) => h.compensation))).toEqual(new Set(['column', 'global-exact']));
    expect(hw.some((h) => h.key.endsWith('/comp=column'))).toBe(true);
    const keyOf = (c: unknown) => plan(edited((e) => { e.methods[1].sigmaTarget.compensation = c; }), inputs).adapters[1];
    expect(keyOf('global').key).toBe(keyOf(true).key);
    expect(keyOf('none').key).toBe(keyOf(false).key);
    expect(keyOf('column').key).not.toBe(keyOf('global').key);
    expect(keyOf('column').sigmaTarget).toMatchObject({ compensation: 'column' });
    const twice = validateStatic(edited((e) => { e.evaluation.hardware.compensation = [true, 'none', 'global']; }), tiny).errors;
    expect(twice).toEqual([`${tiny}: /evaluation/hardware/compensation/2: 'global' is listed twice (true is an alias of 'global', false of 'none'); list each mode once`]);
    expect(() => edited((e) => { e.evaluation.hardware.compensation = ['globl']; })).toThrow(/\/evaluation\/hardware\/compensation\/0: must be equal to one of the allowed values \(none, global, global-exact, column, column-exact, true, false\)/);
  });

  it('stored rows with true/false read as global/none: same condition as rows that name the mode; the drift legend names modes', () => {
    const row = (compensation: unknown) => ({ key: 'k', kind: 'hardware', experiment: 'x', experimentHash: 'h', task: 'spam', profile: 'pcm', t: 60, compensation }) as ResultRow;
    expect([true, false, 'column', null].map((c) => compensationOfRow(row(c)))).toEqual(['global', 'none', 'column', null]);
    expect(conditionOf(row(true)).key).toBe(conditionOf(row('global')).key);
    expect(conditionOf(row(false)).label).toBe('t=60s none');
    const spec = charts().find((c) => c.id === 'drift')!.spec(syntheticRows()) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    const line = spec.vconcat[0].spec.layer.find((l: { mark: { type: string } }) => l.mark.type === 'line');
    expect(line.encoding.strokeDash.scale.domain).toEqual(['global', 'none']);
    expect(line.encoding.strokeDash.scale.range).toEqual([[1, 0], [6, 4]]);
  });
});

describe('noise scales as experiment axes', () => {
  it('every scale point is evaluated at every time and mode; keys, hashes and planSize follow', () => {
    const exp = edited((e) => { e.evaluation.hardware.scales = { drift: [1, 2], programming: [0.5] }; });
    const hw = hardware(exp).filter((h) => h.sweep === null);
    const base = hardware(edited(() => undefined)).filter((h) => h.sweep === null);
    expect(hw).toHaveLength(2 * base.length);
    expect(new Set(hw.map((h) => JSON.stringify(h.scales)))).toEqual(new Set(['{"drift":1,"programming":0.5}', '{"drift":2,"programming":0.5}']));
    expect(hw[0].key).toMatch(/\/chip=0\/scales=drift:1,programming:0.5\/t=1\/comp=true$/);
    expect(new Set(hw.map((h) => h.inputsHash)).size).toBe(hw.length);
    expect(base.every((h) => h.scales === null && !h.key.includes('scales'))).toBe(true);
    const p = plan(exp, inputs);
    expect(planSize(exp).evaluations).toBe(p.evaluations.length);
    expect(() => edited((e) => { e.evaluation.hardware.scales = { drfit: [2] }; })).toThrow(/\/evaluation\/hardware\/scales: must NOT have additional properties 'drfit' \(did you mean 'drift'\?\)/);
  });

  it('a scale point multiplies the profile\'s own scales', () => {
    const dir = mkdtempSync(join(tmpdir(), 'scales-'));
    const json = JSON.parse(readFileSync(pcm, 'utf8'));
    json.scales = { drift: 0.5, readNoise: 3 };
    const file = join(dir, 'half-drift.json');
    writeFileSync(file, JSON.stringify(json));
    const own = loadProfile(file).scales;
    const scaled = scaledProfile(file, { drift: 4, programming: 2 });
    expect(typeof scaled).not.toBe('string');
    expect((scaled as ReturnType<typeof loadProfile>).scales).toEqual({ ...own, drift: 2, programming: 2 * own.programming, readNoise: 3 });
    expect(scaledProfile(file, null)).toBe(file);
  });
});
