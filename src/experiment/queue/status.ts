/**
 * Reading an experiment back from the queue database:
 *
 *   queueStatus  jobs by kind and state (queued, running, retrying, failed) from graphile-worker's
 *                jobs view, rows stored, failures with their last error, throughput over
 *                the stored rows' timestamps and an ETA (pending jobs at that rate)
 *   queueRows    the stored rows in plan order (the order a local run appends them), for export and report
 */
import pg from 'pg';
import type { ResultRow } from '../../results/index.js';
import { readExperiment } from './context.js';
import { requireSchema } from './schema.js';
import { maskIn } from './url.js';

export type JobState = 'queued' | 'running' | 'retrying' | 'failed';

export interface QueueStatus {
  experiment: string;
  hash: string;
  rows: number;
  jobs: Record<string, Record<JobState, number>>;
  failures: { kind: string; key: string; attempts: number; error: string }[];
  /** Rows per second between the first and last stored row (null with fewer than 2 rows). */
  rowsPerSecond: number | null;
  /** Seconds left at that rate for the jobs still queued, running or retrying (null when unknown). */
  etaSeconds: number | null;
}

async function withDb<T>(url: string, f: (db: pg.Pool) => Promise<T>): Promise<T> {
  const db = new pg.Pool({ connectionString: url, max: 1 });
  try {
    await requireSchema(db);
    return await f(db);
  } catch (e) {
    throw new Error(maskIn((e as Error).message, url));
  } finally {
    await db.end();
  }
}

export function queueStatus(experiment: string, url: string): Promise<QueueStatus> {
  return withDb(url, async (db) => {
    const stored = await readExperiment(db, experiment);
    const prefix = `${experiment}/`;
    const jobs = await db.query<{ task_identifier: string; key: string; attempts: number; max_attempts: number; locked_at: Date | null; last_error: string | null }>(
      'select task_identifier, key, attempts, max_attempts, locked_at, last_error from graphile_worker.jobs where starts_with(key, $1)', [prefix],
    );
    const counts: QueueStatus['jobs'] = {};
    const failures: QueueStatus['failures'] = [];
    for (const j of jobs.rows) {
      const state: JobState = j.attempts >= j.max_attempts && j.locked_at === null ? 'failed' : j.locked_at !== null ? 'running' : j.attempts > 0 ? 'retrying' : 'queued';
      counts[j.task_identifier] ??= { queued: 0, running: 0, retrying: 0, failed: 0 };
      counts[j.task_identifier][state]++;
      if (j.last_error && state !== 'running') failures.push({ kind: j.task_identifier, key: j.key.slice(prefix.length), attempts: j.attempts, error: j.last_error });
    }
    const r = await db.query<{ n: string; first: Date | null; last: Date | null }>('select count(*) as n, min(created_at) as first, max(created_at) as last from grasp_hil.rows where experiment = $1', [experiment]);
    const rows = Number(r.rows[0].n);
    const span = r.rows[0].first && r.rows[0].last ? (r.rows[0].last.getTime() - r.rows[0].first.getTime()) / 1000 : 0;
    const rowsPerSecond = rows >= 2 && span > 0 ? (rows - 1) / span : null;
    const pending = Object.values(counts).reduce((n, c) => n + c.queued + c.running + c.retrying, 0);
    const etaSeconds = pending === 0 ? 0 : rowsPerSecond ? pending / rowsPerSecond : null;
    return { experiment, hash: stored.hash, rows, jobs: counts, failures, rowsPerSecond, etaSeconds };
  });
}

/** The experiment's stored rows, in plan order. */
export function queueRows(experiment: string, url: string): Promise<ResultRow[]> {
  return withDb(url, async (db) => {
    await readExperiment(db, experiment);
    const r = await db.query<{ row: ResultRow }>('select row from grasp_hil.rows where experiment = $1 order by seq, key', [experiment]);
    return r.rows.map((x) => x.row);
  });
}

/** Polls queueStatus until no job is queued, running or retrying; logs a line whenever the row count changes. */
export async function waitForQueue(experiment: string, url: string, options: { intervalMs?: number; log?: (line: string) => void } = {}): Promise<QueueStatus> {
  const log = options.log ?? ((l: string) => console.error(l));
  let last = -1;
  for (;;) {
    const s = await queueStatus(experiment, url);
    const pending = Object.values(s.jobs).reduce((n, c) => n + c.queued + c.running + c.retrying, 0);
    if (s.rows !== last) {
      log(`queue: ${experiment}: ${s.rows} rows stored, ${pending} jobs pending${s.etaSeconds ? `, about ${Math.ceil(s.etaSeconds / 60)} min left` : ''}`);
      last = s.rows;
    }
    if (pending === 0) return s;
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 2000));
  }
}
