/**
 * Adapter folders in Hugging Face PEFT's layout: `adapter_config.json` + `adapter_model.safetensors`.
 *
 *   save:  state (+ trained head) → finite check → keys as PEFT saves them for the model's task type
 *          (peft-layout.ts: `base_model.model.roberta.encoder.layer.0.attention.self.query.lora_A.weight`,
 *          head as `base_model.model.classifier.dense.weight`) → config: peft_type, task_type,
 *          target_modules as suffixes (["query", "value"]), modules_to_save, the method's PEFT fields,
 *          trainable_token_indices (trainable-tokens.ts) and a grasp_hil block (adapter-config.ts) →
 *          tensors, then config, each written atomically.
 *   load:  files contained in the folder → config checked (adapter-config.ts) → method by
 *          grasp_hil.method or peft_type → Sites: from grasp_hil.options, or for an adapter PEFT wrote,
 *          from target_modules / layers_to_transform / exclude_modules matched as PEFT does → Site shapes
 *          → base model: by base_hash when recorded, else by name → every tensor finite → attach (with
 *          trainable token rows when trainable_token_indices is set) and
 *          set values (strict keys and shapes) → head parameters (modules_to_save) into the model.
 *
 * Adapters saved before the PEFT layout (no grasp_hil.format; keys without `roberta.`) still load:
 * the base prefix is optional on load and their grasp_hil.method/options say what to attach.
 */
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { basePrefix, checkFinite, containedPath, readSafetensors, serializeSafetensors, writeFileAtomic } from '../io/index.js';
import type { Transformer } from '../model/index.js';
import { Rng } from '../tensor/index.js';
import { getMethod, type Adapter, type NamedTensors, type PeftSaveLayout, type PeftSite } from './adapter.js';
import {
  ADAPTER_FORMAT, configError, fieldReader, methodOfConfig, parseAdapterConfig, type AdapterConfigFile, type GraspHilBlock,
} from './adapter-config.js';
import { baseWeightsHash } from './base-hash.js';
import { isHeadParam, loadParams } from './param-tuning.js';
import { innerAdapter, TokenAdapter, tokensFromConfig, withTokens } from './trainable-tokens.js';
import {
  matchesTargets, modulePath, modulePrefix, PEFT_KEY_PREFIX, plainEndsWith, savedKey, SEQ_CLS_MODULES, stateKeyOf, targetSuffixes,
  TASK_TYPES, taskTypeOf,
} from './peft-layout.js';

export const ADAPTER_CONFIG = 'adapter_config.json';
export const ADAPTER_WEIGHTS = 'adapter_model.safetensors';
export type { AdapterConfigFile } from './adapter-config.js';

export interface SaveAdapterOptions {
  /** The trained task head's parameters (`paramState(model, headParamNames(model))`), saved
   *  beside the adapter (modules_to_save). */
  head?: NamedTensors | null;
  /** `base_model_name_or_path`: where the base model lives. */
  baseModel?: string | null;
  /** PEFT task type ('SEQ_CLS', 'CAUSAL_LM', 'FEATURE_EXTRACTION'); default from the model's head. */
  taskType?: string | null;
}

function saveLayout(model: Transformer, prefix: string): PeftSaveLayout {
  const universe = [...model.sites.keys()];
  const pathOf = (site: string) => modulePath(site, prefix);
  return {
    path: pathOf,
    conv1d: (site) => model.sites.get(site)?.layout === 'conv1d',
    suffixes: (sites, within = universe, plain = false) =>
      targetSuffixes(sites.map(pathOf), within.map(pathOf), plain ? plainEndsWith : undefined),
  };
}

/** Writes the adapter (and head) to `dir` in PEFT's layout (see the file comment). */
export async function saveAdapter(dir: string, model: Transformer, adapter: Adapter, options: SaveAdapterOptions = {}): Promise<void> {
  const state = adapter.state();
  const head = options.head ?? null;
  const tensors: NamedTensors = new Map(state);
  if (head) for (const [k, v] of head) tensors.set(k, v);
  for (const [k, t] of tensors) {
    for (let i = 0; i < t.data.length; i++) {
      if (!Number.isFinite(t.data[i])) throw new Error(`saveAdapter: ${k} holds a non-finite value (${t.data[i]}) at index ${i}; not saving`);
    }
  }
  const def = getMethod(adapter.method);
  const taskType = options.taskType ?? taskTypeOf(model.head?.kind);
  if (!(TASK_TYPES as readonly string[]).includes(taskType)) throw new Error(`saveAdapter: task type '${taskType}' is not one of ${TASK_TYPES.join(', ')}`);
  const prefix = modulePrefix(model, taskType);
  const layout = saveLayout(model, prefix);
  const siteShapes: Record<string, [number, number]> = {};
  for (const name of adapter.sites) {
    const s = model.sites.get(name)!;
    siteShapes[name] = [s.inFeatures, s.outFeatures];
  }
  const headModules = head ? [...new Set([...head.keys()].map((n) => n.split('.')[0]))] : [];
  const modulesToSave = taskType === 'SEQ_CLS' ? [...new Set([...headModules, ...SEQ_CLS_MODULES])] : headModules.length ? headModules : null;
  const grasp: GraspHilBlock = {
    format: ADAPTER_FORMAT,
    ...(def.fromPeft ? {} : { method: adapter.method, options: { ...adapter.options } }),
    site_shapes: siteShapes,
    parameter_count: adapter.parameterCount(),
    base_hash: baseWeightsHash(model, new Set(state.keys())),
  };
  const config: AdapterConfigFile = {
    peft_type: def.peftType,
    task_type: taskType,
    base_model_name_or_path: options.baseModel ?? null,
    revision: null,
    inference_mode: true,
    target_modules: layout.suffixes(adapter.sites),
    modules_to_save: modulesToSave,
    ...(def.peftFields ? def.peftFields(def.parseOptions(adapter.options), innerAdapter(adapter), layout) : {}),
    ...(adapter instanceof TokenAdapter ? { trainable_token_indices: [...adapter.tokenIndices] } : {}),
    grasp_hil: grasp,
  };
  const bytes = serializeSafetensors([...tensors].map(([k, t]) => [savedKey(k, prefix), { shape: t.shape, data: t.data }]), {
    metadata: { format: 'pt' },
  });
  mkdirSync(dir, { recursive: true });
  await writeFileAtomic(path.join(dir, ADAPTER_WEIGHTS), bytes);
  await writeFileAtomic(path.join(dir, ADAPTER_CONFIG), `${JSON.stringify(config, null, 2)}\n`);
}

export interface LoadAdapterOptions {
  /** The base model's folder or name, compared with `base_model_name_or_path` when no hash was recorded. */
  baseModel?: string | null;
  /** Load even when the adapter was made for another base model (the check's message is warned). */
  allowBaseMismatch?: boolean;
  /** Notices: skipped head tensors, an overridden base mismatch. */
  onWarning?: (message: string) => void;
}

export interface LoadedAdapter {
  adapter: Adapter;
  /** Task-head parameters the file held; their values are now in the model. */
  headParams: string[];
  /** Head tensors the file held for a head this model does not have (inspect on the bare model). */
  skippedHead: string[];
  config: AdapterConfigFile;
  /** 'peft': options from PEFT's fields; 'grasp-hil': from grasp_hil.options (format 2, or 1: before the PEFT layout). */
  source: 'peft' | 'grasp-hil' | 'grasp-hil-v1';
}

/** The Sites an adapter PEFT wrote applies to, matched as PEFT's inject_adapter does. */
function peftSites(model: Transformer, config: AdapterConfigFile, prefix: string, file: string): PeftSite[] {
  const read = fieldReader(config, file);
  const targets = read.modules('target_modules');
  if (targets === null) throw configError(file, '/target_modules', 'a list of module names or a regular expression', config.target_modules ?? undefined);
  const exclude = read.modules('exclude_modules');
  const layersRaw = config.layers_to_transform;
  let layers: Set<number> | null = null;
  if (layersRaw !== undefined && layersRaw !== null) {
    const list = typeof layersRaw === 'number' ? [layersRaw] : layersRaw;
    if (!Array.isArray(list) || !list.every((n) => Number.isInteger(n) && n >= 0)) {
      throw configError(file, '/layers_to_transform', 'a layer index or a list of them', layersRaw);
    }
    layers = new Set(list as number[]);
  }
  const out: PeftSite[] = [];
  for (const s of model.sites.values()) {
    if (s.role === 'head') continue;
    const p = modulePath(s.name, prefix);
    if (!matchesTargets(p, targets)) continue;
    if (exclude !== null && matchesTargets(p, exclude)) continue;
    if (layers && (s.block === null || !layers.has(s.block))) continue;
    out.push({ name: s.name, path: p });
  }
  if (!out.length) {
    const sample = [...model.sites.keys()].slice(0, 6).map((n) => modulePath(n, prefix)).join(', ');
    throw configError(file, '/target_modules', `names or suffixes of this model's modules (${sample}, …)`, targets);
  }
  return out;
}

function sameName(a: string, b: string): boolean {
  if (a === b || path.resolve(a) === path.resolve(b)) return true;
  const last = (s: string) => s.replace(/[\\/]+$/, '').split(/[\\/]/).pop()!.toLowerCase();
  return last(a) === last(b);
}

/** Reads `dir`, attaches the saved method to `model` and sets its values (strict keys and shapes). */
export async function loadAdapter(dir: string, model: Transformer, options: LoadAdapterOptions = {}): Promise<LoadedAdapter> {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new Error(`${dir}: not a folder; pass the adapter folder holding ${ADAPTER_CONFIG} and ${ADAPTER_WEIGHTS}`);
  const cfgPath = containedPath(dir, ADAPTER_CONFIG, dir, 'adapter folder');
  const wPath = containedPath(dir, ADAPTER_WEIGHTS, dir, 'adapter folder');
  if (!existsSync(cfgPath)) throw new Error(`${dir}: no ${ADAPTER_CONFIG}; not an adapter folder`);
  if (!existsSync(wPath)) throw new Error(`${dir}: no ${ADAPTER_WEIGHTS} beside ${ADAPTER_CONFIG}`);
  const config = parseAdapterConfig(readFileSync(cfgPath, 'utf8'), cfgPath);
  const def = methodOfConfig(config, cfgPath);
  const gh = config.grasp_hil;
  const fromPeft = gh?.method === undefined;
  if (fromPeft && !def.fromPeft) {
    throw configError(cfgPath, '/grasp_hil/method', `set for peft_type '${config.peft_type}', which PEFT does not define; re-save the adapter with grasp-hil (retrain it if the file is lost)`);
  }

  // Site shapes recorded at save time, before any tensor is read.
  const mismatch: string[] = [];
  for (const [name, shape] of Object.entries(gh?.site_shapes ?? {})) {
    const s = model.sites.get(name);
    if (!s) mismatch.push(`${name}: no such Site in this model`);
    else if (s.inFeatures !== shape[0] || s.outFeatures !== shape[1]) mismatch.push(`${name}: adapter made for [${shape}], this model has [${s.inFeatures}, ${s.outFeatures}]`);
  }
  if (mismatch.length) {
    throw new Error(`${cfgPath}: adapter was made for another base model: ${mismatch.slice(0, 12).join('; ')}${mismatch.length > 12 ? `; … (${mismatch.length - 12} more)` : ''}`);
  }

  const raw = await readSafetensors(wPath);
  const tensors: NamedTensors = new Map();
  const headTensors: NamedTensors = new Map();
  const skippedHead: string[] = [];
  let prefixed = false;
  for (const [k, t] of raw) {
    const key = stateKeyOf(k, model);
    if (key === null) throw new Error(`${wPath}: tensor '${k}' does not start with '${PEFT_KEY_PREFIX}', as PEFT's adapter files do`);
    if (k.startsWith(PEFT_KEY_PREFIX + basePrefix(model.architecture))) prefixed = true;
    if (!(t.data instanceof Float32Array)) throw new Error(`${wPath}: tensor '${k}' is ${t.dtype}; adapter tensors must be floating point`);
    checkFinite(t.data, wPath, k);
    const plain = { shape: t.shape, data: t.data };
    if (isHeadParam(key)) {
      if (model.head && model.params.has(key)) headTensors.set(key, plain);
      else if (model.head) tensors.set(key, plain); // reported as unexpected by the strict load
      else skippedHead.push(key);
    } else tensors.set(key, plain);
  }
  if (skippedHead.length) options.onWarning?.(`${wPath}: skipped ${skippedHead.length} head tensors (modules_to_save) for a head this model does not have`);

  // The base model: by weights when a hash was recorded, else by name.
  const baseName = config.base_model_name_or_path;
  let problem: string | null = null;
  if (gh?.base_hash) {
    const here = baseWeightsHash(model, new Set(tensors.keys()));
    if (here !== gh.base_hash) {
      problem = `${cfgPath}: /grasp_hil/base_hash: the adapter was trained on '${baseName ?? '?'}' (${gh.base_hash.slice(0, 19)}…), ` +
        `but ${options.baseModel ? `'${options.baseModel}'` : 'this model'} has other weights (${here.slice(0, 19)}…)`;
    }
  } else if (baseName && options.baseModel && !sameName(baseName, options.baseModel)) {
    problem = `${cfgPath}: /base_model_name_or_path: the adapter was made for '${baseName}', not '${options.baseModel}'`;
  }
  if (problem) {
    if (!options.allowBaseMismatch) throw new Error(`${problem}; pass --allow-base-mismatch (allowBaseMismatch) to use it anyway`);
    options.onWarning?.(`${problem}; loading anyway (allowBaseMismatch)`);
  }

  let rawOptions: Record<string, unknown>;
  if (fromPeft) {
    const prefix = config.task_type !== null ? modulePrefix(model, config.task_type) : prefixed ? basePrefix(model.architecture) : '';
    rawOptions = def.fromPeft!(config, peftSites(model, config, prefix, cfgPath), fieldReader(config, cfgPath));
  } else {
    rawOptions = gh?.options ?? {};
  }
  let parsed: object;
  try {
    parsed = def.parseOptions(rawOptions);
  } catch (e) {
    throw new Error(`${cfgPath}: ${fromPeft ? `PEFT fields of ${config.peft_type}` : '/grasp_hil/options'}: ${(e as Error).message}`);
  }
  const tokens = tokensFromConfig(config.trainable_token_indices, cfgPath, model, (p) => modulePath(p, modulePrefix(model, config.task_type)));
  const adapter = withTokens(def.attach(model, parsed, new Rng(0, 'load')), model, tokens);
  try {
    adapter.loadState(tensors, wPath);
    if (headTensors.size) loadParams(model, headTensors, wPath);
  } catch (e) {
    adapter.detach();
    throw e;
  }
  const source = fromPeft ? 'peft' : gh?.format === ADAPTER_FORMAT ? 'grasp-hil' : 'grasp-hil-v1';
  return { adapter, headParams: [...headTensors.keys()], skippedHead, config, source };
}
