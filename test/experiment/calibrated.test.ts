/**
 * Calibrated ranges in experiments: the runner calibrates each chip on training examples before
 * reading it (src/experiment/calibrate.ts), every hardware row carries clip rates, and the
 * calibration settings and inputs enter the row's inputsHash.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { calibrationSet, loadExperiment, plan, runExperiment, type ResultRow } from '../../src/internal.js';
import { loadResources } from '../../src/experiment/resources.js';
import type { PlanInputs } from '../../src/experiment/inputs.js';

const file = fileURLToPath(new URL('../fixtures/experiments/tiny-calibrated.json', import.meta.url));
const inputs: PlanInputs = { model: 'm', data: 'd', profiles: new Map([['pcm-aihwkit', { id: 'pcm-aihwkit', ref: 'pcm-aihwkit', hash: 'h' }]]) };

function hashes(edit: (e: ReturnType<typeof loadExperiment>['experiment']) => void): Record<string, string> {
  const { experiment } = loadExperiment(file);
  edit(experiment);
  return Object.fromEntries(plan(experiment, inputs).evaluations.filter((e) => e.kind === 'hardware' && e.sweep).map((e) => [e.key.includes('calibration=null') ? 'fixed' : 'calibrated', e.inputsHash]));
}

describe('calibrated ranges in experiments', () => {
  it('puts the calibration settings and the number of calibration examples in the calibrated rows\' inputsHash only', () => {
    const base = hashes(() => undefined);
    const [fixed, calibrated] = ['fixed', 'calibrated'];
    expect(Object.keys(base).sort()).toEqual([calibrated, fixed]);
    const fewer = hashes((e) => { e.evaluation.hardware!.calibrationExamples = 4; });
    expect(fewer[fixed]).toBe(base[fixed]);
    expect(fewer[calibrated]).not.toBe(base[calibrated]);
    const percentile = hashes((e) => { e.sweeps!.calibration = [null, { dacPercentile: 99.9, adcPercentile: 99.5 }]; });
    expect(percentile[fixed]).toBe(base[fixed]);
    expect(percentile[calibrated]).not.toBe(base[calibrated]);
    const { experiment } = loadExperiment(file);
    expect(plan(experiment, inputs).evaluations.flatMap((e) => (e.kind === 'hardware' && e.sweep ? [e.calibrationExamples] : [])).sort()).toEqual([8, null]);
  });

  it('calibrates on a fixed seeded subset of the training split', () => {
    const { experiment } = loadExperiment(file);
    const res = loadResources(experiment, file);
    const set = calibrationSet(res, 8);
    expect(set.ids).toHaveLength(8);
    expect(calibrationSet(res, 8)).toBe(set); // cached per process and N
    const key = (ids: Int32Array) => Array.from(ids).join(',');
    const train = new Set(calibrationSet(res, res.data.train.length).ids.map(key));
    const evaluation = new Set(res.evalSet.ids.map(key));
    expect(set.ids.every((ids) => train.has(key(ids)))).toBe(true);
    expect(set.ids.filter((ids) => evaluation.has(key(ids)))).toHaveLength(0);
    // Seeded, not the first N: a fresh process (fresh resources) picks the same examples.
    expect(calibrationSet(loadResources(experiment, file), 8).ids.map(key)).toEqual(set.ids.map(key));
    expect(set.ids.map(key)).not.toEqual(calibrationSet(res, res.data.train.length).ids.slice(0, 8).map(key));
  });

  it("runs a calibrated chip: its clip rates follow the calibration percentiles, the fixed bound's do not, and every hardware row has clip rates in [0, 1]", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'run-cal-'));
    await runExperiment(file, { log: () => undefined, backend: 'wasm', workers: 1, reportsDir: dir });
    const rows = readFileSync(join(dir, 'tiny-calibrated', 'results.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as ResultRow).filter((r) => r.kind === 'hardware' && r.sweep);
    expect(rows).toHaveLength(2);
    const fixed = rows.find((r) => r.sweep!.calibration === null)!;
    const cal = rows.find((r) => r.sweep!.calibration !== null)!;
    expect(fixed.calibrationExamples).toBeNull();
    expect(cal.calibrationExamples).toBe(8);
    expect((cal.periphery as { calibration: unknown }).calibration).toEqual({ dacPercentile: 99.9, adcPercentile: 99 });
    const sites = ['encoder.layer.0.output.dense', 'encoder.layer.3.output.dense'];
    for (const r of rows) {
      for (const rate of [r.clipRates!.adc, ...Object.values(r.clipRates!.perSite).map((s) => s.adc)]) {
        expect(rate).toBeGreaterThanOrEqual(0);
        expect(rate).toBeLessThanOrEqual(1);
      }
      expect(Object.keys(r.clipRates!.perSite)).toHaveLength(4);
      for (const s of sites) expect(Object.keys(r.clipRates!.perSite)).toContain(s);
    }
    // abs-max DAC never clips, and the fixed ±12 bound at 6 bits does not clip here; ranges at the 99.9th
    // and 99th percentiles of the training inputs clip about 0.1 % and 1 % of the evaluation's.
    expect(fixed.clipRates!.dac).toBeNull();
    expect(fixed.clipRates!.adc).toBe(0);
    expect(cal.clipRates!.dac).toBeGreaterThan(0.0002);
    expect(cal.clipRates!.dac).toBeLessThan(0.003);
    expect(cal.clipRates!.adc).toBeGreaterThan(0.003);
    expect(cal.clipRates!.adc).toBeLessThan(0.03);
  });
});
