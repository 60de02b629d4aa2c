export { runExperiment, reportExperiment, quickVariant, progressLine, DEFAULT_MAX_ROWS } from './runner.js';
export type { RunOptions, RunSummary, PhaseTimes, RunProgress } from './runner.js';
export type { RunEvent, RunEventType, TrainStepEvent, LogEvent, JobEvent } from './events.js';
export { loadExperimentSource, OBJECT_FILE_NAME } from './source.js';
export type { ExperimentSource } from './source.js';
export { loadExperiment, parseExperiment, formatSchemaErrors, hashOf, canonicalJson, EXPERIMENT_SCHEMA_PATH } from './schema.js';
export { EXPERIMENT_SCHEMA } from './experiment-schema.js';
export type { AdapterEntry, Experiment, LoadedExperiment, MethodEntry, SigmaTargetSpec, TrainingSettings } from './schema.js';
export { plan, planSize, product } from './plan.js';
export type { Plan, TrainSpec, EvalSpec, DeviceSpec, SuppliedSpec, ScalesPoint } from './plan.js';
export { NUMERICS_VERSION } from './inputs.js';
export type { AdapterInput, PlanInputs, ProfileInput } from './inputs.js';
export { PERIPHERY_KEYS } from './periphery-keys.js';
export { WorkerPool } from './pool.js';
export { ResultStore } from '../results/index.js';
export type { ResultRow, RowKind, Histogram, SweepValue } from '../results/index.js';
export { calibrationSet, CALIBRATION_SUBSET } from './range-calibration.js';
// Queue mode (pg, graphile-worker) is ./queue/index.js, imported on its own: loading experiments does not load PostgreSQL's client.
