/**
 * The PEFT round trip, both ways: adapters grasp-hil saves carry PEFT's exact key names and config
 * fields (asserted against names read from PEFT's code, not from grasp-hil's output), and adapters in
 * PEFT's layout written by scripts/make_peft_fixtures.py (PyTorch, no PEFT, no grasp-hil) load and
 * reproduce the hidden states of the checkpoint that script merged, within 1e-4.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { inspectModel } from '../../src/inspect.js';
import { loadCheckpoint, loadModel } from '../../src/io/index.js';
import { configToJson, createModel, headLogits, parseConfig, tinyConfig, type Model } from '../../src/model/index.js';
import {
  applyMerged, attachMethod, headParamNames, loadAdapter, mergeAdapterIntoCheckpoint, paramState, saveAdapter,
} from '../../src/peft/index.js';
import { Rng, tf } from '../../src/tensor/index.js';
import { maxAbsDiff, useBackend } from '../helpers/backends.js';
import { logits, tinyInputs, tinyModel } from './helpers.js';

const FIX = new URL('../fixtures/', import.meta.url).pathname;
const PEFT = `${FIX}peft/`;

/**
 * Saved keys for LoRA (r = 2, target_modules ["query", "value"]) on a 2-layer RobertaForSequenceClassification,
 * spelled out from Hugging Face PEFT's code:
 *  - peft/peft_model.py: PeftModel.base_model is the LoraModel, whose .model is the transformers model, so
 *    parameters are named `base_model.model.<module path>`; RobertaForSequenceClassification keeps the
 *    encoder under its base_model_prefix `roberta`.
 *  - peft/tuners/lora/layer.py: lora_A / lora_B are ModuleDicts of nn.Linear keyed by adapter name
 *    (`….query.lora_A.default.weight`).
 *  - peft/utils/save_and_load.py get_peft_model_state_dict: keeps keys containing "lora_" (bias "none"),
 *    adds ModulesToSaveWrapper.adapter_state_dict for modules_to_save (the wrapped classifier's own
 *    parameter names under the module name), then removes the adapter name (`.default`).
 */
const PEFT_LORA_SEQ_CLS_KEYS = [
  'base_model.model.roberta.encoder.layer.0.attention.self.query.lora_A.weight',
  'base_model.model.roberta.encoder.layer.0.attention.self.query.lora_B.weight',
  'base_model.model.roberta.encoder.layer.0.attention.self.value.lora_A.weight',
  'base_model.model.roberta.encoder.layer.0.attention.self.value.lora_B.weight',
  'base_model.model.roberta.encoder.layer.1.attention.self.query.lora_A.weight',
  'base_model.model.roberta.encoder.layer.1.attention.self.query.lora_B.weight',
  'base_model.model.roberta.encoder.layer.1.attention.self.value.lora_A.weight',
  'base_model.model.roberta.encoder.layer.1.attention.self.value.lora_B.weight',
  'base_model.model.classifier.dense.weight',
  'base_model.model.classifier.dense.bias',
  'base_model.model.classifier.out_proj.weight',
  'base_model.model.classifier.out_proj.bias',
];

/** GPT2LMHeadModel keeps the decoder under `transformer` (its base_model_prefix); LoRA on Conv1D c_attn. */
const PEFT_LORA_CAUSAL_LM_KEYS = [
  'base_model.model.transformer.h.0.attn.c_attn.lora_A.weight',
  'base_model.model.transformer.h.0.attn.c_attn.lora_B.weight',
  'base_model.model.transformer.h.1.attn.c_attn.lora_A.weight',
  'base_model.model.transformer.h.1.attn.c_attn.lora_B.weight',
];

function header(file: string): Record<string, { shape: number[] }> {
  const bytes = readFileSync(file);
  const h = JSON.parse(bytes.subarray(8, 8 + Number(bytes.readBigUInt64LE(0))).toString('utf8'));
  delete h.__metadata__;
  return h;
}

function readJson(file: string) {
  return JSON.parse(readFileSync(file, 'utf8'));
}

function hidden(model: Model, golden: { input_ids: number[][]; attention_mask: number[][] }): Float32Array {
  const b = golden.input_ids.length, s = golden.input_ids[0].length;
  return tf.tidy(() =>
    model.forward({ inputIds: tf.tensor2d(golden.input_ids.flat(), [b, s], 'int32'), attentionMask: tf.tensor2d(golden.attention_mask.flat(), [b, s]) }).dataSync() as Float32Array,
  ).slice();
}

function classifierLogits(model: Model, golden: { input_ids: number[][]; attention_mask: number[][] }): Float32Array {
  const b = golden.input_ids.length, s = golden.input_ids[0].length;
  return tf.tidy(() =>
    headLogits(model, { inputIds: tf.tensor2d(golden.input_ids.flat(), [b, s], 'int32'), attentionMask: tf.tensor2d(golden.attention_mask.flat(), [b, s]) }).dataSync() as Float32Array,
  ).slice();
}

function perturb(adapter: ReturnType<typeof attachMethod>, seed: number): void {
  const rng = new Rng(seed, 'perturb');
  for (const t of adapter.trainable()) {
    const noise = rng.fillUniform(new Float32Array(t.variable.size), -0.3, 0.3);
    tf.tidy(() => t.variable.assign(tf.add(t.variable, tf.tensor(noise, t.variable.shape))));
  }
}

describe('adapters grasp-hil saves use PEFT layout', () => {
  const dir = mkdtempSync(join(tmpdir(), 'peft-save-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('SEQ_CLS LoRA: PEFT key names, suffix target_modules, classifier in modules_to_save', async () => {
    await useBackend('cpu');
    const model = tinyModel();
    const a = attachMethod(model, 'lora', { rank: 2 }, new Rng(0));
    await saveAdapter(join(dir, 'lora'), model, a, { head: paramState(model, headParamNames(model)), baseModel: 'tiny' });
    const keys = Object.keys(header(join(dir, 'lora', 'adapter_model.safetensors')));
    expect(keys.sort()).toEqual([...PEFT_LORA_SEQ_CLS_KEYS].sort());
    const cfg = readJson(join(dir, 'lora', 'adapter_config.json'));
    expect(cfg).toMatchObject({
      peft_type: 'LORA', task_type: 'SEQ_CLS', target_modules: ['query', 'value'], modules_to_save: ['classifier', 'score'],
      r: 2, lora_alpha: 16, use_rslora: false, fan_in_fan_out: false, bias: 'none', base_model_name_or_path: 'tiny',
    });
    expect(cfg.grasp_hil.method).toBeUndefined(); // everything LoRA needs is in PEFT's fields
    expect(cfg.grasp_hil.base_hash).toMatch(/^sha256:[0-9a-f]{64}$/);
    a.detach();
    model.dispose();
  });

  it('CAUSAL_LM LoRA on GPT-2 Conv1D: transformer. prefix and fan_in_fan_out', async () => {
    await useBackend('cpu');
    const config = tinyConfig({ architecture: 'gpt2', hiddenSize: 16, numLayers: 2, numHeads: 2, intermediateSize: 24, vocabSize: 50, maxPositions: 20 });
    const model = createModel(config, new Rng(3), { head: 'lm' });
    const a = attachMethod(model, 'lora', { rank: 2 }, new Rng(0));
    await saveAdapter(join(dir, 'gpt2'), model, a);
    expect(Object.keys(header(join(dir, 'gpt2', 'adapter_model.safetensors'))).sort()).toEqual([...PEFT_LORA_CAUSAL_LM_KEYS].sort());
    expect(readJson(join(dir, 'gpt2', 'adapter_config.json'))).toMatchObject({ task_type: 'CAUSAL_LM', target_modules: ['c_attn'], fan_in_fan_out: true, modules_to_save: null });
    a.detach();
    model.dispose();
  });

  it('a bare model is FEATURE_EXTRACTION without prefix; methods PEFT lacks keep the layout under their own peft_type', async () => {
    await useBackend('cpu');
    const config = parseConfig(configToJson(tinyConfig({ architecture: 'roberta', hiddenSize: 16, numLayers: 2, numHeads: 2, intermediateSize: 24, vocabSize: 50, maxPositions: 20 })), 'bare');
    const model = createModel(config, new Rng(4));
    const ia3 = attachMethod(model, 'ia3', {}, new Rng(0));
    await saveAdapter(join(dir, 'ia3'), model, ia3);
    const cfg = readJson(join(dir, 'ia3', 'adapter_config.json'));
    // 'output.dense' as a target would also take attention.output.dense, which kvff2 leaves out.
    expect(cfg).toMatchObject({ peft_type: 'IA3', task_type: 'FEATURE_EXTRACTION', target_modules: ['key', 'value', '0.output.dense', '1.output.dense'] });
    expect(cfg.feedforward_modules).toEqual(['dense']);
    expect(header(join(dir, 'ia3', 'adapter_model.safetensors'))['base_model.model.encoder.layer.1.output.dense.ia3_l'].shape).toEqual([1, 24]);
    ia3.detach();
    const g = attachMethod(model, 'grasp', { k: 4 }, new Rng(0));
    await saveAdapter(join(dir, 'grasp'), model, g);
    const gc = readJson(join(dir, 'grasp', 'adapter_config.json'));
    expect(gc).toMatchObject({ peft_type: 'GRASP', grasp_hil: { method: 'grasp', format: 2 } });
    expect(Object.keys(header(join(dir, 'grasp', 'adapter_model.safetensors')))).toContain('base_model.model.encoder.layer.0.output.dense.grasp_scale');
    g.detach();
    model.dispose();
  });

  it('a saved LoRA with rsLoRA and rank patterns loads back through the PEFT path and gives the same logits', async () => {
    await useBackend('cpu');
    const model = tinyModel();
    const inputs = tinyInputs();
    const a = attachMethod(model, 'lora', { rank: 4, alpha: 8, rslora: true, rankPattern: { value: 2 }, alphaPattern: { 'layer\\.1\\.attention\\.self\\.query': 32 } }, new Rng(0));
    perturb(a, 1);
    const want = logits(model, inputs);
    await saveAdapter(join(dir, 'rs'), model, a, { head: paramState(model, headParamNames(model)) });
    a.detach();
    const before = tf.memory().numTensors;
    const loaded = await loadAdapter(join(dir, 'rs'), model);
    expect(loaded.source).toBe('peft');
    expect(maxAbsDiff(logits(model, inputs), want)).toBeLessThan(1e-5);
    const merged = loaded.adapter.merge();
    loaded.adapter.detach();
    const undo = applyMerged(model, merged);
    expect(maxAbsDiff(logits(model, inputs), want)).toBeLessThan(1e-4);
    undo();
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });
});

describe('adapters PEFT wrote (fixtures from scripts/make_peft_fixtures.py)', () => {
  const out = mkdtempSync(join(tmpdir(), 'peft-merge-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('LoRA SEQ_CLS with rank_pattern, alpha_pattern, use_rslora and a classifier matches the merged reference', async () => {
    await useBackend('cpu');
    const golden = readJson(`${PEFT}roberta-lora-seqcls/golden.json`);
    const base = `${FIX}tiny-roberta-random/sequence-classification`;
    const model = await loadModel(base);
    const loaded = await loadAdapter(`${PEFT}roberta-lora-seqcls`, model, { baseModel: 'test/fixtures/tiny-roberta-random/sequence-classification' });
    expect(loaded.source).toBe('peft');
    expect(loaded.headParams.sort()).toEqual(headParamNames(model).sort());
    expect(maxAbsDiff(hidden(model, golden), golden.last_hidden_state)).toBeLessThan(1e-4);
    expect(maxAbsDiff(classifierLogits(model, golden), golden.classifier_logits)).toBeLessThan(1e-4);
    loaded.adapter.detach();
    model.dispose();
    // inspect: the bare model, head tensors skipped.
    const r = await inspectModel(base, golden.input_ids.map((row: number[], i: number) => row.slice(0, golden.attention_mask[i].reduce((a: number, b: number) => a + b, 0))), {
      adapter: `${PEFT}roberta-lora-seqcls`,
    });
    expect(r.adapter).toEqual({ method: 'lora', source: 'peft', sites: 4 });
    expect(maxAbsDiff(r.lastHiddenState.flat(2), golden.last_hidden_state)).toBeLessThan(1e-4);
  });

  it('(IA)³ FEATURE_EXTRACTION: output.dense makes both dense Sites feed-forward, as PEFT does', async () => {
    await useBackend('cpu');
    const golden = readJson(`${PEFT}roberta-ia3/golden.json`);
    const model = await loadModel(`${FIX}tiny-roberta-random`, { withHead: 'none' });
    const loaded = await loadAdapter(`${PEFT}roberta-ia3`, model);
    expect(loaded.adapter.sites).toHaveLength(8);
    expect(maxAbsDiff(hidden(model, golden), golden.last_hidden_state)).toBeLessThan(1e-4);
    const merged = loaded.adapter.merge();
    loaded.adapter.detach();
    const undo = applyMerged(model, merged);
    expect(maxAbsDiff(hidden(model, golden), golden.last_hidden_state)).toBeLessThan(1e-4);
    undo();
    model.dispose();
  });

  it('LoRA CAUSAL_LM on GPT-2 Conv1D (fan_in_fan_out) matches, and merge writes a checkpoint with the same hidden states', async () => {
    await useBackend('cpu');
    const golden = readJson(`${PEFT}gpt2-lora-causal/golden.json`);
    const base = `${FIX}tiny-gpt2-random/lm-head`;
    const model = await loadModel(base);
    const loaded = await loadAdapter(`${PEFT}gpt2-lora-causal`, model, { baseModel: base });
    expect(loaded.adapter.sites).toHaveLength(6); // c_attn, attn.c_proj, mlp.c_proj per layer
    expect(maxAbsDiff(hidden(model, golden), golden.last_hidden_state)).toBeLessThan(1e-4);
    loaded.adapter.detach();
    model.dispose();
    const r = await mergeAdapterIntoCheckpoint(base, `${PEFT}gpt2-lora-causal`, join(out, 'gpt2'));
    expect(r).toMatchObject({ method: 'lora', sites: 6, head: 'lm' });
    const merged = await loadCheckpoint(join(out, 'gpt2'));
    expect(merged.layout.prefix).toBe('transformer.');
    expect(maxAbsDiff(hidden(merged.model, golden), golden.last_hidden_state)).toBeLessThan(1e-4);
    merged.model.dispose();
  });

  it('merge of the SEQ_CLS adapter onto the bare checkpoint builds the classifier from modules_to_save', async () => {
    await useBackend('cpu');
    const golden = readJson(`${PEFT}roberta-lora-seqcls/golden.json`);
    const r = await mergeAdapterIntoCheckpoint(`${FIX}tiny-roberta-random`, `${PEFT}roberta-lora-seqcls`, join(out, 'roberta'), { allowBaseMismatch: true });
    expect(r.head).toBe('sequence-classification');
    const cfg = readJson(join(out, 'roberta', 'config.json'));
    expect(cfg.architectures).toEqual(['RobertaForSequenceClassification']);
    const { model } = await loadCheckpoint(join(out, 'roberta'));
    expect(maxAbsDiff(hidden(model, golden), golden.last_hidden_state)).toBeLessThan(1e-4);
    expect(maxAbsDiff(classifierLogits(model, golden), golden.classifier_logits)).toBeLessThan(1e-4);
    model.dispose();
  });
});

describe('adapters saved before the PEFT layout', () => {
  it('load and give the logits the old code gave', async () => {
    await useBackend('cpu');
    const want = readJson(`${PEFT}v1/logits.json`);
    for (const method of ['lora', 'grasp']) {
      const model = tinyModel();
      const inputs = tinyInputs();
      const loaded = await loadAdapter(`${PEFT}v1/${method}`, model);
      expect(loaded.source).toBe('grasp-hil-v1');
      expect(maxAbsDiff(logits(model, inputs), want[method])).toBeLessThan(1e-5);
      loaded.adapter.detach();
      model.dispose();
    }
  });
});

describe('the base model an adapter was made for', () => {
  const dir = mkdtempSync(join(tmpdir(), 'peft-base-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is checked by weights hash and by name, with an override', async () => {
    await useBackend('cpu');
    const a1 = tinyModel('roberta', 1);
    const a = attachMethod(a1, 'grasp', { k: 4 }, new Rng(0));
    await saveAdapter(join(dir, 'g'), a1, a, { head: paramState(a1, headParamNames(a1)), baseModel: 'models/base-one' });
    a.detach();
    a1.dispose();
    const other = tinyModel('roberta', 2); // same shapes, other weights
    await expect(loadAdapter(join(dir, 'g'), other, { baseModel: 'models/base-two' })).rejects.toThrow(
      /adapter_config\.json: \/grasp_hil\/base_hash: the adapter was trained on 'models\/base-one' \(sha256:.*\), but 'models\/base-two' has other weights .*--allow-base-mismatch/,
    );
    const warnings: string[] = [];
    const ok = await loadAdapter(join(dir, 'g'), other, { allowBaseMismatch: true, onWarning: (m) => warnings.push(m) });
    expect(warnings[0]).toMatch(/loading anyway/);
    ok.adapter.detach();
    other.dispose();
    // By name when no hash was recorded (an adapter PEFT wrote).
    const model = await loadModel(`${FIX}tiny-roberta-random/sequence-classification`);
    await expect(loadAdapter(`${PEFT}roberta-lora-seqcls`, model, { baseModel: 'models/distilroberta' })).rejects.toThrow(
      /\/base_model_name_or_path: the adapter was made for 'test\/fixtures\/tiny-roberta-random\/sequence-classification', not 'models\/distilroberta'/,
    );
    model.dispose();
  });

  it('is fingerprinted without the adapter\'s own parameters (BitFit trains biases in place)', async () => {
    await useBackend('cpu');
    const model = tinyModel();
    const b = attachMethod(model, 'bitfit', {}, new Rng(0));
    perturb(b, 3);
    await saveAdapter(join(dir, 'bitfit'), model, b, { head: paramState(model, headParamNames(model)) });
    b.detach();
    const loaded = await loadAdapter(join(dir, 'bitfit'), model);
    expect(loaded.adapter.method).toBe('bitfit');
    loaded.adapter.detach();
    model.dispose();
  });
});
