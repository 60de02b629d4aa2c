/**
 * Adapter files as PEFT writes them: `adapter_config.json` + `adapter_model.safetensors` in one
 * folder. Tensor keys are `base_model.model.<key>`, where <key> is the adapter's state key
 * (`<site>.grasp_scale`, `<site>.lora_A.weight`, a parameter name for BitFit/full) and, when a task
 * head was trained, the head's parameters (`classifier.out_proj.weight`, listed in
 * `modules_to_save`).
 *
 * The config records the method and its options (`grasp_hil.method`, `grasp_hil.options`) and the
 * shape of every adapted Site, so loading dispatches on the saved type name and rejects an adapter
 * made for another base model, naming each mismatch. Both files are written through a temporary
 * file and a rename, the tensors first: a failed save never leaves a partly written file, and a
 * folder with a config always has its tensors.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readSafetensors, serializeSafetensors, writeFileAtomic } from '../io/index.js';
import type { Transformer } from '../model/index.js';
import { Rng } from '../tensor/index.js';
import { methodForConfig, type Adapter, type NamedTensors } from './adapter.js';
import { headParamNames, loadParams } from './param-tuning.js';

export const ADAPTER_CONFIG = 'adapter_config.json';
export const ADAPTER_WEIGHTS = 'adapter_model.safetensors';
const PREFIX = 'base_model.model.';

export interface SaveAdapterOptions {
  /** The trained task head's parameters (`paramState(model, headParamNames(model))`), saved
   *  beside the adapter (modules_to_save). */
  head?: NamedTensors | null;
  /** `base_model_name_or_path`: where the base model lives. */
  baseModel?: string | null;
  /** PEFT task type ('SEQ_CLS', 'CAUSAL_LM', …). */
  taskType?: string | null;
}

export interface AdapterConfigFile {
  peft_type: string;
  base_model_name_or_path: string | null;
  task_type: string | null;
  target_modules: string[];
  modules_to_save: string[] | null;
  inference_mode: boolean;
  grasp_hil: {
    method: string;
    options: Record<string, unknown>;
    /** [in, out] of every adapted Site. */
    site_shapes: Record<string, [number, number]>;
    parameter_count: number;
  };
  [peftField: string]: unknown;
}

/** Writes the adapter (and head) to `dir`. */
export async function saveAdapter(dir: string, model: Transformer, adapter: Adapter, options: SaveAdapterOptions = {}): Promise<void> {
  const tensors: NamedTensors = new Map(adapter.state());
  const head = options.head ?? null;
  if (head) for (const [k, v] of head) tensors.set(k, v);
  for (const [k, t] of tensors) {
    for (let i = 0; i < t.data.length; i++) {
      if (!Number.isFinite(t.data[i])) throw new Error(`saveAdapter: ${k} holds a non-finite value (${t.data[i]}) at index ${i}; not saving`);
    }
  }
  const def = methodForConfig({ method: adapter.method }, 'saveAdapter');
  const siteShapes: Record<string, [number, number]> = {};
  for (const name of adapter.sites) {
    const s = model.sites.get(name)!;
    siteShapes[name] = [s.inFeatures, s.outFeatures];
  }
  const heads = head ? [...new Set([...head.keys()].map((n) => n.split('.')[0]))] : null;
  const config: AdapterConfigFile = {
    peft_type: def.peftType,
    base_model_name_or_path: options.baseModel ?? null,
    task_type: options.taskType ?? null,
    target_modules: [...adapter.sites],
    modules_to_save: heads,
    inference_mode: true,
    ...(def.peftFields ? def.peftFields(adapter.options, adapter) : {}),
    grasp_hil: { method: adapter.method, options: { ...adapter.options }, site_shapes: siteShapes, parameter_count: adapter.parameterCount() },
  };
  const bytes = serializeSafetensors([...tensors].map(([k, t]) => [PREFIX + k, { shape: t.shape, data: t.data }]), {
    metadata: { format: 'pt', method: adapter.method },
  });
  mkdirSync(dir, { recursive: true });
  await writeFileAtomic(join(dir, ADAPTER_WEIGHTS), bytes);
  await writeFileAtomic(join(dir, ADAPTER_CONFIG), `${JSON.stringify(config, null, 2)}\n`);
}

export interface LoadedAdapter {
  adapter: Adapter;
  /** Task-head parameters the file held; their values are now in the model. */
  headParams: string[];
  config: AdapterConfigFile;
}

/** Reads `dir`, attaches the saved method to `model` and sets its values (strict keys and shapes). */
export async function loadAdapter(dir: string, model: Transformer): Promise<LoadedAdapter> {
  const cfgPath = join(dir, ADAPTER_CONFIG);
  const wPath = join(dir, ADAPTER_WEIGHTS);
  if (!existsSync(cfgPath)) throw new Error(`${dir}: no ${ADAPTER_CONFIG}; not an adapter folder`);
  if (!existsSync(wPath)) throw new Error(`${dir}: no ${ADAPTER_WEIGHTS} beside ${ADAPTER_CONFIG}`);
  let config: AdapterConfigFile;
  try {
    config = JSON.parse(readFileSync(cfgPath, 'utf8')) as AdapterConfigFile;
  } catch (e) {
    throw new Error(`${cfgPath}: not valid JSON: ${(e as Error).message}`);
  }
  const meta = config.grasp_hil;
  if (!meta || typeof meta !== 'object' || typeof meta.method !== 'string') {
    throw new Error(`${cfgPath}: missing 'grasp_hil.method'; this adapter was not written by grasp-hil`);
  }
  const def = methodForConfig({ method: meta.method, peft_type: config.peft_type }, cfgPath);
  const mismatch: string[] = [];
  for (const [name, shape] of Object.entries(meta.site_shapes ?? {})) {
    const s = model.sites.get(name);
    if (!s) mismatch.push(`${name}: no such Site in this model`);
    else if (s.inFeatures !== shape[0] || s.outFeatures !== shape[1]) mismatch.push(`${name}: adapter made for [${shape}], this model has [${s.inFeatures}, ${s.outFeatures}]`);
  }
  if (mismatch.length) {
    throw new Error(`${cfgPath}: adapter was made for another base model: ${mismatch.slice(0, 12).join('; ')}${mismatch.length > 12 ? `; … (${mismatch.length - 12} more)` : ''}`);
  }
  const raw = await readSafetensors(wPath);
  const tensors: NamedTensors = new Map();
  for (const [k, t] of raw) {
    if (!k.startsWith(PREFIX)) throw new Error(`${wPath}: key '${k}' does not start with '${PREFIX}'`);
    tensors.set(k.slice(PREFIX.length), { shape: t.shape, data: t.data instanceof Float32Array ? t.data : Float32Array.from(t.data) });
  }
  const headNames = headParamNames(model).filter((n) => tensors.has(n));
  const headTensors: NamedTensors = new Map();
  for (const n of headNames) {
    headTensors.set(n, tensors.get(n)!);
    tensors.delete(n);
  }
  const adapter = def.attach(model, def.parseOptions(meta.options ?? {}), new Rng(0, 'load'));
  try {
    adapter.loadState(tensors, wPath);
    if (headNames.length) loadParams(model, headTensors, wPath);
  } catch (e) {
    adapter.detach();
    throw e;
  }
  return { adapter, headParams: headNames, config };
}
