/** The device and profiles commands end to end (through tsx, as the built CLI runs them). */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEVICE_MODELS_DIR } from '../../src/device/index.js';

const cli = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { encoding: 'utf8', env: { ...process.env, GRASP_HIL_BACKEND: 'cpu' } });

describe('grasp-hil device / profiles', () => {
  it('device stats prints conductances in µS as JSON', () => {
    const r = cli('device', 'stats', '--profile', 'pcm-aihwkit', '--g', '0.5', '--t', '3600', '--samples', '20000', '--json');
    expect(r.status, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s.target).toBe(12.5);
    expect(s.programmed.std).toBeGreaterThan(0.9);
    expect(s.programmed.std).toBeLessThan(1.0);
    expect(s.nu.mean).toBeCloseTo(0.049, 2);
    expect(s.atT.mean).toBeLessThan(s.programmed.mean);
  });

  it('device pulses programs a model on a chip and reports pulses per device, energy and time; device stats reports their distribution', () => {
    const r = cli('device', 'pulses', '--profile', 'fefet', '--model', 'models/tiny-roberta', '--sites', 'layer.0.attention.self.query', '--json');
    expect(r.status, r.stderr).toBe(0);
    const c = JSON.parse(r.stdout);
    expect(c.profile).toBe('fefet');
    expect(c.pulses.devices).toBe(2 * 128 * 128);
    expect(c.pulses.mean).toBeCloseTo(c.pulses.pulses / c.pulses.devices, 9);
    expect(c.pulses.max).toBeGreaterThanOrEqual(c.pulses.p99);
    expect(c.energy).toBeCloseTo(c.pulses.pulses * 1e-15, 20);
    const s = cli('device', 'stats', '--profile', 'ecram', '--g', '0.5', '--t', '0', '--samples', '2000', '--json');
    expect(s.status, s.stderr).toBe(0);
    const st = JSON.parse(s.stdout);
    expect(st.pulses.median).toBeGreaterThan(30);
    expect(st.pulsesPerDevice).toBeCloseTo(st.pulses.mean, 9);
  });

  it('profiles validate exits 1 and names file and pointer for a broken profile', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-'));
    const j = JSON.parse(readFileSync(join(DEVICE_MODELS_DIR, 'rram-cmo.json'), 'utf8'));
    j.conductance.gMin = '100 uS';
    delete j.sources;
    const file = join(dir, 'broken.json');
    writeFileSync(file, JSON.stringify(j));
    const r = cli('profiles', 'validate', file);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/FAIL .*broken\.json/);
    expect(r.stdout).toMatch(/broken\.json: \/: must have required property 'sources'/);
    const show = cli('profiles', 'show', 'fefet');
    expect(show.stdout).toMatch(/UNVERIFIED \/conductance\/gMax \[placeholder\]/);
  });
});
