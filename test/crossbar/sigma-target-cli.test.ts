/** `grasp-hil device sigma-target` end to end (through tsx, as the built CLI runs it). */
import { describe, expect, it } from 'vitest';
import { runCli } from '../cli/run-cli.js';

const SITE = 'encoder.layer.0.attention.self.key';

describe('grasp-hil device sigma-target', () => {
  it('prints the random and systematic parts per Site, absolute and relative, and each source alone', () => {
    const args = ['device', 'sigma-target', '--profile', 'pcm-aihwkit', '--model', 'models/tiny-roberta', '--sites', SITE, '--t', '86400', '--probes', '16'];
    const j = runCli([...args, '--json']);
    expect(j.code, j.stderr).toBe(0);
    const r = JSON.parse(j.stdout);
    expect(r.part).toBe('random');
    const d = r.detail[SITE];
    expect(r.sites[SITE]).toBe(d.random);
    expect(r.relative[SITE]).toBeCloseTo(d.random / d.weightStd, 12);
    expect(d.systematic).toBeGreaterThan(0);
    expect(Object.keys(r.sources).sort()).toEqual(['drift', 'programming', 'quantisation', 'read', 'variation']);
    const text = runCli(args);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/σ_target \(pcm-aihwkit, t = 86400 s\): the random part/);
    expect(text.stdout).toMatch(new RegExp(`${SITE.replace(/\./g, '\\.')}\\s+${Number(d.random.toPrecision(3))}`));
    expect(text.stdout).toMatch(/each source alone.*\n.*\n\s+all\s+.*\n\s+programming\s+\d/);
  }, 240_000);
});
