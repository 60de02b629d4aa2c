import { describe, expect, it } from 'vitest';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from './run-cli.js';

const fixture = fileURLToPath(new URL('../fixtures/tiny-roberta-random', import.meta.url));
const golden = JSON.parse(readFileSync(`${fixture}/golden.json`, 'utf8')) as {
  cases: { input_ids: number[][]; token_type_ids?: number[][]; shape: number[]; last_hidden_state: number[] }[];
};

describe('grasp-hil CLI', () => {
  it('--help lists the commands', () => {
    const r = runCli(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/doctor/);
    expect(r.stdout).toMatch(/inspect <modelDir>/);
  });

  it('doctor --json reports the backend it chose and why', () => {
    const r = runCli(['doctor', '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.backend).toBe('cpu');
    expect(j.backendReason).toMatch(/GRASP_HIL_BACKEND/);
    expect(j.packages['@tensorflow/tfjs-core']).toMatch(/^4\./);
  });

  it('inspect --json prints last_hidden_state equal to the PyTorch golden values', () => {
    // Row 1 of the first golden case has no padding and token types all 0, as inspect feeds them.
    const c = golden.cases[0];
    const row = 1;
    expect(c.token_type_ids?.[row].every((t) => t === 0)).toBe(true);
    const r = runCli(['inspect', fixture, '--ids', c.input_ids[row].join(','), '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout).last_hidden_state as number[][][];
    const [, seq, hidden] = c.shape;
    expect([out.length, out[0].length, out[0][0].length]).toEqual([1, seq, hidden]);
    const offset = row * seq * hidden;
    let maxDiff = 0;
    out[0].flat().forEach((v, i) => { maxDiff = Math.max(maxDiff, Math.abs(v - c.last_hidden_state[offset + i])); });
    expect(maxDiff).toBeLessThan(1e-4);
  });

  it('bad input: one clear message and a non-zero exit, no stack trace', () => {
    const missing = runCli(['inspect', '/nonexistent/model', '--ids', '0,1']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^grasp-hil: model directory \/nonexistent\/model does not exist/);
    expect(missing.stderr).not.toMatch(/\n\s+at /);
    const range = runCli(['inspect', fixture, '--ids', '0,100000,2']);
    expect(range.code).toBe(1);
    expect(range.stderr).toMatch(/token id 100000 .* outside the vocabulary \[0, 100\)/);
    const junk = runCli(['inspect', fixture, '--ids', '0,x']);
    expect(junk.stderr).toMatch(/--ids: row 0: 'x' is not an integer/);
    const backend = runCli(['doctor', '--backend', 'quantum']);
    expect(backend.code).toBe(1);
    expect(backend.stderr).toMatch(/unknown backend 'quantum'/);
  });

  it('bad checkpoints: a config without a required field, an unknown architecture, shapes that disagree', () => {
    const config = JSON.parse(readFileSync(`${fixture}/config.json`, 'utf8')) as Record<string, unknown>;
    const variant = (edit: (c: Record<string, unknown>) => void) => {
      const dir = mkdtempSync(join(tmpdir(), 'bad-ckpt-'));
      const c = { ...config };
      edit(c);
      writeFileSync(join(dir, 'config.json'), JSON.stringify(c));
      copyFileSync(`${fixture}/model.safetensors`, join(dir, 'model.safetensors'));
      return runCli(['inspect', dir, '--ids', '0,5,2']);
    };
    const noHidden = variant((c) => { delete c.hidden_size; });
    expect(noHidden.code).toBe(1);
    expect(noHidden.stderr).toMatch(/config\.json.*hidden_size/);
    const unknown = variant((c) => { c.model_type = 'mamba'; });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/config\.json.*model_type.*mamba/);
    const shapes = variant((c) => { c.intermediate_size = 48; });
    expect(shapes.code).toBe(1);
    expect(shapes.stderr).toMatch(/model\.safetensors does not match[\s\S]*intermediate\.dense\.weight has shape \[64, 32\], config\.json implies \[48, 32\]/);
    for (const r of [noHidden, unknown, shapes]) expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
