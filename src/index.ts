/**
 * grasp-hil public API. The CLI uses only what this file exports.
 */
export * from './tensor/index.js';
export * from './model/index.js';
export * from './io/index.js';
export { environmentReport, packageVersion } from './env.js';
export type { EnvironmentReport } from './env.js';
