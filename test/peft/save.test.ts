import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createModel, parseConfig, configToJson, tinyConfig } from '../../src/model/index.js';
import { attachMethod, loadAdapter, paramState, headParamNames, saveAdapter } from '../../src/peft/index.js';
import { Rng, tf } from '../../src/tensor/index.js';
import { useBackend } from '../helpers/backends.js';
import { tinyModel } from './helpers.js';

describe('adapter files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'adapter-files-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes PEFT-style config and keys, with the head as modules_to_save', async () => {
    await useBackend('cpu');
    const model = tinyModel();
    const a = attachMethod(model, 'lora', { rank: 2 }, new Rng(0));
    await saveAdapter(join(dir, 'lora'), model, a, { head: paramState(model, headParamNames(model)), baseModel: 'tiny', taskType: 'SEQ_CLS' });
    const cfg = JSON.parse(readFileSync(join(dir, 'lora', 'adapter_config.json'), 'utf8'));
    expect(cfg).toMatchObject({ peft_type: 'LORA', r: 2, lora_alpha: 16, base_model_name_or_path: 'tiny', task_type: 'SEQ_CLS', modules_to_save: ['classifier', 'score'] });
    expect(cfg.target_modules).toEqual(['query', 'value']);
    const bytes = readFileSync(join(dir, 'lora', 'adapter_model.safetensors'));
    const header = JSON.parse(bytes.subarray(8, 8 + Number(bytes.readBigUInt64LE(0))).toString('utf8'));
    expect(header['base_model.model.roberta.encoder.layer.0.attention.self.query.lora_A.weight'].shape).toEqual([2, 16]);
    expect(header['base_model.model.roberta.encoder.layer.0.attention.self.query.lora_B.weight'].shape).toEqual([16, 2]);
    expect(header['base_model.model.classifier.out_proj.weight'].shape).toEqual([3, 16]);
    a.detach();
    const loaded = await loadAdapter(join(dir, 'lora'), model);
    expect(loaded.headParams.sort()).toEqual(headParamNames(model).sort());
    loaded.adapter.detach();
    model.dispose();

    const g = tinyModel();
    const grasp = attachMethod(g, 'grasp', { k: 4 }, new Rng(0));
    await saveAdapter(join(dir, 'grasp'), g, grasp);
    const h = JSON.parse(readFileSync(join(dir, 'grasp', 'adapter_model.safetensors')).subarray(8, 8 + 4000).toString('utf8').replace(/\s+$/, '').replace(/[^}]*$/, ''));
    expect(Object.keys(h)).toContain('base_model.model.roberta.encoder.layer.0.output.dense.grasp_scale');
    grasp.detach();
    g.dispose();
  });

  it('rejects an adapter made for another base model, naming each mismatch', async () => {
    await useBackend('cpu');
    const small = tinyModel();
    const a = attachMethod(small, 'lora', { rank: 2 }, new Rng(0));
    await saveAdapter(join(dir, 'small'), small, a);
    a.detach();
    const wideConfig = parseConfig({ ...configToJson(tinyConfig({ architecture: 'roberta', hiddenSize: 24, numLayers: 2, numHeads: 2, intermediateSize: 24, vocabSize: 50, maxPositions: 20 })) }, 'wide');
    const wide = createModel(wideConfig, new Rng(1), { head: 'sequence-classification', numLabels: 3 });
    await expect(loadAdapter(join(dir, 'small'), wide)).rejects.toThrow(/adapter was made for another base model: encoder\.layer\.0\.attention\.self\.query: adapter made for \[16,16\], this model has \[24, 24\]/);
    // Same Sites, tensors that do not fit: each key named.
    const g = attachMethod(small, 'stochgrasp', { k: 4, rows: 'all' }, new Rng(0));
    await saveAdapter(join(dir, 'stoch'), small, g);
    g.detach();
    const cfgPath = join(dir, 'stoch', 'adapter_config.json');
    const cfg = JSON.parse(readFileSync(cfgPath, 'utf8'));
    cfg.grasp_hil.options.k = 3;
    const { writeFileSync } = await import('node:fs');
    writeFileSync(cfgPath, JSON.stringify(cfg));
    await expect(loadAdapter(join(dir, 'stoch'), small)).rejects.toThrow(/shape mismatch .*encoder\.layer\.0\.attention\.self\.query\.stochgrasp_mu: file has \[16,4\], this model needs \[16,3\]/);
    cfg.grasp_hil.method = 'mystery';
    cfg.peft_type = 'MYSTERY';
    writeFileSync(cfgPath, JSON.stringify(cfg));
    await expect(loadAdapter(join(dir, 'stoch'), small)).rejects.toThrow(/\/grasp_hil\/method 'mystery' is not a registered method; registered: grasp/);
    const before = tf.memory().numTensors;
    expect(small.params.trainable().size).toBe(0);
    expect(tf.memory().numTensors).toBe(before);
    small.dispose();
    wide.dispose();
  });

  it('writes nothing when a value is not finite, and leaves no temporary file', async () => {
    await useBackend('cpu');
    const model = tinyModel();
    const a = attachMethod(model, 'grasp', { k: 4 }, new Rng(0));
    a.trainable()[0].variable.assign(tf.tensor1d([1, NaN, 1, 1]));
    await expect(saveAdapter(join(dir, 'nan'), model, a)).rejects.toThrow(/grasp_scale holds a non-finite value \(NaN\) at index 1; not saving/);
    expect(existsSync(join(dir, 'nan'))).toBe(false);
    for (const d of readdirSync(dir)) expect(readdirSync(join(dir, d)).filter((f) => f.includes('.tmp-'))).toEqual([]);
    a.detach();
    model.dispose();
  });
});
