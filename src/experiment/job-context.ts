/**
 * What a job runs with (JobContext) and what it returns (JobRow, or a train job's TrainingRecord): the types every phase file shares,
 * kept apart from jobs.ts's dispatch so that the phases and the dispatcher do not import each other.
 */
import type { ResultRow } from '../results/index.js';
import type { ResolvedHwaOptions } from '../train/index.js';
import type { JobEvent } from './events.js';
import type { Resources } from './resources.js';
import type { Experiment } from './schema.js';

/** Partial row a job produces; the runner adds provenance. */
export type JobRow = Omit<ResultRow, 'experiment' | 'experimentHash' | 'backend' | 'version' | 'gitCommit' | 'timestamp'>;

export interface JobContext {
  exp: Experiment;
  res: Resources;
  /** reports/<experiment>/ */
  outDir: string;
  /** Show the trainer's per-step progress (one job at a time in this process). */
  progress: boolean;
  /** Checked between training steps (in-process jobs; workers are terminated instead). */
  signal?: AbortSignal;
  /** Where the trainer's lines go (default: its own bar or lines on stderr). */
  log?: (line: string) => void;
  /** Events while a job runs (training steps); set when someone listens. */
  emit?: (e: JobEvent) => void;
}

/** What a train job records next to its adapter (training.json). */
export interface TrainingRecord {
  key: string;
  method: string;
  label: string;
  options: Record<string, unknown>;
  trainableParams: number;
  headParams: number;
  seconds: number;
  tokensPerSecond: number;
  steps: number;
  /** Metrics of the kept state on each evaluation split. */
  final: Record<string, Record<string, number>>;
  /** σ_target used (weight units; per Site when taken from a profile), or null. */
  sigmaTarget: number | Record<string, number> | null;
  /** Noise-aware adapters: mean σ/σ_target of the kept state, and the trainer's warning when off target. */
  sigma?: { meanRatio: number; warning: string | null };
  /** Hardware-aware training's options (defaults filled), when the entry trained with `training.hwa`. */
  hwa?: ResolvedHwaOptions;
}
