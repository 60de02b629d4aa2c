/**
 * The device-profile schema has one source, src/device/profile-schema.ts: the committed JSON is that
 * object (scripts/write-schemas.ts), and the profile's TypeScript type is derived from it.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { PROFILE_SCHEMA_PATH, type DeviceProfileJson, type DriftJson, type ProgrammingJson, type PulsedDeviceJson, type Quantity } from '../../src/device/index.js';
import type { LawSpec } from '../../src/device/laws.js';
import { PROFILE_SCHEMA } from '../../src/device/profile-schema.js';

describe('device-profile schema', () => {
  it('the committed JSON is PROFILE_SCHEMA (run node --import tsx scripts/write-schemas.ts after editing it)', () => {
    expect(readFileSync(PROFILE_SCHEMA_PATH, 'utf8')).toBe(`${JSON.stringify(PROFILE_SCHEMA, null, 2)}\n`);
  });

  it('DeviceProfileJson is the schema\'s type: its keys, the discriminated methods and models, laws as LawSpec', () => {
    expectTypeOf<keyof DeviceProfileJson>().toEqualTypeOf<keyof typeof PROFILE_SCHEMA.properties>();
    expectTypeOf<ProgrammingJson['method']>().toEqualTypeOf<(typeof PROFILE_SCHEMA.$defs.programming.oneOf)[number]['properties']['method']['const']>();
    expectTypeOf<DriftJson['model']>().toEqualTypeOf<'none' | 'power-law' | 'log-relaxation' | 'spread-growth'>();
    expectTypeOf<DeviceProfileJson['conductance']['clamp']>().toEqualTypeOf<'non-negative' | 'range' | 'none' | undefined>();
    expectTypeOf<Extract<ProgrammingJson, { method: 'one-shot' }>['sigma']>().toEqualTypeOf<LawSpec>();
    expectTypeOf<PulsedDeviceJson['dwMin']>().toEqualTypeOf<Quantity>();
    expect(Object.keys(PROFILE_SCHEMA.properties)).toContain('programming');
  });
});
