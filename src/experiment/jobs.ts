/**
 * The work of a run, as jobs that any process (the main one or a worker) can execute from plain
 * JSON. Each job carries its own seeds; its result depends on nothing else, so the rows are the
 * same whatever the worker count or order. One phase per file:
 *
 *   train.ts     attach → (σ_target from the profile) → train → save adapter + training.json
 *   evaluate.ts  load adapter → merge → deploy (noise protocol: perturbed weights; hardware protocol:
 *                program a chip, read it at t — chip-cache.ts) → evaluate → one row
 *   device.ts    simulate devices of a profile at a few levels and t → one row of histograms
 */
import type { ResultRow } from '../results/index.js';
import { runDevice } from './device.js';
import { runEvaluate } from './evaluate.js';
import type { JobEvent } from './events.js';
import type { DeviceSpec, EvalSpec, TrainSpec } from './plan.js';
import type { Resources } from './resources.js';
import type { Experiment } from './schema.js';
import { runTrain, type TrainingRecord } from './train.js';

export type Job =
  | { kind: 'train'; spec: TrainSpec }
  | { kind: 'evaluate'; spec: EvalSpec }
  | { kind: 'device'; spec: DeviceSpec };

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

export async function runJob(ctx: JobContext, job: Job): Promise<JobRow | TrainingRecord> {
  if (job.kind === 'train') return runTrain(ctx, job.spec);
  if (job.kind === 'evaluate') return runEvaluate(ctx, job.spec);
  return runDevice(job.spec);
}
