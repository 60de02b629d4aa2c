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
import { runDevice } from './device.js';
import { runEvaluate } from './evaluate.js';
import type { JobContext, JobRow } from './job-context.js';
import type { DeviceSpec, EvalSpec, TrainSpec } from './plan.js';
import { runTrain, type TrainingRecord } from './train.js';

export type Job =
  | { kind: 'train'; spec: TrainSpec }
  | { kind: 'evaluate'; spec: EvalSpec }
  | { kind: 'device'; spec: DeviceSpec };

export type { JobContext, JobRow } from './job-context.js';

export async function runJob(ctx: JobContext, job: Job): Promise<JobRow | TrainingRecord> {
  if (job.kind === 'train') return runTrain(ctx, job.spec);
  if (job.kind === 'evaluate') return runEvaluate(ctx, job.spec);
  return runDevice(job.spec);
}
