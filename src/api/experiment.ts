/**
 * `grasp-hil/experiment` — experiments as files or objects: validate, plan, run with typed events and
 * cancellation (`runExperiment(spec, { signal, onEvent })`), result rows in reports/<name>/results.jsonl.
 */
export { runExperiment, quickVariant, DEFAULT_MAX_ROWS } from '../experiment/index.js';
export type { RunOptions, RunSummary, PhaseTimes, RunProgress, RunEvent, RunEventType, TrainStepEvent, LogEvent, ExperimentSource } from '../experiment/index.js';
export { loadExperiment, parseExperiment, loadExperimentSource, plan, planSize, EXPERIMENT_SCHEMA, EXPERIMENT_SCHEMA_PATH, PERIPHERY_KEYS } from '../experiment/index.js';
export type { Experiment, LoadedExperiment, MethodEntry, SigmaTargetSpec, TrainingSettings, Plan } from '../experiment/index.js';
export { ResultStore } from '../results/index.js';
export type { ResultRow, RowKind, Histogram } from '../results/index.js';
