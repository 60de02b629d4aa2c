export { runExperiment, reportExperiment, quickVariant } from './runner.js';
export type { RunOptions, RunSummary, PhaseTimes } from './runner.js';
export { loadExperiment, parseExperiment, formatSchemaErrors, hashOf, canonicalJson } from './schema.js';
export type { Experiment, LoadedExperiment, MethodEntry, SigmaTargetSpec, TrainingSettings } from './schema.js';
export { plan, product } from './plan.js';
export type { Plan, TrainSpec, EvalSpec, DeviceSpec } from './plan.js';
export { WorkerPool } from './pool.js';
export { ResultStore } from '../results/index.js';
export type { ResultRow, RowKind, Histogram } from '../results/index.js';
