/**
 * The run's event channel: what `runExperiment(spec, { onEvent })` reports, as typed values.
 *
 * Order within one run (workers = 1):
 *
 *   log* → plan → (trainStep* adapterTrained)* → rowWritten* → done
 *
 * `log` events (every line the runner and the trainer print) and `progress` events (the train and
 * evaluate counters) come in between, wherever they happen. With several workers, adapters train in
 * parallel, so the trainStep events of different adapters interleave; adapterTrained and rowWritten
 * still come in plan order. An aborted run (AbortSignal) emits no `done`: its promise rejects with
 * the signal's reason, and every row already written stays (the next run resumes after it).
 */
import type { ReportResult } from '../report/index.js';
import type { ResultRow } from '../results/index.js';
import type { TrainingRecord } from './job-context.js';

/** One optimiser step of an adapter being trained (`key`/`label` name the adapter, as in the plan). */
export interface TrainStepEvent {
  type: 'trainStep';
  key: string;
  label: string;
  step: number;
  total: number;
  epoch: number;
  loss: number;
  /** The adapter's penalty (StochGRASP's λ·Σ(σ − σ_target)²; 0 for methods without one). */
  penalty: number;
  gradNorm: number;
  lr: number;
  tokensPerSecond: number;
}

/** A line of text the run prints (plan, reconcile, warnings, trainer's step lines, counters). */
export interface LogEvent {
  type: 'log';
  line: string;
}

/** Events that jobs emit while they run (in this process or in a worker thread). */
export type JobEvent = TrainStepEvent | LogEvent;

/** A phase counter's step (`done` of `total` jobs, `seconds` into the phase, ETA in seconds). */
export interface RunProgress {
  phase: 'train' | 'evaluate';
  done: number;
  total: number;
  /** What finished last (adapter label or row key); '' at the start. */
  label: string;
  seconds: number;
  /** Estimated seconds left: mean seconds per finished job × jobs left; null before the first job. */
  eta: number | null;
}

export type RunEvent =
  | LogEvent
  | TrainStepEvent
  | {
      type: 'plan';
      experiment: string;
      /** reports/<name>/ */
      outDir: string;
      /** Sizes of the whole plan. */
      adapters: number;
      evaluations: number;
      devices: number;
      /** Rows already in results.jsonl (kept), adapters to train and rows to compute in this run. */
      stored: number;
      toTrain: number;
      toCompute: number;
      workers: number;
    }
  | { type: 'progress'; progress: RunProgress }
  | { type: 'adapterTrained'; key: string; label: string; record: TrainingRecord }
  | { type: 'rowWritten'; row: ResultRow; done: number; total: number }
  | { type: 'done'; summary: RunSummary };

export type RunEventType = RunEvent['type'];

export interface RunSummary {
  experiment: string;
  outDir: string;
  adaptersTrained: number;
  adaptersCached: number;
  rowsWritten: number;
  rowsSkipped: number;
  /** Stored rows whose inputs changed: archived and recomputed in this run. */
  rowsStale: number;
  /** Stored rows no longer in the plan: kept, or archived when pruned. */
  rowsNotInPlan: number;
  rowsPruned: number;
  recovered: string[];
  seconds: PhaseTimes;
  evaluationsPerMinute: number;
  workers: number;
  /**
   * Evaluation rows of this run, their time summed over rows (worker-seconds, so with several workers
   * it exceeds the evaluate phase's wall time): merge, program (noise or chip), evaluate (forward passes).
   */
  jobSeconds: { merge: number; program: number; evaluate: number };
  report: ReportResult;
}

export interface PhaseTimes {
  plan: number;
  train: number;
  evaluate: number;
  report: number;
}
