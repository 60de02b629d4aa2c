/**
 * Parameter counts from published configs alone. Golden integers from the architectures' formulas
 * (embeddings + per-block + final LayerNorm), matching the well-known totals: roberta-base
 * 124,055,040 without pooler (124.6M with it), roberta-large 354,310,144 (355.4M with pooler),
 * gpt2-medium 354,823,168; LoRA r=8 on q,v of roberta-base 294,912 (the LoRA paper's 0.3M),
 * BitFit on roberta-base 102,144 (0.1M).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/model/index.js';
import { countParameters } from '../../src/peft/index.js';

const fixture = (name: string) => new URL(`./fixtures/${name}.config.json`, import.meta.url).pathname;
const config = (name: string) => parseConfig(JSON.parse(readFileSync(fixture(name), 'utf8')), name);

describe('parameter counting from a config', () => {
  const base = config('roberta-base');
  const large = config('roberta-large');
  const gpt = config('gpt2-medium');

  it('counts roberta-base for every method', () => {
    const c = (m: string, o: Record<string, unknown> = {}) => countParameters(base, m, o, 2);
    expect(c('full')).toMatchObject({ trainable: 124_055_040, total: 124_055_040, head: 592_130 });
    expect(c('lora', { rank: 8 }).trainable).toBe(294_912);
    expect(c('bitfit').trainable).toBe(102_144);
    expect(c('ia3').trainable).toBe(55_296);
    expect(c('red').trainable).toBe(18_432);
    expect(c('grasp', { k: 32 }).trainable).toBe(4_608);
    expect(c('grasp', { k: 32, variant: 'scale' }).trainable).toBe(2_304);
    expect(c('stochgrasp', { k: 32 }).trainable).toBe(4_608);
    expect(c('stochgrasp', { k: 4, rows: 'all', sites: 'kvff2' }).trainable).toBe(442_368);
    expect(c('grasp-weight', { k: 4, rows: 'all', sites: 'kvff2' }).trainable).toBe(221_184);
    expect(c('top-k', { k: 1 }).trainable).toBe(7_087_872);
    const g = c('grasp', { k: 32 });
    expect(g.sites).toHaveLength(72);
    expect(g.percent).toBeCloseTo((100 * 4608) / 124_055_040, 12);
  });

  it('counts roberta-large and gpt2-medium', () => {
    expect(countParameters(large, 'full', {}).total).toBe(354_310_144);
    expect(countParameters(large, 'grasp', { k: 32 }).trainable).toBe(9_216);
    expect(countParameters(large, 'lora', { rank: 8 }).trainable).toBe(786_432);
    const g = countParameters(gpt, 'lora', { rank: 4 });
    expect(g).toMatchObject({ trainable: 393_216, total: 354_823_168, head: 0 });
    expect(countParameters(gpt, 'grasp', { k: 32 }).trainable).toBe(6_144);
    expect(countParameters(gpt, 'ia3', {}).trainable).toBe(24 * (3072 + 4096));
    expect(countParameters(gpt, 'bitfit', {}, 3)).toMatchObject({ head: 1024 * 3 });
  });

  it('gives clear errors', () => {
    expect(() => countParameters(base, 'nope')).toThrow(/unknown PEFT method 'nope'; known methods: grasp, .*lora/);
    expect(() => countParameters(base, 'grasp', { k: 0 })).toThrow(/option 'k' must be an integer in \[1, ∞\]/);
    expect(() => countParameters(base, 'grasp', { k: 1000 })).toThrow(/1000 groups exceed the dimension 768/);
    expect(() => countParameters(base, 'stochgrasp', { k: 4, rows: 800 })).toThrow(/rows for Site .*800 groups exceed the dimension 768/);
    expect(() => countParameters(base, 'grasp', { sites: 'qv,nothing' })).toThrow(/suffix 'nothing' matched no Site; Sites: encoder\.layer\.\*\.attention\.self\.query/);
    expect(() => countParameters(base, 'grasp', { sites: 'bogus-preset!' })).toThrow(/cannot read 'bogus-preset!'; expected a preset \(all-linear/);
    expect(() => countParameters(base, 'lora', { rnak: 4 })).toThrow(/lora: unknown option 'rnak'; options: rank/);
  });

  it('grasp-hil params --json prints the counts', () => {
    const out = execFileSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'params', '--config', fixture('roberta-base'), '--method', 'grasp', '--k', '32', '--labels', '2', '--json'], { encoding: 'utf8' });
    const r = JSON.parse(out);
    expect(r).toMatchObject({ trainable: 4608, total: 124_055_040, head: 592_130 });
    expect(r.sites[0]).toEqual({ site: 'encoder.layer.0.attention.self.query', params: 64 });
  });
});
