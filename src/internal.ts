/**
 * Every folder's surface in one flat namespace, for the CLI and the tests (inside the package only).
 * The library's public API is src/index.ts and its areas, src/api/*.ts (package.json `exports`).
 */
export * from './tensor/index.js';
export * from './model/index.js';
export * from './io/index.js';
export * from './peft/index.js';
export * from './data/index.js';
export * from './train/index.js';
export * from './eval/index.js';
export * from './device/index.js';
export * from './crossbar/index.js';
export { environmentReport, packageVersion } from './env.js';
export type { EnvironmentReport } from './env.js';
export { inspectModel, parseIdRows } from './inspect.js';
export type { InspectResult } from './inspect.js';
export * from './experiment/index.js';
export * from './experiment/queue/index.js';
export * from './report/index.js';
export * from './generate/index.js';
export * from './hil/index.js';
