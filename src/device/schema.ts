/**
 * The device-profile file format. device-models/schema/device-profile.schema.json (JSON Schema
 * draft 2020-12) is the source of truth — editors use it through each profile's "$schema" — and the
 * types below mirror it. ajv checks every profile as it is read and reports every error at once,
 * each with the file and the JSON pointer.
 */
import { readFileSync } from 'node:fs';
import { Ajv2020, type ErrorObject } from 'ajv/dist/2020.js';
import type { LawSpec } from './laws.js';
import type { QuantityText } from './units.js';
import { packagePath } from './paths.js';

/** A fitted value with its provenance. */
export interface FittedQuantity {
  value: QuantityText;
  /** id of an entry in `sources`. */
  source: string;
  /** true when checked against the source; false for placeholders and estimates. */
  verified: boolean;
  note?: string;
}

export type Quantity = QuantityText | FittedQuantity;

export type ProgrammingJson =
  | { method: 'one-shot'; sigma: LawSpec; pulses?: Quantity }
  | { method: 'acceptance-range'; range: string; sigma: Record<string, LawSpec>; pulses?: Quantity }
  | {
    method: 'write-verify';
    c2c: LawSpec;
    tolerance: { value: Quantity; of: 'target' | 'gMax' | 'absolute' };
    maxIterations: number;
    gain?: number;
  }
  | PulsedProgrammingJson;

/** aihwkit's pulsed-device parameters, in its weight units (pulsed.ts maps them onto [gMin, gMax]). */
export interface PulsedDeviceJson {
  dwMin: Quantity;
  wMin: Quantity;
  wMax: Quantity;
  range?: { min: Quantity; max: Quantity };
  gammaUp?: Quantity;
  gammaDown?: Quantity;
  gammaUpDtod?: Quantity;
  gammaDownDtod?: Quantity;
  meanBoundReference?: boolean;
  dwMinStd?: Quantity;
  noise?: 'multiplicative' | 'additive';
  dwMinDtod?: Quantity;
  upDown?: Quantity;
  upDownDtod?: Quantity;
  wMaxDtod?: Quantity;
  wMinDtod?: Quantity;
}

export interface PulsedProgrammingJson {
  method: 'pulsed';
  device: PulsedDeviceJson;
  start?: 'symmetry' | 'low' | 'high';
  verify?: boolean;
  tolerance?: { value: Quantity; of: 'target' | 'gMax' | 'absolute' };
  maxPulses: number;
}

export type DriftJson =
  | { model: 'none' }
  | { model: 'power-law'; t0: Quantity; nuMean: LawSpec; nuStd: LawSpec; distribution?: 'folded-normal' | 'normal' }
  | { model: 'log-relaxation'; shift: LawSpec; sigma: LawSpec }
  | { model: 'spread-growth'; total: LawSpec };

export type AccumulatedNoiseJson =
  | { model: 'none' }
  | { model: '1/f-relative'; q: LawSpec; tRead: Quantity }
  | { model: 'absolute'; sigma: LawSpec };

export interface SourceJson {
  id: string;
  title: string;
  url?: string;
  note?: string;
}

export interface ScalesJson {
  programming?: number;
  variation?: number;
  drift?: number;
  readNoise?: number;
}

/** A device profile as written in device-models/<id>.json. */
export interface DeviceProfileJson {
  $schema?: string;
  id: string;
  name: string;
  family: string;
  description?: string;
  conductance: {
    gMin: Quantity;
    gMax: Quantity;
    levels?: number | null;
    clamp?: 'non-negative' | 'range' | 'none';
  };
  mapping?: 'differential' | 'offset';
  programming: ProgrammingJson;
  variation?: { sigma: LawSpec };
  faults?: { stuckLow?: Quantity; stuckHigh?: Quantity };
  drift?: DriftJson;
  readNoise?: { accumulated?: AccumulatedNoiseJson; perMvm?: { sigma: LawSpec } };
  energy?: { readVoltage?: Quantity; readTime?: Quantity; programPulseEnergy?: Quantity; programPulseTime?: Quantity };
  scales?: ScalesJson;
  sources: SourceJson[];
  notes?: string[];
  /** Sources of fields that cannot carry their own (plain numbers and strings), by JSON pointer. */
  provenance?: Record<string, { source: string; verified: boolean; note?: string }>;
}

export const PROFILE_SCHEMA_PATH = packagePath('device-models/schema/device-profile.schema.json');

let validator: ReturnType<Ajv2020['compile']> | null = null;

function compiled(): ReturnType<Ajv2020['compile']> {
  if (!validator) {
    const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true, discriminator: true });
    validator = ajv.compile(JSON.parse(readFileSync(PROFILE_SCHEMA_PATH, 'utf8')));
  }
  return validator;
}

/** One line per ajv error: `file: /pointer: message`. */
export function formatProfileErrors(file: string, errors: ErrorObject[]): string[] {
  return errors.map((e) => {
    const at = e.instancePath || '/';
    const p = e.params as Record<string, unknown>;
    const extra = e.keyword === 'additionalProperties'
      ? ` '${String(p.additionalProperty)}'`
      : e.keyword === 'enum'
        ? ` (${(p.allowedValues as unknown[]).join(', ')})`
        : e.keyword === 'discriminator' && p.tagValue !== undefined
          ? ` (got '${String(p.tagValue)}')`
          : '';
    return `${file}: ${at}: ${e.message}${extra}`;
  });
}

/** Schema errors of a parsed profile (empty when valid). */
export function schemaErrors(raw: unknown, file: string): string[] {
  const v = compiled();
  return v(raw) ? [] : formatProfileErrors(file, v.errors ?? []);
}
