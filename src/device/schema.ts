/**
 * The device-profile file format: the JSON Schema (draft 2020-12) in profile-schema.ts, written to
 * device-models/schema/device-profile.schema.json for editors (each profile's "$schema") and ajv; the
 * types below are derived from it (json-schema-to-ts's FromSchema), not copied. ajv checks every
 * profile as it is read and reports every error at once, each with the file and the JSON pointer.
 */
import { Ajv2020, type ErrorObject } from 'ajv/dist/2020.js';
import type { FromSchema } from 'json-schema-to-ts';
import type { LawSpec } from './laws.js';
import { packagePath } from './paths.js';
import { PROFILE_SCHEMA } from './profile-schema.js';

/**
 * The schema as FromSchema reads it. A law ($defs/law) is recursive (a sum of laws), which FromSchema
 * cannot follow, and open to the types registered in laws.ts: it reads as laws.ts's `LawSpec`.
 */
type TypedProfileSchema = Omit<typeof PROFILE_SCHEMA, '$defs'> & {
  readonly $defs: Omit<typeof PROFILE_SCHEMA.$defs, 'law'> & { readonly law: { readonly $comment: 'law'; readonly type: 'object' } };
};
type ProfileSchemaOptions = {
  keepDefaultedPropertiesOptional: true;
  deserialize: [{ pattern: { $comment: 'law' }; output: LawSpec }];
};
/** A device profile as written in device-models/<id>.json: the schema's own type. */
export type DeviceProfileJson = FromSchema<TypedProfileSchema, ProfileSchemaOptions>;

/** A string with units, a dimensionless number, or a fitted value with its provenance ($defs/quantity). */
export type Quantity = FromSchema<typeof PROFILE_SCHEMA.$defs.quantity>;
/** A fitted value with its provenance. */
export type FittedQuantity = Extract<Quantity, { source: string }>;
export type ProgrammingJson = DeviceProfileJson['programming'];
export type PulsedProgrammingJson = Extract<ProgrammingJson, { method: 'pulsed' }>;
/** aihwkit's pulsed-device parameters, in its weight units (pulsed.ts maps them onto [gMin, gMax]). */
export type PulsedDeviceJson = PulsedProgrammingJson['device'];
export type DriftJson = NonNullable<DeviceProfileJson['drift']>;
export type AccumulatedNoiseJson = NonNullable<NonNullable<DeviceProfileJson['readNoise']>['accumulated']>;
export type SourceJson = DeviceProfileJson['sources'][number];
export type ScalesJson = NonNullable<DeviceProfileJson['scales']>;

export const PROFILE_SCHEMA_PATH = packagePath('device-models/schema/device-profile.schema.json');

let validator: ReturnType<Ajv2020['compile']> | null = null;

function compiled(): ReturnType<Ajv2020['compile']> {
  if (!validator) {
    const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true, discriminator: true });
    validator = ajv.compile(PROFILE_SCHEMA as unknown as Record<string, unknown>);
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
