/**
 * The queue's jobs, as graphile-worker sees them. Each job is one task name and a payload naming
 * (experiment, key, inputsHash); its job key is `<experiment>/<key>`, added with jobKeyMode
 * 'unsafe_dedupe', so enqueueing the same plan again adds nothing that is already waiting or running,
 * and keys whose row (or adapter) is already stored are not added at all.
 *
 *   train     key `train/<adapter key>`; when it finishes it adds its adapter's evaluation jobs
 *   evaluate  key = the evaluation row's key; waits for its adapter because it is added only then
 *   device    key = the device row's key; no dependency
 *
 * Every job carries the flag `experiment:<name>`, so a worker started with --experiments can forbid
 * the flags of the other experiments. Evaluations are added one chip after another (chipOf: adapter,
 * profile, chip seed, Sites, periphery sweep), so consecutive jobs mostly share the chip a worker
 * holds. Chip affinity (off by default): the hardware evaluations of one chip also share the
 * graphile-worker named queue `<experiment>/chip/<hash>`, which runs one job at a time, so a chip's
 * rows stay on the worker that programmed it. Measured by bench/queue.ts it costs more than it saves:
 * a chip's rows run serially, the last chips of a sweep run on fewer workers than there are, and
 * reading a chip at t (part of every row) dominates the programming it saves (docs/scale-out.md).
 */
import { createHash } from 'node:crypto';
import type { WorkerUtils } from 'graphile-worker';
import type pg from 'pg';
import { chipOf } from '../chip-cache.js';
import type { EvalSpec } from '../plan.js';
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

/** The flag every job of an experiment carries (for `worker --experiments`). */
export const experimentFlag = (experiment: string): string => `experiment:${experiment}`;

/** The named queue of a hardware evaluation's chip; null for rows that program no chip. */
export function chipQueue(experiment: string, spec: EvalSpec): string | null {
  const chip = chipOf(spec);
  return chip === null ? null : `${experiment}/chip/${createHash('sha256').update(chip).digest('hex').slice(0, 16)}`;
}

/** Whether hardware evaluations go to per-chip named queues (default false; bench/queue.ts measures both). */
export interface AddOptions {
  affinity?: boolean;
}

async function add(addJob: AddJob, task: QueueTask, payload: QueuePayload, queueName: string | null = null): Promise<void> {
  await addJob(task, payload, {
    jobKey: jobKey(payload.experiment, payload.key), jobKeyMode: 'unsafe_dedupe', maxAttempts: MAX_ATTEMPTS,
    flags: [experimentFlag(payload.experiment)], ...(queueName ? { queueName } : {}),
  });
}

/** Keys of the experiment's rows already stored. */
export async function storedKeys(db: pg.Pool, experiment: string): Promise<Set<string>> {
  const r = await db.query<{ key: string }>('select key from grasp_hil.rows where experiment = $1', [experiment]);
  return new Set(r.rows.map((x) => x.key));
}

/** Adds the evaluation jobs of one trained adapter whose rows are not stored yet, one chip after another; returns how many. */
export async function addEvaluations(addJob: AddJob, q: Planned, adapter: string, stored: ReadonlySet<string>, options: AddOptions = {}): Promise<number> {
  const affinity = options.affinity ?? false;
  const todo = q.plan.evaluations.filter((e) => e.adapter === adapter && !stored.has(e.key));
  const first = new Map<string | null, number>();
  todo.forEach((e, i) => { if (!first.has(chipOf(e))) first.set(chipOf(e), i); });
  const ordered = affinity ? todo.map((e, i) => ({ e, at: first.get(chipOf(e)) ?? i, i })).sort((a, b) => a.at - b.at || a.i - b.i).map((x) => x.e) : todo;
  for (const e of ordered) await add(addJob, 'evaluate', { experiment: q.id, key: e.key, inputsHash: e.inputsHash }, affinity ? chipQueue(q.id, e) : null);
  return ordered.length;
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
