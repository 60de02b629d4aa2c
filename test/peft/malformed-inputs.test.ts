/**
 * Malformed checkpoints and adapters, one row each: every one is refused with a message naming the
 * file and the field (JSON pointer, config field or tensor), quickly, before any expensive work.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel, readSafetensors, serializeSafetensors, type TensorToWrite } from '../../src/io/index.js';
import { parseConfig, type Model } from '../../src/model/index.js';
import { countParameters, loadAdapter } from '../../src/peft/index.js';
import { tf } from '../../src/tensor/index.js';
import { useBackend } from '../helpers/backends.js';

const FIX = new URL('../fixtures/', import.meta.url).pathname;
const tmp = mkdtempSync(path.join(tmpdir(), 'grasp-malformed-'));
let n = 0;
let model: Model;
beforeAll(async () => {
  await useBackend('cpu');
  model = await loadModel(`${FIX}tiny-roberta-random/sequence-classification`);
});
afterAll(() => {
  model?.dispose();
  rmSync(tmp, { recursive: true, force: true });
});

type Json = Record<string, unknown>;

/** A copy of a fixture folder with its JSON file and tensors edited. */
async function variant(src: string, jsonFile: string, tensorsFile: string, edit: { json?: (c: Json) => void; tensors?: (t: Map<string, TensorToWrite>) => void }): Promise<string> {
  const dir = path.join(tmp, `d${n++}`);
  cpSync(`${FIX}${src}`, dir, { recursive: true });
  if (edit.json) {
    const c = JSON.parse(readFileSync(path.join(dir, jsonFile), 'utf8')) as Json;
    edit.json(c);
    writeFileSync(path.join(dir, jsonFile), JSON.stringify(c));
  }
  if (edit.tensors) {
    const raw = await readSafetensors(path.join(dir, tensorsFile));
    const t = new Map<string, TensorToWrite>([...raw].map(([k, d]) => [k, { shape: d.shape, data: d.data, ...(d.dtype === 'I64' ? { dtype: 'I64' as const } : {}) }]));
    edit.tensors(t);
    writeFileSync(path.join(dir, tensorsFile), serializeSafetensors(t));
  }
  return dir;
}

const checkpoint = (edit: Parameters<typeof variant>[3], src = 'tiny-roberta-random') => variant(src, 'config.json', 'model.safetensors', edit);
const adapter = (edit: Parameters<typeof variant>[3]) => variant('peft/roberta-lora-seqcls', 'adapter_config.json', 'adapter_model.safetensors', edit);
const LORA_A = 'base_model.model.roberta.encoder.layer.0.attention.self.query.lora_A.weight';
const Q_WEIGHT = 'encoder.layer.0.attention.self.query.weight';

function poison(t: Map<string, TensorToWrite>, key: string, value: number): void {
  const d = Float32Array.from(t.get(key)!.data);
  d[3] = value;
  t.set(key, { ...t.get(key)!, data: d });
}

async function sharded(shard: string): Promise<string> {
  const dir = path.join(tmp, `d${n++}`);
  cpSync(`${FIX}tiny-roberta-random`, dir, { recursive: true });
  unlinkSync(path.join(dir, 'model.safetensors'));
  writeFileSync(path.join(dir, 'model.safetensors.index.json'), JSON.stringify({ metadata: {}, weight_map: { [Q_WEIGHT]: shard } }));
  return dir;
}

interface Case {
  name: string;
  /** Runs the load; returns the folder the file named in the message lives in. */
  run: () => Promise<{ dir: string; go: () => Promise<unknown> }>;
  /** File the message must name (relative to dir). */
  file: string;
  /** The message must match this (field and what is expected). */
  message: RegExp;
}

const loadA = (dir: string) => ({ dir, go: () => loadAdapter(dir, model, {}) });
const loadC = (dir: string) => ({ dir, go: () => loadModel(dir) });

const CASES: Case[] = [
  { name: 'checkpoint: num_hidden_layers 1e9', file: 'config.json', message: /field 'num_hidden_layers' is 1000000000, beyond the limit of 1024/,
    run: async () => loadC(await checkpoint({ json: (c) => { c.num_hidden_layers = 1e9; } })) },
  { name: 'checkpoint: hidden_size beyond the limit', file: 'config.json', message: /field 'hidden_size' is 1048576, beyond the limit/,
    run: async () => loadC(await checkpoint({ json: (c) => { c.hidden_size = 1 << 20; c.num_attention_heads = 4; } })) },
  { name: 'checkpoint: config describes far more than the file holds', file: 'model.safetensors', message: /config\.json describes about .* parameters, but .*model\.safetensors holds .* check num_hidden_layers/,
    run: async () => loadC(await checkpoint({ json: (c) => { c.num_hidden_layers = 200; } })) },
  { name: 'checkpoint: NaN weight', file: 'model.safetensors', message: new RegExp(`tensor '${Q_WEIGHT.replace(/\./g, '\\.')}' holds a non-finite value \\(NaN\\) at index 3`),
    run: async () => loadC(await checkpoint({ tensors: (t) => poison(t, Q_WEIGHT, NaN) })) },
  { name: 'checkpoint: infinite weight', file: 'model.safetensors', message: /tensor 'embeddings\.LayerNorm\.bias' holds a non-finite value \(-Infinity\)/,
    run: async () => loadC(await checkpoint({ tensors: (t) => poison(t, 'embeddings.LayerNorm.bias', -Infinity) })) },
  { name: 'checkpoint: shard index naming ../', file: 'model.safetensors.index.json', message: new RegExp(`/weight_map/${Q_WEIGHT.replace(/\./g, '\\.')} names '\\.\\./outside\\.safetensors', which is outside`),
    run: async () => loadC(await sharded('../outside.safetensors')) },
  { name: 'checkpoint: shard index naming an absolute path', file: 'model.safetensors.index.json', message: /\/weight_map\/.* names '\/etc\/passwd', an absolute path/,
    run: async () => loadC(await sharded('/etc/passwd')) },
  { name: 'params: n_layer 1e9 counted from the config alone', file: 'config.json', message: /field 'n_layer' is 1000000000, beyond the limit/,
    run: async () => {
      const dir = path.join(tmp, `d${n++}`);
      const raw = { ...JSON.parse(readFileSync(`${FIX}tiny-gpt2-random/config.json`, 'utf8')), n_layer: 1e9 };
      return { dir, go: async () => countParameters(parseConfig(raw, path.join(dir, 'config.json')), 'lora', {}) };
    } },
  { name: 'adapter: config not JSON', file: 'adapter_config.json', message: /not valid JSON/,
    run: async () => {
      const dir = await adapter({});
      writeFileSync(path.join(dir, 'adapter_config.json'), '{"peft_type": "LORA",');
      return loadA(dir);
    } },
  { name: 'adapter: unknown peft_type', file: 'adapter_config.json', message: /\/peft_type 'LORRA' is not a method grasp-hil knows \(did you mean 'LORA'\?\); known peft_type values: GRASP, .*IA3/,
    run: async () => loadA(await adapter({ json: (c) => { c.peft_type = 'LORRA'; } })) },
  { name: 'adapter: unknown grasp_hil method', file: 'adapter_config.json', message: /\/grasp_hil\/method 'gasp' is not a registered method \(did you mean 'grasp'\?\)/,
    run: async () => loadA(await adapter({ json: (c) => { c.peft_type = 'GRASP'; c.grasp_hil = { method: 'gasp', options: {} }; } })) },
  { name: 'adapter: misspelt field', file: 'adapter_config.json', message: /\/target_module is not a field of adapter_config\.json \(did you mean 'target_modules'\?\)/,
    run: async () => loadA(await adapter({ json: (c) => { c.target_module = c.target_modules; } })) },
  { name: 'adapter: grasp_hil field unknown', file: 'adapter_config.json', message: /\/grasp_hil\/bass_hash is not a grasp_hil field \(did you mean 'base_hash'\?\)/,
    run: async () => loadA(await adapter({ json: (c) => { c.grasp_hil = { bass_hash: 'x' }; } })) },
  { name: 'adapter: malformed base_hash', file: 'adapter_config.json', message: /\/grasp_hil\/base_hash must be 'sha256:' and 64 hex digits; got "md5:1"/,
    run: async () => loadA(await adapter({ json: (c) => { c.grasp_hil = { base_hash: 'md5:1' }; } })) },
  { name: 'adapter: task type grasp-hil has no model for', file: 'adapter_config.json', message: /\/task_type must be one of SEQ_CLS, CAUSAL_LM, FEATURE_EXTRACTION or null/,
    run: async () => loadA(await adapter({ json: (c) => { c.task_type = 'SEQ_2_SEQ_LM'; } })) },
  { name: 'adapter: negative rank', file: 'adapter_config.json', message: /\/r must be an integer ≥ 1; got -1/,
    run: async () => loadA(await adapter({ json: (c) => { c.r = -1; } })) },
  { name: 'adapter: DoRA', file: 'adapter_config.json', message: /\/use_dora must be false \(DoRA is not supported\); got true/,
    run: async () => loadA(await adapter({ json: (c) => { c.use_dora = true; } })) },
  { name: 'adapter: rank_pattern value not a number', file: 'adapter_config.json', message: /\/rank_pattern\/value must be a non-negative integer; got "x"/,
    run: async () => loadA(await adapter({ json: (c) => { c.rank_pattern = { value: 'x' }; } })) },
  { name: 'adapter: target_modules matching nothing', file: 'adapter_config.json', message: /\/target_modules must be names or suffixes of this model's modules \(roberta\.encoder\.layer\.0\.attention\.self\.query, .*got \["q_proj","v_proj"\]/,
    run: async () => loadA(await adapter({ json: (c) => { c.target_modules = ['q_proj', 'v_proj']; } })) },
  { name: 'adapter: NaN tensor', file: 'adapter_model.safetensors', message: new RegExp(`tensor '${LORA_A.replace(/\./g, '\\.')}' holds a non-finite value \\(NaN\\)`),
    run: async () => loadA(await adapter({ tensors: (t) => poison(t, LORA_A, NaN) })) },
  { name: 'adapter: tensor key outside PEFT layout', file: 'adapter_model.safetensors', message: /tensor 'encoder\.layer\.0\.attention\.self\.query\.lora_A\.weight' does not start with 'base_model\.model\.'/,
    run: async () => loadA(await adapter({ tensors: (t) => { t.set('encoder.layer.0.attention.self.query.lora_A.weight', t.get(LORA_A)!); t.delete(LORA_A); } })) },
  { name: 'adapter: weights file a link outside the folder', file: '', message: /adapter folder names 'adapter_model\.safetensors', a link to .* outside/,
    run: async () => {
      const dir = await adapter({});
      const outside = path.join(tmp, `outside-${n++}.safetensors`);
      cpSync(path.join(dir, 'adapter_model.safetensors'), outside);
      unlinkSync(path.join(dir, 'adapter_model.safetensors'));
      symlinkSync(outside, path.join(dir, 'adapter_model.safetensors'));
      return loadA(dir);
    } },
  { name: 'adapter: weights missing', file: '', message: /no adapter_model\.safetensors beside adapter_config\.json/,
    run: async () => {
      const dir = await adapter({});
      unlinkSync(path.join(dir, 'adapter_model.safetensors'));
      return loadA(dir);
    } },
  { name: 'adapter: tensor of the wrong shape', file: 'adapter_model.safetensors', message: /encoder\.layer\.0\.attention\.self\.query\.lora_A\.weight: file has \[4,31\], this model needs \[4,32\]/,
    run: async () => loadA(await adapter({ tensors: (t) => t.set(LORA_A, { shape: [4, 31], data: new Float32Array(124) }) })) },
];

describe('malformed checkpoints and adapters are refused, naming file and field, quickly', () => {
  it('has at least 15 cases', () => expect(CASES.length).toBeGreaterThanOrEqual(15));

  for (const c of CASES) {
    it(c.name, async () => {
      const { dir, go } = await c.run();
      const before = tf.memory().numTensors;
      const t0 = performance.now();
      const err = await go().then(() => null, (e: Error) => e);
      const ms = performance.now() - t0;
      if (process.env.SHOW_MSG) console.log(`${c.name}: ${ms.toFixed(1)} ms: ${err?.message}`);
      expect(err, 'expected an error').toBeInstanceOf(Error);
      expect(err!.message).toContain(path.join(dir, c.file));
      expect(err!.message).toMatch(c.message);
      expect(ms).toBeLessThan(1000);
      expect(tf.memory().numTensors).toBe(before);
    });
  }
});
