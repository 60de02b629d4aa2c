/**
 * Loading device profiles: read → validate against the JSON Schema (every error, with file and JSON
 * pointer) → compile (units to SI and checked against plausible ranges (plausible.ts), laws compiled
 * within bounded time and checked on a grid over g ∈ [0, 1] and t, family chosen from the registry,
 * every `source` and `provenance` entry resolved) → DeviceModel. Nothing runs before the schema
 * check, and no step costs more than a fixed number of law evaluations.
 *
 * A profile is named by id (a shipped file device-models/<id>.json) or by a path to a .json file.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, isAbsolute, join, resolve } from 'node:path';
import { parseJsonText } from '../io/index.js';
import './families/index.js';
import { createDevice } from './families/registry.js';
import { UNIT_SCALES, type DeviceModel, type Scales } from './model.js';
import { DEVICE_MODELS_DIR } from './paths.js';
import { schemaErrors, type DeviceProfileJson } from './schema.js';

export interface LoadOptions {
  /** Ablation knobs, multiplied onto the profile's own `scales` (each defaults to 1). */
  scales?: Partial<Scales>;
}

/** Ids of the shipped profiles, sorted. */
export function builtinProfileIds(): string[] {
  return readdirSync(DEVICE_MODELS_DIR)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -'.json'.length))
    .sort();
}

/** The file a profile reference names: a shipped id, or a path. */
export function resolveProfilePath(ref: string): string {
  const looksLikePath = ref.endsWith('.json') || ref.includes('/') || ref.includes('\\');
  if (!looksLikePath) {
    const file = join(DEVICE_MODELS_DIR, `${ref}.json`);
    if (existsSync(file)) return file;
    throw new Error(`device profile '${ref}' not found; shipped profiles: ${builtinProfileIds().join(', ')} (or give a path to a .json file)`);
  }
  const file = isAbsolute(ref) ? ref : resolve(ref);
  if (!existsSync(file)) throw new Error(`${ref}: device profile file not found`);
  return file;
}

function readJson(file: string): unknown {
  return parseJsonText(readFileSync(file, 'utf8'), file);
}

/**
 * Validates and compiles a parsed profile. Throws one error listing every schema violation, or the
 * first semantic problem (units, g_min ≥ g_max, a law that does not parse or is negative/NaN, …).
 */
export function parseProfile(raw: unknown, file: string, options: LoadOptions = {}): DeviceModel {
  const errors = schemaErrors(raw, file);
  if (errors.length) throw new Error(`invalid device profile (${errors.length} error${errors.length > 1 ? 's' : ''}):\n${errors.join('\n')}`);
  const json = raw as DeviceProfileJson;
  const own = json.scales ?? {};
  const extra = options.scales ?? {};
  const scales: Scales = { ...UNIT_SCALES };
  for (const k of Object.keys(scales) as (keyof Scales)[]) {
    const v = (own[k] ?? 1) * (extra[k] ?? 1);
    if (!(v >= 0) || !Number.isFinite(v)) throw new Error(`${file}: scale '${k}' must be a finite number ≥ 0, got ${v}`);
    scales[k] = v;
  }
  const stem = basename(file).replace(/\.json$/, '');
  if (file.endsWith('.json') && stem !== json.id && file.startsWith(DEVICE_MODELS_DIR)) {
    throw new Error(`${file}: /id: '${json.id}' differs from the file name '${stem}'; a shipped profile's id is its file name`);
  }
  return createDevice({ json, file, scales });
}

/** Loads a profile by shipped id or path. */
export function loadProfile(ref: string, options: LoadOptions = {}): DeviceModel {
  const file = resolveProfilePath(ref);
  return parseProfile(readJson(file), file, options);
}

/** Validation result for `profiles validate`: every problem found, nothing thrown. */
export interface ValidationResult {
  file: string;
  ok: boolean;
  errors: string[];
}

export function validateProfileFile(ref: string): ValidationResult {
  let file = ref;
  try {
    file = resolveProfilePath(ref);
    const raw = readJson(file);
    const errors = schemaErrors(raw, file);
    if (errors.length) return { file, ok: false, errors };
    parseProfile(raw, file);
    return { file, ok: true, errors: [] };
  } catch (e) {
    return { file, ok: false, errors: (e as Error).message.split('\n').filter((l) => !l.startsWith('invalid device profile')) };
  }
}

export interface ProfileSummary {
  id: string;
  name: string;
  family: string;
  file: string;
  gMaxMicroSiemens: number;
  /** Fitted values flagged unverified. */
  unverified: number;
}

/** Summaries of the shipped profiles. */
export function listProfiles(): ProfileSummary[] {
  return builtinProfileIds().map((id) => {
    const m = loadProfile(id);
    return {
      id,
      name: m.name,
      family: m.family,
      file: m.file,
      gMaxMicroSiemens: Number((m.gMax * 1e6).toPrecision(10)),
      unverified: m.provenance.filter((p) => !p.verified).length,
    };
  });
}
