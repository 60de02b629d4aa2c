/**
 * Experiment files: typed data validated at the boundary. One source, experiment-schema.ts, gives
 * both the JSON Schema (`$id` https://grasp-hil.dev/schema/experiment.schema.json, shipped as
 * experiments/schema/experiment.schema.json, printed by `grasp-hil schema experiment`) and the
 * `Experiment` type (FromSchema). ajv reports every error at once, each with the file and the JSON
 * pointer; an unknown key names the closest known one.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020, type ErrorObject } from 'ajv/dist/2020.js';
import { parseJsonText } from '../io/index.js';
import { didYouMean } from './periphery-keys.js';
import { EXPERIMENT_SCHEMA, type Experiment } from './experiment-schema.js';

export type { AdapterEntry, Experiment, MethodEntry, SigmaTargetSpec, TrainingSettings } from './experiment-schema.js';

export interface LoadedExperiment {
  experiment: Experiment;
  /** Absolute path of the file. */
  file: string;
  /** sha256 (first 16 hex) of the normalised content: what determines the results. */
  hash: string;
}

/** Absolute path of the shipped experiment schema. */
export const EXPERIMENT_SCHEMA_PATH = fileURLToPath(new URL('../../experiments/schema/experiment.schema.json', import.meta.url));
let validator: ReturnType<Ajv2020['compile']> | null = null;

function validate(): ReturnType<Ajv2020['compile']> {
  if (!validator) {
    const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true, useDefaults: true, verbose: true });
    // A copy: ajv must not hold on to (or annotate) the exported constant.
    validator = ajv.compile(structuredClone(EXPERIMENT_SCHEMA) as object);
  }
  return validator;
}

/** ` 'name'` and, when the schema lists its properties, the closest one and the full list. */
function unknownKey(name: string, parent: unknown): string {
  const known = Object.keys((parent as { properties?: object } | undefined)?.properties ?? {}).filter((k) => k !== '$schema');
  return known.length ? ` '${name}'${didYouMean(name, known)}; known: ${known.join(', ')}` : ` '${name}'`;
}

/** One line per ajv error: `file: /pointer: message`. */
export function formatSchemaErrors(file: string, errors: ErrorObject[]): string {
  return errors
    .map((e) => {
      const at = e.instancePath || '/';
      const extra = e.keyword === 'additionalProperties'
        ? unknownKey((e.params as { additionalProperty: string }).additionalProperty, e.parentSchema)
        : e.keyword === 'enum'
          ? ` (${(e.params as { allowedValues: unknown[] }).allowedValues.join(', ')})`
          : '';
      return `${file}: ${at}: ${e.message}${extra}`;
    })
    .join('\n');
}

/** Canonical JSON (sorted keys) for hashing. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const keys = Object.keys(value as object).filter((k) => k !== '$schema' && k !== 'description').sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function hashOf(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex').slice(0, 16);
}

/** Validates a parsed experiment object (defaults applied in place); throws every error at once. */
export function parseExperiment(raw: unknown, file: string): Experiment {
  const v = validate();
  if (!v(raw)) throw new Error(`invalid experiment file:\n${formatSchemaErrors(file, v.errors ?? [])}`);
  const exp = raw as Experiment;
  const ids = new Set<string>();
  exp.methods.forEach((m, i) => {
    const id = m.id ?? m.method;
    if (ids.has(id)) throw new Error(`${file}: /methods/${i}/id: '${id}' is used twice; give each method entry a unique id`);
    ids.add(id);
  });
  (exp.adapters ?? []).forEach((a, i) => {
    if (ids.has(a.id)) throw new Error(`${file}: /adapters/${i}/id: '${a.id}' is already the id of another entry; ids of methods and adapters must be unique`);
    ids.add(a.id);
  });
  if (ids.size === 0) throw new Error(`${file}: /methods: nothing to evaluate; add a method entry to train or an entry to "adapters" (an adapter folder to evaluate as is)`);
  if ((exp.task.id === undefined) === (exp.task.dir === undefined)) {
    throw new Error(`${file}: /task: ${exp.task.id === undefined ? 'give the task as "id" (a registered task) or "dir" (a local GLUE-style folder with train.tsv and dev.tsv/test.tsv)' : 'give either "id" or "dir", not both'}`);
  }
  if (exp.task.id !== undefined && exp.task.type !== undefined) throw new Error(`${file}: /task/type: a registered task has its own type; "type" describes a local task folder ("dir")`);
  if (exp.task.scoreRange !== undefined && exp.task.type !== 'regression') throw new Error(`${file}: /task/scoreRange: a score range belongs to a regression task; set "type": "regression" with "dir", or drop scoreRange`);
  if (exp.task.scoreRange !== undefined && !(exp.task.scoreRange[0] < exp.task.scoreRange[1])) throw new Error(`${file}: /task/scoreRange: [${exp.task.scoreRange.join(', ')}] is not a range; expected [lo, hi] with lo < hi`);
  if (exp.compareTo !== undefined && !ids.has(exp.compareTo)) {
    throw new Error(`${file}: /compareTo: '${exp.compareTo}' is not the id of a method or adapter entry; ids: ${[...ids].join(', ')}`);
  }
  const base = exp.methods.find((m) => (m.id ?? m.method) === exp.compareTo);
  const st = base?.sigmaTarget;
  if (st !== undefined && typeof st === 'object' && 'fromProfile' in st) {
    throw new Error(`${file}: /compareTo: '${exp.compareTo}' trains one adapter per profile (sigmaTarget.fromProfile), so it is not one baseline; compare to an entry with a single adapter per seed`);
  }
  return exp;
}

/** Reads, validates and hashes an experiment file. Relative model/data paths resolve against the file. */
export function loadExperiment(path: string): LoadedExperiment {
  const file = resolve(path);
  if (!existsSync(file)) throw new Error(`${path}: experiment file not found`);
  const raw = parseJsonText(readFileSync(file, 'utf8'), path);
  const experiment = parseExperiment(raw, path);
  return { experiment, file, hash: hashOf(experiment) };
}

/** Resolves a path from an experiment file: absolute stays, relative is taken from the file's folder. */
export function resolveFrom(file: string, p: string): string {
  return isAbsolute(p) ? p : resolve(dirname(file), p);
}
