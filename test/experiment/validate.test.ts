/**
 * The whole plan is validated before any work: every problem at once, each naming the experiment
 * file and the JSON pointer; limits on plan size and workers; containment of report paths; state
 * files that say what to do when damaged.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseExperiment, reportExperiment, runExperiment, type Experiment } from '../../src/experiment/index.js';
import { capWorkers, insideRoot } from '../../src/experiment/runner.js';
import { readTraining } from '../../src/experiment/train.js';
import { didYouMean } from '../../src/experiment/periphery-keys.js';
import { editDistance } from '../../src/io/index.js';
import { validateStatic } from '../../src/experiment/validate.js';

const tiny = fileURLToPath(new URL('../fixtures/experiments/tiny.json', import.meta.url));
const base = (): Experiment => JSON.parse(readFileSync(tiny, 'utf8')) as Experiment;
const quiet = { log: () => undefined, backend: 'cpu', workers: 1 };

function write(dir: string, exp: unknown): string {
  const f = join(dir, 'e.json');
  writeFileSync(f, JSON.stringify(exp));
  return f;
}

describe('whole-plan validation', () => {
  it('names every bad profile, method, option, σ_target, periphery key and sweep value with its pointer', () => {
    const e = base();
    e.profiles = ['pcm-aihwkit', 'no-such-profile', 'missing/file.json'];
    e.methods.push({ id: 'x', method: 'grasq' }, { id: 'y', method: 'grasp', options: { k: 0 } }, { id: 'z', method: 'lora', sigmaTarget: 0.01 });
    e.periphery = { tile: { rows: 64, cols: 64 }, adc: { bitz: 8 } };
    e.sweeps = { 'adc.bitz': [4, 8], 'dac.bits': [8, -1] };
    const { errors } = validateStatic(parseExperiment(e, 'exp.json'), '/x/exp.json');
    const all = errors.join('\n');
    expect(all).toMatch(/\/x\/exp.json: \/profiles\/1: device profile 'no-such-profile' not found/);
    expect(all).toMatch(/\/x\/exp.json: \/profiles\/2: .*missing\/file.json: device profile file not found/);
    expect(all).toMatch(/\/methods\/2\/method: unknown PEFT method 'grasq'; known methods: .*grasp.*; did you mean 'grasp'\?/);
    expect(all).toMatch(/\/methods\/3\/options: .*k/);
    expect(all).toMatch(/\/methods\/4\/sigmaTarget: method 'lora' does not train toward a σ_target/);
    expect(all).toMatch(/\/periphery\/adc\/bitz: unknown periphery setting 'adc.bitz' \(did you mean 'adc.bits'\?\)/);
    expect(all).toMatch(/\/sweeps\/adc.bitz: unknown periphery setting 'adc.bitz' \(did you mean 'adc.bits'\?\)/);
    expect(all).toMatch(/\/sweeps\/dac.bits\/1: periphery.dac.bits must be an integer from 2 to 24/);
    expect(errors).toHaveLength(8);
  });

  it("accepts the crossbar's slicing, bit-serial DAC, bound management, IR-drop model and calibration, with the crossbar's checks", () => {
    const e = base();
    e.periphery = {
      tile: { rows: 64, cols: 64 }, slicing: { slices: 2, base: 16 }, dac: { bits: 8, serial: 2 },
      adc: { bits: 8, bound: 12 }, irDrop: { model: 'aihwkit', gRatio: 571428.57 },
    };
    e.sweeps = { 'slicing.slices': [1, 2], 'irDrop.model': ['physical', 'aihwkit'], 'adc.boundManagement': ['none'] };
    expect(validateStatic(parseExperiment(e, 'exp.json'), '/x/exp.json').errors).toEqual([]);
    // The crossbar's own checks still apply: iterative bound management cannot run with bit-serial inputs.
    e.sweeps = { 'adc.boundManagement': ['iterative'] };
    expect(validateStatic(parseExperiment(e, 'exp.json'), '/x/exp.json').errors.join('\n')).toMatch(/\/sweeps\/adc.boundManagement\/0: .*cannot be combined with bit-serial inputs/);
    // Calibrated ranges: in the periphery, and as a sweep axis of null (fixed) and settings objects.
    e.periphery = { adc: { bits: 6 }, calibration: { dacPercentile: null, adcPercentile: 99.9 } };
    e.sweeps = { calibration: [null, { adcPercentile: 99.99, per: 'layer' }] };
    expect(validateStatic(parseExperiment(e, 'exp.json'), '/x/exp.json').errors).toEqual([]);
    e.periphery = { calibration: { adcPercentil: 99.9 } };
    e.sweeps = { calibration: [null, { adcPercentile: 120 }, { dacPercentil: 99 }] };
    const all = validateStatic(parseExperiment(e, 'exp.json'), '/x/exp.json').errors.join('\n');
    expect(all).toMatch(/\/periphery\/calibration\/adcPercentil: unknown periphery setting 'calibration.adcPercentil' \(did you mean 'calibration.adcPercentile'\?\)/);
    expect(all).toMatch(/\/sweeps\/calibration\/1: .*adcPercentile must be a percentile in \(0, 100\]/);
    expect(all).toMatch(/\/sweeps\/calibration\/2: unknown periphery setting 'calibration.dacPercentil' \(did you mean 'calibration.dacPercentile'\?\)/);
  });

  it('resolves profile paths against the experiment file, not the working directory', () => {
    const dir = mkdtempSync(join(tmpdir(), 'val-prof-'));
    mkdirSync(join(dir, 'p'));
    writeFileSync(join(dir, 'p', 'mine.json'), readFileSync(fileURLToPath(new URL('../../device-models/ideal.json', import.meta.url))));
    const e = base();
    e.profiles = ['p/mine.json'];
    const { errors, profiles } = validateStatic(parseExperiment(e, 'e.json'), join(dir, 'e.json'));
    expect(errors).toEqual([]);
    expect(profiles.get('p/mine.json')!.ref).toBe(join(dir, 'p', 'mine.json'));
  });

  it('checks compareTo names a method entry', () => {
    const e = { ...base(), compareTo: 'nope' };
    expect(() => parseExperiment(e, 'e.json')).toThrow(/e.json: \/compareTo: 'nope' is not the id of a method or adapter entry; ids: grasp, stochgrasp/);
  });

  it('refuses a bad Site selector, unreadable data or an unwritable reports folder before training anything', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'val-run-'));
    const e = base();
    e.methods[0].options = { k: 8, sites: '/^nothing-matches$/' };
    e.evaluation.hardware!.sites = 'no.such.site';
    const file = write(dir, e);
    const reports = join(dir, 'reports');
    const err = await runExperiment(file, { ...quiet, reportsDir: reports }).catch((x: Error) => x.message);
    expect(err).toMatch(new RegExp(`${file}: /methods/0/options/sites: site selector .* matched no Site`));
    expect(err).toMatch(new RegExp(`${file}: /evaluation/hardware/sites: site selector suffix 'no.such.site' matched no Site`));
    expect(existsSync(join(reports, 'tiny', 'adapters'))).toBe(false);
    // A reports "folder" that is a file.
    const notDir = join(dir, 'a-file');
    writeFileSync(notDir, '');
    const err2 = await runExperiment(write(dir, base()), { ...quiet, reportsDir: notDir }).catch((x: Error) => x.message);
    expect(err2).toMatch(/reports folder .*a-file\/tiny is not writable .* choose another with --reports/);
    const bad = { ...base(), task: { ...base().task, id: 'glue-sst2-missing' } };
    const err3 = await runExperiment(write(dir, bad), { ...quiet, reportsDir: reports }).catch((x: Error) => x.message);
    expect(err3).toMatch(new RegExp(`${file}: /task/id: .*glue-sst2-missing`));
  });

  it('checks trainableTokens before training: the form, ids inside the vocabulary, fromTargets only for generation tasks', async () => {
    const e = base();
    e.methods[0].options = { k: 8, sites: 'ff2', trainableTokens: 'many' };
    expect(validateStatic(parseExperiment(e, 'exp.json'), '/x/exp.json').errors.join('\n'))
      .toMatch(/\/methods\/0\/options: option 'trainableTokens' must be a list of token ids or \{ "fromTargets": N \}/);
    const dir = mkdtempSync(join(tmpdir(), 'val-tokens-'));
    e.methods[0].options = { k: 8, sites: 'ff2', trainableTokens: { fromTargets: 4 } };
    e.methods[1].options = { ...e.methods[1].options, trainableTokens: [1, 99999] };
    const file = write(dir, e);
    const reports = join(dir, 'reports');
    const err = await runExperiment(file, { ...quiet, reportsDir: reports }).catch((x: Error) => x.message);
    expect(err).toMatch(new RegExp(`${file}: /methods/0/options/trainableTokens: \\{ "fromTargets": N \\} needs a generation task; brown-genre has labels`));
    expect(err).toMatch(new RegExp(`${file}: /methods/1/options/trainableTokens: token ids 99999 are outside the model's vocabulary`));
    expect(existsSync(join(reports, 'tiny', 'adapters'))).toBe(false);
  });

  it('counts the plan before building it and refuses more than --max-rows', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'val-rows-'));
    const e = base();
    const values = Array.from({ length: 1000 }, (_, i) => i + 2);
    e.sweeps = { 'adc.bits': values, 'dac.bits': values, 'tile.rows': values }; // 10⁹ sweep points
    const t0 = performance.now();
    const err = await runExperiment(write(dir, e), { ...quiet, reportsDir: join(dir, 'r') }).catch((x: Error) => x.message);
    expect(err).toMatch(/the plan has 2000000020 rows .* more than --max-rows 100000/);
    expect(performance.now() - t0).toBeLessThan(2000);
    const ok = await runExperiment(write(dir, base()), { ...quiet, reportsDir: join(dir, 'r'), maxRows: 10 }).catch((x: Error) => x.message);
    expect(ok).toMatch(/the plan has 24 rows .* more than --max-rows 10/);
  });

  it('caps workers by cores and by jobs, saying so', () => {
    const lines: string[] = [];
    expect(capWorkers(1000, 2, 50, (l) => lines.push(l))).toBe(2);
    expect(lines[0]).toMatch(/--workers 1000 capped to 2, the number of cores/);
    expect(capWorkers(2, 8, 1, (l) => lines.push(l))).toBe(1);
    expect(lines[1]).toMatch(/capped to 1, the number of jobs/);
    expect(() => capWorkers(0, 2, 5, () => undefined)).toThrow(/--workers must be an integer ≥ 1/);
  });

  it('keeps report and run paths inside the reports root', async () => {
    const root = mkdtempSync(join(tmpdir(), 'val-root-'));
    const outside = join(root, '..');
    const before = readdirSync(outside).length;
    await expect(reportExperiment('../../outside', root)).rejects.toThrow(/report name '..\/..\/outside' must be one folder name inside/);
    await expect(reportExperiment('..', root)).rejects.toThrow(/must be one folder name/);
    expect(readdirSync(outside).length).toBe(before);
    expect(insideRoot(root, 'quickstart', 'x')).toBe(join(root, 'quickstart'));
    expect(() => insideRoot(root, '/etc', 'x')).toThrow(/one folder name/);
  });

  it('a truncated training.json names the file and says to delete the adapter folder', () => {
    const out = mkdtempSync(join(tmpdir(), 'val-train-'));
    mkdirSync(join(out, 'adapters', 'grasp-abc'), { recursive: true });
    writeFileSync(join(out, 'adapters', 'grasp-abc', 'training.json'), '{"key": "grasp-abc", "meth');
    expect(() => readTraining(out, 'grasp-abc')).toThrow(/adapters\/grasp-abc\/training.json:1:22: not valid JSON: unterminated string \(incomplete or corrupted\); delete the folder .*grasp-abc and run again/);
    expect(readTraining(out, 'never-trained')).toBeNull();
  });

  it('suggests the closest name', () => {
    expect(editDistance('adc.bitz', 'adc.bits')).toBe(1);
    expect(didYouMean('tile.rowz', ['tile.rows', 'tile.cols'])).toBe(" (did you mean 'tile.rows'?)");
    expect(didYouMean('zzzzzz', ['tile.rows'])).toBe('');
  });
});
