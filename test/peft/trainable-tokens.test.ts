/**
 * Trainable tokens (PEFT trainable_token_indices) on a tied GPT-2 LM: the chosen rows reach the LM
 * head, only those rows train, the adapter folder has PEFT's key and config field, PEFT's dict form
 * loads, and misuse fails with errors naming the field.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCheckpoint, loadModel, readSafetensors } from '../../src/io/index.js';
import { configToJson, createModel, parseConfig, tinyConfig, type Model } from '../../src/model/index.js';
import { applyMerged, attachMethod, countParameters, loadAdapter, mergeAdapterIntoCheckpoint, saveAdapter, TokenAdapter } from '../../src/peft/index.js';
import { clmLoss, promptTargetBatch } from '../../src/train/index.js';
import { Rng, tensorCount, tf, toFloat32 } from '../../src/tensor/index.js';
import { maxAbsDiff, useBackend } from '../helpers/backends.js';

const H = 16, V = 40;

function tinyLm(seed = 1): Model {
  const c = tinyConfig({ architecture: 'gpt2', hiddenSize: H, numLayers: 2, numHeads: 2, intermediateSize: 24, vocabSize: V, maxPositions: 20 });
  return createModel(parseConfig({ ...configToJson(c), initializer_range: 0.3 }, 'tiny lm'), new Rng(seed, 'model'), { head: 'lm' });
}

/** Logits [rows·seq·vocab] of ids [rows, seq]. */
function lmLogits(model: Model, ids: number[][]): Float32Array {
  return tf.tidy(() => {
    const inputIds = tf.tensor2d(ids, [ids.length, ids[0].length], 'int32');
    return toFloat32(model.logits({ inputIds })).slice();
  });
}

const IDS = [[2, 3, 4, 5, 6], [7, 8, 2, 9, 3]];
const FIX = new URL('../fixtures/', import.meta.url).pathname;
const ROWS = [5, 11, 20];

describe('trainable tokens', () => {
  beforeAll(async () => {
    await useBackend('cpu');
  });
  const dir = mkdtempSync(join(tmpdir(), 'trainable-tokens-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('the tied LM head and the input embedding see the trained rows, and nothing else changes', () => {
    const model = tinyLm();
    const base = lmLogits(model, IDS);
    const adapter = attachMethod(model, 'lora', { rank: 2, trainableTokens: ROWS }, new Rng(0)) as TokenAdapter;
    expect(adapter).toBeInstanceOf(TokenAdapter);
    expect(maxAbsDiff(lmLogits(model, IDS), base)).toBe(0);
    // Move only row 20 (never an input id): the head's column 20 alone changes, to h·row20'.
    const rows = adapter.trainable().find((t) => t.key === 'wte.token_adapter.trainable_tokens_delta')!.variable;
    expect(rows.shape).toEqual([ROWS.length, H]);
    const bump = new Float32Array(ROWS.length * H);
    for (let j = 0; j < H; j++) bump[2 * H + j] = 0.5 * (j % 3) - 0.4;
    tf.tidy(() => rows.assign(tf.add(rows, tf.tensor2d(bump, [ROWS.length, H]))));
    const after = lmLogits(model, IDS);
    const hidden = tf.tidy(() => toFloat32(model.forward({ inputIds: tf.tensor2d(IDS, [2, 5], 'int32') })).slice());
    const row20 = toFloat32(rows).slice(2 * H, 3 * H);
    for (let p = 0; p < 10; p++) {
      for (let v = 0; v < V; v++) {
        if (v !== 20) expect(after[p * V + v]).toBe(base[p * V + v]);
      }
      let dot = 0;
      for (let j = 0; j < H; j++) dot += hidden[p * H + j] * row20[j];
      expect(after[p * V + 20]).toBeCloseTo(dot, 4);
      expect(Math.abs(after[p * V + 20] - base[p * V + 20])).toBeGreaterThan(1e-3);
    }
    // Row 5 is an input id of the first sequence: moving it (not by a constant, which every LayerNorm
    // removes) changes that sequence's hidden states.
    tf.tidy(() => rows.assign(tf.add(rows, tf.tensor2d(bump.map((_, i) => (i < H ? 0.1 * (i % 4) : 0)), [ROWS.length, H]))));
    const moved = lmLogits(model, IDS);
    expect(maxAbsDiff(moved.slice(0, 5 * V), after.slice(0, 5 * V))).toBeGreaterThan(1e-3);
    // The stored table never changes; the merged one differs from it exactly in the chosen rows.
    const stored = toFloat32(model.params.stored('wte.weight')).slice();
    const merged = adapter.merge().params.get('wte.weight')!;
    for (let v = 0; v < V; v++) {
      const d = maxAbsDiff(merged.data.slice(v * H, (v + 1) * H), stored.slice(v * H, (v + 1) * H));
      if (v === 5 || v === 20) expect(d, `row ${v}`).toBeGreaterThan(0);
      else expect(d, `row ${v}`).toBe(0);
    }
    adapter.detach();
    expect(maxAbsDiff(lmLogits(model, IDS), base)).toBe(0);
    model.dispose();
  });

  it('a causal-LM step moves only the chosen rows and keeps the tensor count flat', () => {
    const model = tinyLm(2);
    const adapter = attachMethod(model, 'bitfit', { trainableTokens: ROWS }, new Rng(0));
    const vars = adapter.trainable().map((t) => t.variable);
    const batch = promptTargetBatch([{ prompt: [2, 3, 4], target: [5, 11, 7] }, { prompt: [8, 9], target: [20, 6] }], 0);
    const before = toFloat32(model.params.stored('wte.weight')).slice();
    const step = () =>
      tf.tidy(() => {
        const { grads } = tf.variableGrads(() => clmLoss(model, batch, false), vars);
        for (const v of vars) v.assign(tf.sub(v, tf.mul(grads[v.name], 0.1)));
      });
    step();
    const count = tensorCount();
    step();
    step();
    expect(tensorCount()).toBe(count);
    const after = adapter.merge().params.get('wte.weight')!.data;
    for (let v = 0; v < V; v++) {
      const d = maxAbsDiff(after.slice(v * H, (v + 1) * H), before.slice(v * H, (v + 1) * H));
      if (ROWS.includes(v)) expect(d, `row ${v}`).toBeGreaterThan(0);
      else expect(d, `row ${v}`).toBe(0);
    }
    adapter.detach();
    model.dispose();
  });

  it("saves PEFT's key and config field, and loads them (list and dict forms) exactly", async () => {
    const model = tinyLm(3);
    const adapter = attachMethod(model, 'lora', { rank: 2, trainableTokens: [20, 5, 11, 5] }, new Rng(0));
    expect((adapter as TokenAdapter).tokenIndices).toEqual(ROWS);
    const counted = countParameters(model.config, 'lora', { rank: 2, trainableTokens: ROWS });
    expect(adapter.parameterCount()).toBe(counted.trainable);
    expect(counted.trainable - countParameters(model.config, 'lora', { rank: 2 }).trainable).toBe(ROWS.length * H);
    const rng = new Rng(4, 'perturb');
    for (const t of adapter.trainable()) tf.tidy(() => t.variable.assign(tf.add(t.variable, tf.tensor(rng.fillNormal(new Float32Array(t.variable.size), 0, 0.2), t.variable.shape))));
    const trained = lmLogits(model, IDS);
    const out = join(dir, 'lora-tokens');
    await saveAdapter(out, model, adapter, { taskType: 'CAUSAL_LM' });
    adapter.detach();
    const config = JSON.parse(readFileSync(join(out, 'adapter_config.json'), 'utf8'));
    expect(config.peft_type).toBe('LORA');
    expect(config.trainable_token_indices).toEqual(ROWS);
    const tensors = await readSafetensors(join(out, 'adapter_model.safetensors'));
    const key = 'base_model.model.transformer.wte.token_adapter.trainable_tokens_delta';
    expect(tensors.get(key)?.shape).toEqual([ROWS.length, H]);
    expect([...tensors.keys()].filter((k) => !k.includes('.lora_'))).toEqual([key]);

    const loaded = await loadAdapter(out, model);
    expect(loaded.adapter).toBeInstanceOf(TokenAdapter);
    expect(maxAbsDiff(lmLogits(model, IDS), trained)).toBe(0);
    const merged = loaded.adapter.merge();
    loaded.adapter.detach();
    const undo = applyMerged(model, merged);
    expect(maxAbsDiff(lmLogits(model, IDS), trained)).toBeLessThan(1e-5);
    undo();

    // PEFT's dict form, keyed by the embedding module's name.
    writeFileSync(join(out, 'adapter_config.json'), JSON.stringify({ ...config, trainable_token_indices: { 'transformer.wte': ROWS } }));
    const dict = await loadAdapter(out, model);
    expect(maxAbsDiff(lmLogits(model, IDS), trained)).toBe(0);
    dict.adapter.detach();
    writeFileSync(join(out, 'adapter_config.json'), JSON.stringify({ ...config, trainable_token_indices: { lm_head: ROWS } }));
    await expect(loadAdapter(out, model)).rejects.toThrow(/adapter_config\.json: \/trainable_token_indices must name only this model's input embedding \(transformer\.wte\)/);
    writeFileSync(join(out, 'adapter_config.json'), JSON.stringify({ ...config, trainable_token_indices: [5, 11] }));
    await expect(loadAdapter(out, model)).rejects.toThrow(/wte\.token_adapter\.trainable_tokens_delta/);
    writeFileSync(join(out, 'adapter_config.json'), JSON.stringify({ ...config, trainable_token_indices: [5, 'x'] }));
    await expect(loadAdapter(out, model)).rejects.toThrow(/\/trainable_token_indices must be a non-empty list of token ids/);
    model.dispose();
  });

  it('an adapter in PEFT\'s layout (LoRA + trainable_token_indices) gives the independent PyTorch reference\'s hidden states and logits', async () => {
    // test/fixtures/peft/gpt2-lora-tokens-causal: scripts/make_peft_fixtures.py (Debian python3-torch), the rows
    // replaced by index_copy as PEFT does, the tied head's logits h·wte'ᵀ.
    const golden = JSON.parse(readFileSync(`${FIX}peft/gpt2-lora-tokens-causal/golden.json`, 'utf8'));
    const base = `${FIX}tiny-gpt2-random/lm-head`;
    const model = await loadModel(base);
    const loaded = await loadAdapter(`${FIX}peft/gpt2-lora-tokens-causal`, model, { baseModel: base });
    expect((loaded.adapter as TokenAdapter).tokenIndices).toEqual([5, 17, 42]);
    expect(maxAbsDiff(lmLogits(model, golden.input_ids), golden.logits)).toBeLessThan(1e-4);
    const merged = loaded.adapter.merge();
    loaded.adapter.detach();
    const undo = applyMerged(model, merged);
    expect(maxAbsDiff(lmLogits(model, golden.input_ids), golden.logits)).toBeLessThan(1e-4);
    undo();
    model.dispose();
    // merge → a plain checkpoint holding the new rows.
    await mergeAdapterIntoCheckpoint(base, `${FIX}peft/gpt2-lora-tokens-causal`, join(dir, 'merged'));
    const ckpt = await loadCheckpoint(join(dir, 'merged'));
    const b = golden.input_ids.length, n = golden.input_ids[0].length;
    const hidden = tf.tidy(() => toFloat32(ckpt.model.forward({ inputIds: tf.tensor2d(golden.input_ids.flat(), [b, n], 'int32') })).slice());
    expect(maxAbsDiff(hidden, golden.last_hidden_state)).toBeLessThan(1e-4);
    expect(maxAbsDiff(lmLogits(ckpt.model, golden.input_ids), golden.logits)).toBeLessThan(1e-4);
    ckpt.model.dispose();
  });

  it('refuses ids outside the vocabulary, the unresolved experiment form and full fine-tuning, leaving the model as it was', () => {
    const model = tinyLm(4);
    const count = tensorCount();
    expect(() => attachMethod(model, 'lora', { trainableTokens: [3, V] }, new Rng(0))).toThrow(`token ids ${V} are outside the vocabulary [0, ${V})`);
    expect(() => attachMethod(model, 'lora', { trainableTokens: { fromTargets: 8 } }, new Rng(0))).toThrow(/experiment runner resolves it/);
    expect(() => attachMethod(model, 'lora', { trainableTokens: { top: 8 } }, new Rng(0))).toThrow(/lora: option 'trainableTokens' must be a list of token ids or \{ "fromTargets": N \}/);
    expect(() => attachMethod(model, 'full', { trainableTokens: [3] }, new Rng(0))).toThrow('trainableTokens: method full already trains wte.weight');
    expect(tensorCount()).toBe(count);
    expect(model.params.isTrainable('wte.weight')).toBe(false);
    model.dispose();
  });
});
