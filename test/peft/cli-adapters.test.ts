/**
 * The CLI with adapters PEFT wrote: inspect --adapter and merge (two child processes; the checks behind
 * them are tested in-process in peft-roundtrip.test.ts and malformed-inputs.test.ts).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { maxAbsDiff } from '../helpers/backends.js';
import { runCli } from '../cli/run-cli.js';

const FIX = new URL('../fixtures/', import.meta.url).pathname;
const tmp = mkdtempSync(join(tmpdir(), 'grasp-cli-adapters-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('CLI with PEFT adapters', () => {
  it('inspect --adapter applies a PEFT LoRA and matches the independently merged reference', () => {
    const golden = JSON.parse(readFileSync(`${FIX}peft/roberta-lora-seqcls/golden.json`, 'utf8'));
    const ids = golden.input_ids.map((row: number[], i: number) => row.slice(0, golden.attention_mask[i].reduce((a: number, b: number) => a + b, 0)).join(',')).join(';');
    const r = runCli(['inspect', `${FIX}tiny-roberta-random/sequence-classification`, '--adapter', `${FIX}peft/roberta-lora-seqcls`, '--ids', ids, '--json']);
    expect(r.stderr).toMatch(/^warning: .*adapter_model\.safetensors: skipped 4 head tensors \(modules_to_save\) for a head this model does not have\n$/);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(maxAbsDiff(out.last_hidden_state.flat(2), golden.last_hidden_state)).toBeLessThan(1e-4);
  });

  it('merge writes a Hugging Face checkpoint (GPT2LMHeadModel) from a PEFT adapter', () => {
    const out = join(tmp, 'merged');
    const r = runCli(['merge', `${FIX}tiny-gpt2-random/lm-head`, '--adapter', `${FIX}peft/gpt2-lora-causal`, '--out', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/merged lora \(6 Sites\) into .* with its lm head: wrote config\.json, model\.safetensors to /);
    expect(JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')).architectures).toEqual(['GPT2LMHeadModel']);
  });
});
