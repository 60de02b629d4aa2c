/**
 * Writes experiments/schema/experiment.schema.json and device-models/schema/device-profile.schema.json
 * from their one sources, src/experiment/experiment-schema.ts and src/device/profile-schema.ts.
 * Run after editing the schema: node --import tsx scripts/write-schemas.ts
 */
import { writeFileSync } from 'node:fs';
import { PROFILE_SCHEMA_PATH } from '../src/device/index.js';
import { PROFILE_SCHEMA } from '../src/device/profile-schema.js';
import { EXPERIMENT_SCHEMA, EXPERIMENT_SCHEMA_PATH } from '../src/experiment/index.js';

writeFileSync(EXPERIMENT_SCHEMA_PATH, `${JSON.stringify(EXPERIMENT_SCHEMA, null, 2)}\n`);
console.log(`wrote ${EXPERIMENT_SCHEMA_PATH}`);
writeFileSync(PROFILE_SCHEMA_PATH, `${JSON.stringify(PROFILE_SCHEMA, null, 2)}\n`);
console.log(`wrote ${PROFILE_SCHEMA_PATH}`);
