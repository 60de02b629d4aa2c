/**
 * Writes experiments/schema/experiment.schema.json from its one source, src/experiment/experiment-schema.ts.
 * Run after editing the schema: node --import tsx scripts/write-schemas.ts
 */
import { writeFileSync } from 'node:fs';
import { EXPERIMENT_SCHEMA, EXPERIMENT_SCHEMA_PATH } from '../src/experiment/index.js';

writeFileSync(EXPERIMENT_SCHEMA_PATH, `${JSON.stringify(EXPERIMENT_SCHEMA, null, 2)}\n`);
console.log(`wrote ${EXPERIMENT_SCHEMA_PATH}`);
