/**
 * Hugging Face PEFT's naming, applied to grasp-hil's Sites (read from peft/utils/save_and_load.py,
 * peft/tuners/tuners_utils.py, peft/tuners/lora/model.py, peft/tuners/ia3/model.py and
 * peft/peft_model.py).
 *
 *   module path   the module's name inside the `transformers` model PEFT wraps: a model with a head
 *                 (RobertaForSequenceClassification, GPT2LMHeadModel) holds the base under its
 *                 `base_model_prefix` (`roberta.encoder.layer.0.attention.self.query`,
 *                 `transformer.h.0.attn.c_attn`); a bare model (RobertaModel) has none; head modules
 *                 have none either (`classifier.dense`, `score`, `lm_head`).
 *   saved key     `base_model.model.` + module path + parameter, the adapter name removed
 *                 (`….query.lora_A.weight`, `….key.ia3_l`); modules_to_save tensors as the module's
 *                 own parameters (`base_model.model.classifier.dense.weight`).
 *   target_modules  a list matches a module when its path equals an entry or ends with `.` + entry;
 *                 a string is a regex that must match the whole path (re.fullmatch).
 *   feedforward_modules ((IA)³)  a list matches by plain `endswith` (no dot boundary); a string by fullmatch.
 *   rank_pattern / alpha_pattern  the first key with re.match(rf"(.*\.)?({key})$", path) wins.
 *   task_type     SEQ_CLS (sequence classification head), CAUSAL_LM (GPT-2 LM head), FEATURE_EXTRACTION
 *                 (bare model); PEFT's SEQ_CLS adds ['classifier', 'score'] to modules_to_save.
 *
 * grasp-hil's adapter state keys are Site names + parameter (`encoder.layer.0.attention.self.query.lora_A.weight`)
 * and head parameter names; this file maps them to and from saved keys.
 */
import { basePrefix } from '../io/index.js';
import type { HeadKind, Transformer } from '../model/index.js';
import { isHeadParam } from './param-tuning.js';

/** What `get_peft_model_state_dict` prefixes every key with (PeftModel.base_model.model). */
export const PEFT_KEY_PREFIX = 'base_model.model.';

/** PEFT's task types grasp-hil models can take (peft/utils/peft_types.py TaskType). */
export const TASK_TYPES = ['SEQ_CLS', 'CAUSAL_LM', 'FEATURE_EXTRACTION'] as const;
export type TaskType = (typeof TASK_TYPES)[number];

/** modules_to_save PEFT's PeftModelForSequenceClassification adds (peft_model.py classifier_module_names). */
export const SEQ_CLS_MODULES = ['classifier', 'score'];

/** The task type of a model with this head. */
export function taskTypeOf(head: HeadKind | null | undefined): TaskType {
  return head === 'sequence-classification' ? 'SEQ_CLS' : head === 'lm' ? 'CAUSAL_LM' : 'FEATURE_EXTRACTION';
}

/** The prefix of base-model module paths in the `transformers` class PEFT wrapped. */
export function modulePrefix(model: Transformer, taskType: string | null): string {
  const withHead = taskType === 'SEQ_CLS' || taskType === 'CAUSAL_LM' || (taskType === null && !!model.head);
  return withHead ? basePrefix(model.architecture) : '';
}

/** Site name → module path (head Sites keep their own names). */
export function modulePath(siteOrParam: string, prefix: string): string {
  return isHeadParam(siteOrParam) ? siteOrParam : prefix + siteOrParam;
}

/** grasp-hil state key → saved key. */
export function savedKey(stateKey: string, prefix: string): string {
  return PEFT_KEY_PREFIX + modulePath(stateKey, prefix);
}

/**
 * Saved key → grasp-hil state key, or null when the key lacks `base_model.model.`. The base prefix is
 * removed whether or not it is there, so adapters saved by PEFT for a model with a head load on the
 * bare model (inspect) and older grasp-hil adapters (no prefix) keep loading.
 */
export function stateKeyOf(key: string, model: Transformer): string | null {
  if (!key.startsWith(PEFT_KEY_PREFIX)) return null;
  const rest = key.slice(PEFT_KEY_PREFIX.length);
  const p = basePrefix(model.architecture);
  return rest.startsWith(p) ? rest.slice(p.length) : rest;
}

function endsAtDot(path: string, target: string): boolean {
  return path === target || path.endsWith(`.${target}`);
}

/** PEFT's check_target_module_exists for a list or a regex string. */
export function matchesTargets(path: string, targets: string | readonly string[]): boolean {
  if (typeof targets === 'string') return fullMatch(targets, path);
  return targets.some((t) => endsAtDot(path, t));
}

/** (IA)³'s is_feedforward: plain endswith for a list, fullmatch for a string. */
export function matchesFeedforward(path: string, modules: string | readonly string[]): boolean {
  if (typeof modules === 'string') return fullMatch(modules, path);
  return modules.some((t) => path.endsWith(t));
}

function fullMatch(pattern: string, s: string): boolean {
  return new RegExp(`^(?:${pattern})$`).test(s);
}

/** PEFT's get_pattern_key: the value of the first pattern key matching `path`, else `fallback`. */
export function patternValue(patterns: Readonly<Record<string, number>>, path: string, fallback: number): number {
  for (const [key, value] of Object.entries(patterns)) if (new RegExp(`^(.*\\.)?(${key})$`).test(path)) return value;
  return fallback;
}

/**
 * The shortest target_modules list that selects exactly `chosen` among `universe` (module paths) under
 * `match`: for each chosen path, its shortest dotted suffix that selects no module outside `chosen`.
 * Sites on every layer give PEFT's usual ["query", "value"]; a subset of layers gives longer suffixes.
 */
export function targetSuffixes(chosen: readonly string[], universe: readonly string[], match: (path: string, t: string) => boolean = endsAtDot): string[] {
  const inside = new Set(chosen);
  const out: string[] = [];
  for (const path of chosen) {
    if (out.some((t) => match(path, t))) continue;
    const parts = path.split('.');
    for (let n = 1; n <= parts.length; n++) {
      const t = parts.slice(parts.length - n).join('.');
      if (universe.every((u) => inside.has(u) || !match(u, t))) {
        out.push(t);
        break;
      }
    }
  }
  return out;
}

/** (IA)³ feedforward list under PEFT's plain endswith. */
export const plainEndsWith = (path: string, t: string): boolean => path.endsWith(t);
