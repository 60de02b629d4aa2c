/**
 * The queue's jobs, as graphile-worker sees them. Each job is one task name and a payload naming
 * (experiment, key, inputsHash); its job key is `<experiment>/<key>`, added with jobKeyMode
 * 'unsafe_dedupe', so enqueueing the same plan again adds nothing that is already waiting or running,
 * and keys whose row (or adapter) is already stored are not added at all.
 *
 *   train     key `train/<adapter key>`; when it finishes it adds its adapter's evaluation jobs
 *   evaluate  key = the evaluation row's key; waits for its adapter because it is added only then
 *   device    key = the device row's key; no dependency
 */
import type { WorkerUtils } from 'graphile-worker';
import type pg from 'pg';
import type { QueueExperiment } from './context.js';

/** What adding jobs needs of an experiment. */
export type Planned = Pick<QueueExperiment, 'id' | 'plan'>;

export type QueueTask = 'train' | 'evaluate' | 'device';

export interface QueuePayload {
  experiment: string;
  key: string;
  inputsHash: string;
}

/** Attempts before a job is left failed (its last error kept for `status`). */
export const MAX_ATTEMPTS = 5;

/** Anything that can add a job: WorkerUtils, or a task's helpers. */
type AddJob = Pick<WorkerUtils, 'addJob'>['addJob'];

export const jobKey = (experiment: string, key: string): string => `${experiment}/${key}`;

/** Validates a payload's shape (strings only) before anything else reads it. */
export function parsePayload(task: QueueTask, raw: unknown): QueuePayload {
  const p = raw as Partial<QueuePayload> | null;
  for (const f of ['experiment', 'key', 'inputsHash'] as const) {
    if (!p || typeof p[f] !== 'string' || p[f]!.length === 0 || p[f]!.length > 1000) throw new Error(`${task} job payload: /${f}: expected a non-empty string; payload dropped`);
  }
  return p as QueuePayload;
}

async function add(addJob: AddJob, task: QueueTask, payload: QueuePayload): Promise<void> {
  await addJob(task, payload, { jobKey: jobKey(payload.experiment, payload.key), jobKeyMode: 'unsafe_dedupe', maxAttempts: MAX_ATTEMPTS });
}

/** Keys of the experiment's rows already stored. */
export async function storedKeys(db: pg.Pool, experiment: string): Promise<Set<string>> {
  const r = await db.query<{ key: string }>('select key from grasp_hil.rows where experiment = $1', [experiment]);
  return new Set(r.rows.map((x) => x.key));
}

/** Adds the evaluation jobs of one trained adapter whose rows are not stored yet; returns how many. */
export async function addEvaluations(addJob: AddJob, q: Planned, adapter: string, stored: ReadonlySet<string>): Promise<number> {
  let n = 0;
  for (const e of q.plan.evaluations) {
    if (e.adapter !== adapter || stored.has(e.key)) continue;
    await add(addJob, 'evaluate', { experiment: q.id, key: e.key, inputsHash: e.inputsHash });
    n++;
  }
  return n;
}

/** Adds the train job of an adapter. */
export async function addTrain(addJob: AddJob, q: Planned, adapter: string): Promise<void> {
  await add(addJob, 'train', { experiment: q.id, key: `train/${adapter}`, inputsHash: adapter });
}

/** Adds the device-characterisation jobs whose rows are not stored yet; returns how many. */
export async function addDevices(addJob: AddJob, q: Planned, stored: ReadonlySet<string>): Promise<number> {
  let n = 0;
  for (const d of q.plan.devices) {
    if (stored.has(d.key)) continue;
    await add(addJob, 'device', { experiment: q.id, key: d.key, inputsHash: d.inputsHash });
    n++;
  }
  return n;
}
