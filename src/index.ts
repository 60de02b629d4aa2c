/**
 * grasp-hil's library API (`import … from 'grasp-hil'`): the curated names of every area, each area
 * also importable alone (package.json `exports`):
 *
 *   grasp-hil/tensor      initBackend, Rng, tf, tensorCount
 *   grasp-hil/model       loadModel, loadTokenizer, selectSites, inspectModel, generate
 *   grasp-hil/peft        attachMethod, saveAdapter, loadAdapter, applyMerged, mergeAdapterIntoCheckpoint
 *   grasp-hil/data        getTask, seededSubset, encodeExamples
 *   grasp-hil/train       train, evaluate, evaluateWithNoise, computeMetrics
 *   grasp-hil/device      loadProfile, DeviceModel, registries of families, laws, programming methods
 *   grasp-hil/crossbar    Chip, weightsOfSites, resolvePeriphery, sigmaTargetFromProfile, estimateEnergy
 *   grasp-hil/experiment  runExperiment(spec, { signal, onEvent }), loadExperiment, plan, ResultStore
 *   grasp-hil/report      buildReport, reportExperiment, experimentStats
 *   grasp-hil/hil         chip drivers (simulator, gRPC), attachChip, calibrateOnChip  (not re-exported here: loads gRPC)
 *   grasp-hil/queue       queue mode on PostgreSQL                                     (not re-exported here: loads pg)
 *
 * Everything else is internal (src/internal.ts serves the CLI and the tests). Heavy dependencies load
 * on first use: the report renderer (vega, vega-lite, resvg), the tfjs-node backend, mathjs.
 * Import time: bench/import-time.ts; docs/api.md has the numbers.
 */
export * from './api/tensor.js';
export * from './api/model.js';
export * from './api/peft.js';
export * from './api/data.js';
export * from './api/train.js';
export * from './api/device.js';
export * from './api/crossbar.js';
export * from './api/experiment.js';
export * from './api/report.js';
