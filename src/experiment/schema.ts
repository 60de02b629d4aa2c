/**
 * Experiment files: typed data validated at the boundary. The JSON Schema in
 * experiments/schema/experiment.schema.json is the source of truth; the types below mirror it.
 * ajv reports every error at once, each with the file and the JSON pointer.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020, type ErrorObject } from 'ajv/dist/2020.js';
import type { TrainOptions } from '../train/index.js';

/** The trainer's settings an experiment may set (the schema's $defs/training mirrors these). */
export type TrainingSettings = Pick<TrainOptions, 'epochs' | 'maxSteps' | 'batchSize' | 'lr' | 'headLr' | 'weightDecay' | 'warmupRatio' | 'clipNorm' | 'evalEvery' | 'hwa'>;

/** σ_target: weight units; from each profile at t; or a fraction of each adapted Site's weight std. */
export type SigmaTargetSpec = number | { fromProfile: true; t?: number; compensation?: boolean } | { relative: number };

export interface MethodEntry {
  id?: string;
  label?: string;
  method: string;
  options?: Record<string, unknown>;
  sigmaTarget?: SigmaTargetSpec;
  training?: TrainingSettings;
}

export interface Experiment {
  name: string;
  description?: string;
  model: string;
  task: { id: string; dataDir?: string; maxLength?: number; trainExamples?: number; evalExamples?: number };
  methods: MethodEntry[];
  /** Id of the baseline method entry the others are compared with (paired), if any. */
  compareTo?: string;
  training: TrainingSettings;
  profiles?: string[];
  evaluation: {
    noise?: { sigmas: number[]; relative?: boolean; sites?: string };
    hardware?: { times: number[]; compensation?: boolean[]; sites?: string };
    device?: { levels?: number[]; times?: number[]; samples?: number };
  };
  periphery?: Record<string, unknown>;
  sweeps?: Record<string, (number | string | boolean)[]>;
  seeds: { grouping?: number; train: number[]; chip?: number[]; read?: number; noise?: number[] };
}

export interface LoadedExperiment {
  experiment: Experiment;
  /** Absolute path of the file. */
  file: string;
  /** sha256 (first 16 hex) of the normalised content: what determines the results. */
  hash: string;
}

const schemaPath = fileURLToPath(new URL('../../experiments/schema/experiment.schema.json', import.meta.url));
let validator: ReturnType<Ajv2020['compile']> | null = null;

function validate(): ReturnType<Ajv2020['compile']> {
  if (!validator) {
    const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true, useDefaults: true });
    validator = ajv.compile(JSON.parse(readFileSync(schemaPath, 'utf8')));
  }
  return validator;
}

/** One line per ajv error: `file: /pointer: message`. */
export function formatSchemaErrors(file: string, errors: ErrorObject[]): string {
  return errors
    .map((e) => {
      const at = e.instancePath || '/';
      const extra = e.keyword === 'additionalProperties'
        ? ` '${(e.params as { additionalProperty: string }).additionalProperty}'`
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
  if (exp.compareTo !== undefined && !ids.has(exp.compareTo)) {
    throw new Error(`${file}: /compareTo: '${exp.compareTo}' is not the id of a method entry; ids: ${[...ids].join(', ')}`);
  }
  return exp;
}

/** Reads, validates and hashes an experiment file. Relative model/data paths resolve against the file. */
export function loadExperiment(path: string): LoadedExperiment {
  const file = resolve(path);
  if (!existsSync(file)) throw new Error(`${path}: experiment file not found`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`${path}: not valid JSON: ${(e as Error).message}`);
  }
  const experiment = parseExperiment(raw, path);
  return { experiment, file, hash: hashOf(experiment) };
}

/** Resolves a path from an experiment file: absolute stays, relative is taken from the file's folder. */
export function resolveFrom(file: string, p: string): string {
  return isAbsolute(p) ? p : resolve(dirname(file), p);
}
