import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { loadCheckpoint, loadModel, SafetensorsReader, saveModel, serializeSafetensors, type TensorToWrite } from '../../src/io/index.js';
import { createModel, tinyConfig, type Model } from '../../src/model/index.js';
import { Rng } from '../../src/tensor/index.js';
import { maxAbsDiff, useBackend } from '../helpers/backends.js';

const FIX = new URL('../fixtures/', import.meta.url).pathname;
const tmp = mkdtempSync(path.join(tmpdir(), 'grasp-ckpt-'));
let n = 0;
const fresh = () => path.join(tmp, `d${n++}`);
beforeAll(() => useBackend('cpu'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Copies a fixture dir and lets `edit` rewrite its tensors and config. */
async function variant(src: string, edit: (t: Map<string, TensorToWrite>, config: Record<string, unknown>) => void): Promise<string> {
  const dir = fresh();
  cpSync(`${FIX}${src}`, dir, { recursive: true });
  const r = await SafetensorsReader.open(path.join(dir, 'model.safetensors'));
  const tensors = new Map<string, TensorToWrite>(r.names().map((k) => {
    const d = r.read(k);
    return [k, { shape: d.shape, data: d.data, dtype: d.dtype === 'I64' ? 'I64' : d.data instanceof Int32Array ? 'I32' : 'F32' }];
  }));
  const config = JSON.parse(readFileSync(path.join(dir, 'config.json'), 'utf8')) as Record<string, unknown>;
  edit(tensors, config);
  writeFileSync(path.join(dir, 'model.safetensors'), serializeSafetensors(tensors));
  writeFileSync(path.join(dir, 'config.json'), JSON.stringify(config));
  return dir;
}

function sameParams(a: Model, b: Model, tol = 0): void {
  expect(b.params.names()).toEqual(a.params.names());
  for (const k of a.params.names()) expect(maxAbsDiff(a.params.get(k).dataSync(), b.params.get(k).dataSync()), k).toBeLessThanOrEqual(tol);
}

const keysOf = async (dir: string) => (await SafetensorsReader.open(path.join(dir, 'model.safetensors'))).names().sort();
const BUFFER = /position_ids$|\.attn\.(bias|masked_bias)$/;

describe('checkpoint load/save', () => {
  it.each(['tiny-roberta-random', 'tiny-roberta-random/masked-lm', 'tiny-roberta-random/sequence-classification', 'tiny-roberta-random/bert', 'tiny-gpt2-random', 'tiny-gpt2-random/lm-head'])(
    '%s: load → save → load keeps every parameter and the file layout', async (src) => {
      const a = await loadModel(`${FIX}${src}`);
      const out = fresh();
      await saveModel(a, out);
      const b = await loadModel(out);
      expect(b.head?.kind ?? null).toBe(a.head?.kind ?? null);
      sameParams(a, b);
      expect(await keysOf(out)).toEqual((await keysOf(`${FIX}${src}`)).filter((k) => !BUFFER.test(k)));
      expect(b.config).toEqual({ ...a.config, raw: b.config.raw, source: b.config.source });
      a.dispose();
      b.dispose();
    });

  it('saves F16 on request and loads it back within half precision', async () => {
    const a = await loadModel(`${FIX}tiny-gpt2-random`);
    const out = fresh();
    await saveModel(a, out, { dtype: 'F16' });
    expect((await SafetensorsReader.open(path.join(out, 'model.safetensors'))).info('wte.weight').dtype).toBe('F16');
    const b = await loadModel(out);
    sameParams(a, b, 5e-3);
    a.dispose();
    b.dispose();
  });

  it('saves a created model in the layout transformers uses for its class', async () => {
    const m = createModel(tinyConfig({ architecture: 'roberta', numLabels: 2 }), new Rng(1), { head: 'sequence-classification' });
    const out = fresh();
    await saveModel(m, out);
    const keys = await keysOf(out);
    expect(keys).toContain('roberta.encoder.layer.0.attention.self.query.weight');
    expect(keys).toContain('classifier.out_proj.weight');
    expect((await SafetensorsReader.open(path.join(out, 'model.safetensors'))).info('roberta.encoder.layer.0.intermediate.dense.weight').shape).toEqual([64, 32]);
    expect(JSON.parse(readFileSync(path.join(out, 'config.json'), 'utf8')).architectures).toEqual(['RobertaForSequenceClassification']);
    const back = await loadModel(out);
    sameParams(m, back);
    m.dispose();
    back.dispose();
  });

  it('initialises a head the checkpoint lacks (fine-tuning from a base model) and reports it', async () => {
    const warnings: string[] = [];
    const { model, report } = await loadCheckpoint(`${FIX}tiny-roberta-random/masked-lm`, {
      withHead: 'sequence-classification', numLabels: 4, rng: new Rng(3), onWarning: (w) => warnings.push(w),
    });
    expect(report.initialised).toEqual(['classifier.dense.weight', 'classifier.dense.bias', 'classifier.out_proj.weight', 'classifier.out_proj.bias']);
    expect(report.skipped).toContain('lm_head.dense.weight');
    expect(report.skipped).toContain('lm_head.decoder.weight');
    expect(warnings).toHaveLength(2);
    expect(model.config.numLabels).toBe(4);
    const logits = model.logits({ inputIds: tf.tensor2d([[0, 5, 2]], undefined, 'int32') });
    expect(logits.shape).toEqual([1, 4]);
    model.dispose();
    const none = await loadCheckpoint(`${FIX}tiny-roberta-random/sequence-classification`, { withHead: 'none' });
    expect(none.model.head).toBeNull();
    expect(none.report.skipped).toEqual(['classifier.dense.weight', 'classifier.dense.bias', 'classifier.out_proj.weight', 'classifier.out_proj.bias']);
    none.model.dispose();
  });

  it('reads a sharded checkpoint through model.safetensors.index.json', async () => {
    const dir = fresh();
    cpSync(`${FIX}tiny-gpt2-random/config.json`, path.join(dir, 'config.json'));
    const r = await SafetensorsReader.open(`${FIX}tiny-gpt2-random/model.safetensors`);
    const names = r.names();
    const half = Math.ceil(names.length / 2);
    const weightMap: Record<string, string> = {};
    [names.slice(0, half), names.slice(half)].forEach((part, i) => {
      const file = `model-0000${i + 1}-of-00002.safetensors`;
      writeFileSync(path.join(dir, file), serializeSafetensors(part.map((k) => {
        const d = r.read(k);
        weightMap[k] = file;
        return [k, { shape: d.shape, data: d.data }];
      })));
    });
    writeFileSync(path.join(dir, 'model.safetensors.index.json'), JSON.stringify({ metadata: {}, weight_map: weightMap }));
    const a = await loadModel(`${FIX}tiny-gpt2-random`), b = await loadModel(dir);
    sameParams(a, b);
    a.dispose();
    b.dispose();
  });
});

describe('checkpoint errors', () => {
  it('names a missing directory, a missing config and missing weights', async () => {
    await expect(loadModel(path.join(tmp, 'nope'))).rejects.toThrow(`model directory ${path.join(tmp, 'nope')} does not exist`);
    const file = path.join(tmp, 'file.txt');
    writeFileSync(file, 'x');
    await expect(loadModel(file)).rejects.toThrow('is not a directory');
    const empty = fresh();
    cpSync(`${FIX}tiny-gpt2-random/dtypes.json`, path.join(empty, 'x.json'));
    await expect(loadModel(empty)).rejects.toThrow(`${path.join(empty, 'config.json')} not found`);
    cpSync(`${FIX}tiny-gpt2-random/config.json`, path.join(empty, 'config.json'));
    writeFileSync(path.join(empty, 'pytorch_model.bin'), 'pickle');
    await expect(loadModel(empty)).rejects.toThrow('no model.safetensors (found pytorch_model.bin, which grasp-hil cannot read; convert it');
    writeFileSync(path.join(empty, 'config.json'), '{ not json');
    await expect(loadModel(empty)).rejects.toThrow(`${path.join(empty, 'config.json')}: not valid JSON`);
  });

  it('rejects a config without required fields or with an unknown architecture, naming the file', async () => {
    const noHidden = await variant('tiny-roberta-random', (_t, c) => { delete c.hidden_size; });
    await expect(loadModel(noHidden)).rejects.toThrow(`${path.join(noHidden, 'config.json')}: field 'hidden_size' must be a positive integer; it is missing`);
    const t5 = await variant('tiny-roberta-random', (_t, c) => { c.model_type = 't5'; });
    await expect(loadModel(t5)).rejects.toThrow("model_type 't5' is not supported");
  });

  it('reports shapes that disagree with the config, in checkpoint layout', async () => {
    const dir = await variant('tiny-roberta-random', (_t, c) => { c.intermediate_size = 48; });
    const err = await loadModel(dir).catch((e: Error) => e.message);
    expect(err).toContain(`${path.join(dir, 'model.safetensors')} does not match ${path.join(dir, 'config.json')}`);
    expect(err).toContain('shape mismatches (6): encoder.layer.0.intermediate.dense.weight has shape [64, 32], config.json implies [48, 32]');
    expect(err).toContain('encoder.layer.0.output.dense.weight has shape [32, 64], config.json implies [32, 48]');
    const vocab = await variant('tiny-gpt2-random/lm-head', (_t, c) => { c.vocab_size = 120; });
    await expect(loadModel(vocab)).rejects.toThrow('transformer.wte.weight has shape [100, 32], config.json implies [120, 32]');
  });

  it('lists every missing and unexpected key', async () => {
    const dir = await variant('tiny-roberta-random/masked-lm', (t) => {
      t.delete('roberta.encoder.layer.1.output.dense.bias');
      t.delete('roberta.embeddings.LayerNorm.weight');
      t.set('roberta.encoder.layer.2.output.dense.bias', { shape: [32], data: new Float32Array(32) });
      t.set('extra', { shape: [1], data: new Float32Array(1) });
      t.set('embeddings.word_embeddings.weight', { shape: [100, 32], data: new Float32Array(3200) }); // unprefixed base key
    });
    const err = await loadModel(dir).catch((e: Error) => e.message);
    expect(err).toContain('missing keys (2): roberta.embeddings.LayerNorm.weight, roberta.encoder.layer.1.output.dense.bias');
    expect(err).toContain('unexpected keys (3): extra, embeddings.word_embeddings.weight, roberta.encoder.layer.2.output.dense.bias');
    const deeper = await variant('tiny-gpt2-random', (_t, c) => { c.n_layer = 3; });
    await expect(loadModel(deeper)).rejects.toThrow(/missing keys \(12\): h\.2\.ln_1\.weight, h\.2\.ln_1\.bias, .*h\.2\.mlp\.c_proj\.bias/);
  });

  it('names the file when model.safetensors is corrupt', async () => {
    const dir = fresh();
    cpSync(`${FIX}tiny-roberta-random`, dir, { recursive: true });
    const file = path.join(dir, 'model.safetensors');
    writeFileSync(file, readFileSync(file).subarray(0, 5000));
    await expect(loadModel(dir)).rejects.toThrow(`${file}: tensor`);
    writeFileSync(file, Buffer.from([1, 2, 3]));
    await expect(loadModel(dir)).rejects.toThrow(`${file}: truncated safetensors file: 3 bytes`);
  });
});
