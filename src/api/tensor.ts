/**
 * `grasp-hil/tensor` — the engine: backend choice (tfjs-node → wasm → cpu), seeded random streams
 * and tensor-memory helpers. `initBackend()` before any tensor work; `Rng` for every random draw.
 */
export { initBackend, backendInfo, BACKEND_NAMES } from '../tensor/index.js';
export type { BackendInfo, BackendName } from '../tensor/index.js';
export { Rng, tf, tensorCount, disposeAll, tidyRead } from '../tensor/index.js';
export { environmentReport, packageVersion } from '../env.js';
export type { EnvironmentReport } from '../env.js';
