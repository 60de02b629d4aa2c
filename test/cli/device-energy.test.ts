/**
 * `grasp-hil device energy` end to end (through tsx, as the built CLI runs it): its JSON equals the
 * library's estimateCost on the same chip, and its text lists every component, Site, parameter and
 * assumption.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { peripheryOption } from '../../src/cli/commands/device-energy.js';
import { Chip, estimateCost, initBackend, loadModel, selectSites, weightsOfSites, type Model } from '../../src/internal.js';
import { runCli } from './run-cli.js';

const SITES = 'encoder.layer.0.intermediate.dense';
const PERIPHERY = '{"tile":{"rows":64,"cols":256},"dac":{"bits":6},"adc":{"bits":7},"area":{"featureSize":2.2e-8}}';
let model: Model;

beforeAll(async () => {
  await initBackend('cpu');
  model = await loadModel('models/tiny-roberta');
});
afterAll(() => model.dispose());

describe('grasp-hil device energy', () => {
  it('gives the library estimate per component and per Site, as JSON', () => {
    const r = runCli(['device', 'energy', 'pcm-aihwkit', '--sites', SITES, '--periphery', PERIPHERY, '--tokens', '5', '--seed', '3', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    const chip = Chip.program(weightsOfSites(selectSites(model, SITES)), 'pcm-aihwkit', JSON.parse(PERIPHERY), 3);
    const lib = estimateCost(chip, { tokens: 5 });
    expect(j.sites).toEqual([SITES]);
    expect(j.energy.perInference.energy).toBeCloseTo(lib.energy.perInference.energy, 20);
    expect(j.energy.perInference.latency).toBeCloseTo(lib.energy.perInference.latency, 20);
    expect(j.area.total.area).toBeCloseTo(lib.area.total.area, 22);
    // 128 inputs on 64-row tiles, 512 outputs on 256-column tiles: 2 × 2 tiles at 22 nm
    expect(j.area.total.tiles).toBe(4);
    expect(j.area.sites[SITES].utilisation).toBe(1);
    expect(j.parameters.find((p: { name: string }) => p.name === 'periphery.area.featureSize')).toMatchObject({ value: 2.2e-8, verified: false, source: 'periphery options' });
    expect(j.assumptions).toEqual(lib.assumptions);
  }, 120_000);

  it('prints the component table, the Sites, the parameters with their sources and the assumptions', () => {
    const r = runCli(['device', 'energy', 'ideal', '--sites', SITES, '--tokens', '1']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/an ESTIMATE/);
    expect(r.stdout).toMatch(/ideal chip for tiny-roberta: 1 Sites on 1 tiles of 512 × 512, 1 token\(s\) per inference/);
    for (const row of ['array / cell reads', 'DACs \\+ row drivers', 'ADCs', 'digital / shift-and-add', 'buffers']) expect(r.stdout).toMatch(new RegExp(`\\n  ${row}\\s`));
    expect(r.stdout).toMatch(new RegExp(`${SITES.replace(/\./g, '\\.')}\\s+1\\s+25\\.0 %`));
    expect(r.stdout).toMatch(/✓ periphery\.area\.cellArea\s+16 F²\s+neurosim-v2\.1/);
    expect(r.stdout).toMatch(/\n  cell area 16 F² per device, NeuroSim's 1T1R cell \(the default; the profile gives no cell\.area\)\n/);
    expect(r.stdout).toMatch(/✗ device\.cellArea\s+—\s+not given/);
    expect(r.stdout).toMatch(/✗ periphery\.energy\.adcFom\s+2e-14 J\/step\s+walden-fom/);
    expect(r.stdout).toMatch(/assumptions:\n(  - .*\n)*  - periphery\.energy\.adcFom = 2e-14 J\/step is not verified/);
  }, 120_000);

  it('reads --periphery as a preset, a JSON object or a .json file, and says what it expected otherwise', () => {
    expect(peripheryOption('aihwkit-standard')).toBe('aihwkit-standard');
    expect(peripheryOption('{"adc":{"bits":6}}')).toEqual({ adc: { bits: 6 } });
    const file = join(mkdtempSync(join(tmpdir(), 'energy-')), 'p.json');
    writeFileSync(file, '{"tile":{"rows":64}}');
    expect(peripheryOption(file)).toEqual({ tile: { rows: 64 } });
    expect(() => peripheryOption('no-such-preset')).toThrow(/--periphery: 'no-such-preset' is neither a preset \(ideal, aihwkit-standard\), a JSON object nor an existing \.json file/);
    expect(() => peripheryOption('{"adc":')).toThrow(/--periphery: the argument is not valid JSON/);
  });
});
