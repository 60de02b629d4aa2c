/**
 * adapter_config.json, read and checked at the boundary before any tensor is read. Every error names
 * the file, the field as a JSON pointer (`/grasp_hil/method`) and what was expected.
 *
 *   PEFT fields      peft_type (a registered method's PEFT type), task_type (SEQ_CLS, CAUSAL_LM,
 *                    FEATURE_EXTRACTION or null), target_modules (list or regex), modules_to_save,
 *                    base_model_name_or_path, layers_to_transform / layers_pattern, exclude_modules, and
 *                    each method's own (r, lora_alpha, …: read by its `fromPeft`).
 *   grasp_hil block  what PEFT's schema cannot hold: `method` + `options` (methods PEFT lacks),
 *                    `site_shapes` ([in, out] per Site), `parameter_count`, `base_hash` (sha256 of the
 *                    base weights, base-hash.ts) and `format` (2; adapters without it were saved before
 *                    PEFT's key layout was followed and still load). Unknown keys in it are errors.
 *
 * Newer PEFT versions add fields, so unknown top-level fields are accepted, except ones a known field
 * name (of 4 characters or more) is one or two edits away from (a typo: "did you mean 'target_modules'?"). PEFT features
 * grasp-hil cannot reproduce (DoRA, trained biases, layer replication) are refused. `trainable_token_indices`
 * is read where the model is known (trainable-tokens.ts `tokensFromConfig`).
 */
import { closestName, editDistance, parseJsonText } from '../io/index.js';
import { listMethods, type MethodDefinition, type PeftFieldReader } from './adapter.js';
import { TASK_TYPES } from './peft-layout.js';

export const ADAPTER_FORMAT = 2;

export interface GraspHilBlock {
  format?: number;
  method?: string;
  options?: Record<string, unknown>;
  site_shapes?: Record<string, [number, number]>;
  parameter_count?: number;
  base_hash?: string;
}

export interface AdapterConfigFile {
  peft_type: string;
  base_model_name_or_path: string | null;
  task_type: string | null;
  target_modules: string[] | string | null;
  modules_to_save: string[] | null;
  inference_mode: boolean;
  grasp_hil?: GraspHilBlock;
  [peftField: string]: unknown;
}

/** Top-level fields of PEFT's configs grasp-hil reads or writes (for typo detection). */
const KNOWN_FIELDS = [
  'peft_type', 'task_type', 'base_model_name_or_path', 'revision', 'inference_mode', 'auto_mapping', 'target_modules',
  'exclude_modules', 'modules_to_save', 'layers_to_transform', 'layers_pattern', 'fan_in_fan_out', 'r', 'lora_alpha',
  'lora_dropout', 'use_rslora', 'rank_pattern', 'alpha_pattern', 'bias', 'init_lora_weights', 'use_dora', 'lora_bias',
  'feedforward_modules', 'init_ia3_weights', 'layer_replication', 'trainable_token_indices', 'target_parameters', 'grasp_hil',
  'megatron_config', 'megatron_core', 'loftq_config', 'eva_config', 'corda_config', 'runtime_config', 'peft_version',
];
const GRASP_HIL_FIELDS = ['format', 'method', 'options', 'site_shapes', 'parameter_count', 'base_hash'];

/** The closest of `known` to a mistyped `word`, or null (src/io/suggest.ts). */
export const didYouMean = closestName;

function suggestion(word: string, known: readonly string[]): string {
  const m = didYouMean(word, known);
  return m ? ` (did you mean '${m}'?)` : '';
}

/** Fails naming the file, the JSON pointer and what was expected. */
export function configError(file: string, pointer: string, expected: string, got?: unknown): Error {
  const shown = got === undefined ? 'it is missing' : `got ${JSON.stringify(got)?.slice(0, 120)}`;
  return new Error(`${file}: ${pointer} must be ${expected}; ${shown}`);
}

function isStringList(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((s) => typeof s === 'string');
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Typed reads of a parsed config's top-level fields (the `PeftFieldReader` methods use). */
export function fieldReader(config: Readonly<Record<string, unknown>>, file: string): PeftFieldReader {
  const get = (f: string) => (config[f] === null ? undefined : config[f]);
  return {
    int(field, def, min) {
      const v = get(field) ?? def;
      if (typeof v !== 'number' || !Number.isInteger(v) || v < min) throw configError(file, `/${field}`, `an integer ≥ ${min}`, v);
      return v;
    },
    number(field, def, min, max = Infinity) {
      const v = get(field) ?? def;
      if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) {
        throw configError(file, `/${field}`, `a number in [${min}, ${max === Infinity ? '∞' : max}]`, v);
      }
      return v;
    },
    bool(field, def) {
      const v = get(field) ?? def;
      if (typeof v !== 'boolean') throw configError(file, `/${field}`, 'true or false', v);
      return v;
    },
    record(field, integer) {
      const v = get(field) ?? {};
      if (!isObject(v)) throw configError(file, `/${field}`, 'an object of numbers by module pattern', v);
      for (const [k, x] of Object.entries(v)) {
        if (typeof x !== 'number' || !Number.isFinite(x) || x < 0 || (integer && !Number.isInteger(x))) {
          throw configError(file, `/${field}/${k}`, integer ? 'a non-negative integer' : 'a non-negative number', x);
        }
        try {
          new RegExp(k);
        } catch {
          throw configError(file, `/${field}`, 'keys that are regular expressions', k);
        }
      }
      return v as Record<string, number>;
    },
    modules(field) {
      const v = get(field);
      if (v === undefined) return null;
      if (typeof v === 'string') {
        try {
          new RegExp(v);
        } catch (e) {
          throw configError(file, `/${field}`, `a valid regular expression (${(e as Error).message})`, v);
        }
        return v;
      }
      if (!isStringList(v)) throw configError(file, `/${field}`, 'a list of module names or a regular expression', v);
      return v;
    },
    reject(field, bad, expected) {
      if (bad(config[field])) throw configError(file, `/${field}`, expected, config[field]);
    },
  };
}

/** The registered method a config names, by `grasp_hil.method` or else `peft_type`; did-you-mean on failure. */
export function methodOfConfig(config: AdapterConfigFile, file: string): MethodDefinition<object> {
  const methods = listMethods();
  const gh = config.grasp_hil;
  if (gh?.method !== undefined) {
    const m = methods.find((d) => d.name === gh.method);
    if (!m) {
      const names = methods.map((d) => d.name);
      throw new Error(`${file}: /grasp_hil/method '${gh.method}' is not a registered method${suggestion(String(gh.method), names)}; registered: ${names.join(', ')}`);
    }
    return m;
  }
  const types = [...new Set(methods.map((d) => d.peftType))];
  const m = methods.find((d) => d.peftType === config.peft_type);
  if (!m) {
    throw new Error(
      `${file}: /peft_type '${config.peft_type}' is not a method grasp-hil knows${suggestion(String(config.peft_type), types)}; ` +
        `known peft_type values: ${types.join(', ')}`,
    );
  }
  return m;
}

/** Parses and checks adapter_config.json text (see the file comment). */
export function parseAdapterConfig(text: string, file: string): AdapterConfigFile {
  let raw: unknown;
  try {
    raw = parseJsonText(text, file);
  } catch (e) {
    throw new Error(`${(e as Error).message}; an adapter folder needs PEFT's adapter_config.json`);
  }
  if (!isObject(raw)) throw configError(file, '/', 'a JSON object', raw);
  for (const k of Object.keys(raw)) {
    if (KNOWN_FIELDS.includes(k)) continue;
    const m = k.length >= 4 ? didYouMean(k, KNOWN_FIELDS) : null;
    if (m && editDistance(k, m) <= 2) throw new Error(`${file}: /${k} is not a field of adapter_config.json (did you mean '${m}'?)`);
  }
  const gh = raw.grasp_hil;
  if (gh !== undefined) {
    if (!isObject(gh)) throw configError(file, '/grasp_hil', 'an object', gh);
    for (const k of Object.keys(gh)) {
      if (!GRASP_HIL_FIELDS.includes(k)) throw new Error(`${file}: /grasp_hil/${k} is not a grasp_hil field${suggestion(k, GRASP_HIL_FIELDS)}; fields: ${GRASP_HIL_FIELDS.join(', ')}`);
    }
    if (gh.method !== undefined && typeof gh.method !== 'string') throw configError(file, '/grasp_hil/method', 'a method name', gh.method);
    if (gh.options !== undefined && !isObject(gh.options)) throw configError(file, '/grasp_hil/options', 'an object of options', gh.options);
    if (gh.format !== undefined && gh.format !== ADAPTER_FORMAT) {
      throw configError(file, '/grasp_hil/format', `${ADAPTER_FORMAT} (this grasp-hil's adapter format; retrain or update grasp-hil)`, gh.format);
    }
    if (gh.base_hash !== undefined && (typeof gh.base_hash !== 'string' || !/^sha256:[0-9a-f]{64}$/.test(gh.base_hash))) {
      throw configError(file, '/grasp_hil/base_hash', "'sha256:' and 64 hex digits", gh.base_hash);
    }
    if (gh.site_shapes !== undefined) {
      if (!isObject(gh.site_shapes)) throw configError(file, '/grasp_hil/site_shapes', 'an object of [in, out] by Site', gh.site_shapes);
      for (const [k, v] of Object.entries(gh.site_shapes)) {
        if (!Array.isArray(v) || v.length !== 2 || !v.every((x) => Number.isInteger(x) && x > 0)) {
          throw configError(file, `/grasp_hil/site_shapes/${k}`, '[in, out], two positive integers', v);
        }
      }
    }
  }
  if (typeof raw.peft_type !== 'string' && !(isObject(gh) && typeof gh.method === 'string')) {
    throw configError(file, '/peft_type', 'a string such as "LORA" or "IA3"', raw.peft_type);
  }
  const tt = raw.task_type;
  if (tt !== undefined && tt !== null && !(TASK_TYPES as readonly string[]).includes(tt as string)) {
    throw configError(file, '/task_type', `one of ${TASK_TYPES.join(', ')} or null (grasp-hil's models)${typeof tt === 'string' ? suggestion(tt, TASK_TYPES) : ''}`, tt);
  }
  if (raw.base_model_name_or_path !== undefined && raw.base_model_name_or_path !== null && typeof raw.base_model_name_or_path !== 'string') {
    throw configError(file, '/base_model_name_or_path', 'a string or null', raw.base_model_name_or_path);
  }
  if (raw.modules_to_save !== undefined && raw.modules_to_save !== null && !isStringList(raw.modules_to_save)) {
    throw configError(file, '/modules_to_save', 'a list of module names or null', raw.modules_to_save);
  }
  const unsupported: [string, (v: unknown) => boolean, string][] = [
    ['layer_replication', (v) => v !== undefined && v !== null, 'null (layer replication is not supported)'],
    ['target_parameters', (v) => v !== undefined && v !== null && !(Array.isArray(v) && v.length === 0), 'null (parameter targeting is not supported)'],
  ];
  for (const [f, bad, want] of unsupported) if (bad(raw[f])) throw configError(file, `/${f}`, want, raw[f]);
  return {
    ...raw,
    peft_type: raw.peft_type as string,
    base_model_name_or_path: (raw.base_model_name_or_path as string | null | undefined) ?? null,
    task_type: (tt as string | null | undefined) ?? null,
    target_modules: (raw.target_modules as string[] | string | null | undefined) ?? null,
    modules_to_save: (raw.modules_to_save as string[] | null | undefined) ?? null,
    inference_mode: raw.inference_mode !== false,
  } as AdapterConfigFile;
}
