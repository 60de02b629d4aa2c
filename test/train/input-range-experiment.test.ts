/**
 * Learned input ranges through the runner: an entry trained with training.hwa.inputRange leaves
 * input_ranges.json beside its adapter, and a hardware row with periphery.calibration.dac 'learned'
 * uses them as the chip's DAC ranges (src/experiment/range-calibration.ts).
 */
import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadExperiment, runExperiment, type ResultRow } from '../../src/internal.js';
import { validateStatic } from '../../src/experiment/validate.js';
import { INPUT_RANGES_FILE, loadInputRanges } from '../../src/train/index.js';

const file = fileURLToPath(new URL('../fixtures/experiments/tiny-learned-ranges.json', import.meta.url));
const FF2 = [0, 1, 2, 3].map((l) => `encoder.layer.${l}.output.dense`);

describe("learned DAC ranges in experiments (calibration.dac 'learned')", () => {
  it('refuses, naming the entry and the setting, when a method entry learns no input ranges', () => {
    const { experiment } = loadExperiment(file);
    expect(validateStatic(experiment, file).errors).toEqual([]);
    delete (experiment.methods[0] as { training?: unknown }).training;
    const errors = validateStatic(experiment, file).errors;
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain(`${file}: /methods/0: calibration.dac 'learned' (/sweeps/calibration/1/dac) needs learned input ranges, but method entry 'grasp-ir' trains without them`);
  });

  it('saves the learned ranges beside the adapter and evaluates a hardware row with them as DAC ranges', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'run-ir-'));
    await runExperiment(file, { log: () => undefined, backend: 'wasm', workers: 1, reportsDir: dir });
    const adapters = join(dir, 'tiny-learned-ranges', 'adapters');
    const [key] = readdirSync(adapters);
    expect(existsSync(join(adapters, key, 'adapter_config.json'))).toBe(true);
    const ranges = loadInputRanges(join(adapters, key))!;
    expect([...ranges.keys()].sort()).toEqual(FF2);
    for (const r of ranges.values()) expect(r).toBeGreaterThan(0);
    expect(JSON.parse(readFileSync(join(adapters, key, INPUT_RANGES_FILE), 'utf8')).format).toBe(1);
    const rows = readFileSync(join(dir, 'tiny-learned-ranges', 'results.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as ResultRow).filter((r) => r.kind === 'hardware' && r.sweep);
    expect(rows).toHaveLength(2);
    const calibration = (r: ResultRow) => (r.periphery as { calibration: { dac?: string } }).calibration;
    const learned = rows.find((r) => calibration(r).dac === 'learned')!;
    const percentile = rows.find((r) => calibration(r).dac === undefined)!;
    expect(calibration(learned)).toEqual({ dac: 'learned', adcPercentile: 99 });
    expect(learned.calibrationExamples).toBe(8);
    expect(learned.inputsHash).not.toBe(percentile.inputsHash);
    for (const r of rows) expect(Object.keys(r.clipRates!.perSite).sort()).toEqual(FF2);
    // Ranges of 3·std(x) (heavy-tailed activations) clip about 2 % of the evaluation's DAC inputs; the 99.9th percentile about 0.1 %.
    const dac = learned.clipRates!.dac!;
    expect(dac).toBeGreaterThan(0.005);
    expect(dac).toBeLessThan(0.05);
    expect(percentile.clipRates!.dac!).toBeLessThan(0.003);
  });
});
