/**
 * The CLI with adapters in PEFT's layout: inspect --adapter and evaluate --adapter, one child process
 * each (merge and the checks behind all three are tested in-process in peft-roundtrip.test.ts and
 * malformed-inputs.test.ts).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
});

describe('evaluate with an adapter in PEFT layout only', () => {
  it('gives the metrics the library gives for the same adapter', async () => {
    const { getTask, numOutputs, encodeExamples, seededSubset, evaluate, loadTokenizer } = await import('../../src/index.js');
    const { loadModel } = await import('../../src/io/index.js');
    const { attachMethod, headParamNames, paramState, saveAdapter } = await import('../../src/peft/index.js');
    const { Rng, tf } = await import('../../src/tensor/index.js');
    const { useBackend } = await import('../helpers/backends.js');
    await useBackend('cpu');
    const modelDir = new URL('../../models/tiny-roberta', import.meta.url).pathname;
    const task = getTask('brown-genre');
    const model = await loadModel(modelDir, { withHead: 'sequence-classification', numLabels: numOutputs(task) });
    const lora = attachMethod(model, 'lora', { rank: 2 }, new Rng(0));
    const rng = new Rng(5, 'cli-evaluate');
    for (const t of lora.trainable()) tf.tidy(() => t.variable.assign(tf.add(t.variable, tf.tensor(rng.fillUniform(new Float32Array(t.variable.size), -0.2, 0.2), t.variable.shape))));
    // A "trained" head, unlike the one evaluate would initialise: the CLI must take it from modules_to_save.
    for (const n of headParamNames(model)) {
      const p = model.params.get(n);
      model.params.set(n, tf.tidy(() => tf.add(p, tf.tensor(rng.fillUniform(new Float32Array(p.size), -1, 1), p.shape))));
    }
    const set = encodeExamples(loadTokenizer(modelDir), seededSubset(task.load({}).evaluation.validation, 8, `${task.id}/validation`), 16);
    const want = evaluate(model, task, set);
    const dir = join(tmp, 'peft-only');
    await saveAdapter(dir, model, lora, { head: paramState(model, headParamNames(model)), baseModel: modelDir });
    lora.detach();
    model.dispose();
    // Remove everything grasp-hil adds: what is left is what PEFT itself writes.
    const cfgFile = join(dir, 'adapter_config.json');
    const cfg = JSON.parse(readFileSync(cfgFile, 'utf8'));
    delete cfg.grasp_hil;
    writeFileSync(cfgFile, JSON.stringify(cfg));
    const r = runCli(['evaluate', '--model', modelDir, '--adapter', dir, '--task', 'brown-genre', '--split', 'validation', '--examples', '8', '--max-length', '16', '--json']);
    expect(r.stderr).toBe('');
    const rows = JSON.parse(r.stdout);
    expect(rows[0].metrics).toEqual(want);
  });
});
