/**
 * `grasp-hil worker --queue URL`: a graphile-worker runner (LISTEN/NOTIFY, so a job starts within
 * milliseconds of being added) with three tasks. Each task:
 *
 *   payload check → experiment (validated, rebuilt and hash-checked once per process: context.ts)
 *   → this worker's plan entry for the key (its inputsHash must equal the job's) → run → store
 *
 *   train     adapter already in the database: download it; else runJob(train) and upload it.
 *             Then add the adapter's evaluation jobs (rows not yet stored).
 *   evaluate  download the adapter when missing locally (a supplied adapter came with the experiment:
 *             context.ts) → runJob(evaluate) → row
 *   device    runJob(device) → row
 *
 * Rows get the local runner's provenance (experiment, experimentHash, backend, version, gitCommit,
 * timestamp) and go to grasp_hil.rows with INSERT … ON CONFLICT DO NOTHING: a job retried after a
 * crash writes its row once. A thrown error (a refusal, a bad input) fails the attempt; graphile-worker
 * retries it with exponential backoff up to MAX_ATTEMPTS and keeps the last error. Jobs of a killed
 * worker are released by the lease (lease.ts). Runs jobs on this process's TF.js engine: for
 * parallelism start one worker process per core (--concurrency 1 each).
 *
 * Sessions (reconnect.ts): one graphile-worker runner is one session. When the database connection
 * is lost (a job's write, the job poll or the LISTEN client fails with a connection error) the
 * session stops: no new job is taken, a running job finishes (its row is written if the database is
 * back) or fails writing and is abandoned. Once every job body of the session has returned, the
 * worker reconnects with bounded exponential backoff (1 s … 30 s), releases the jobs its old
 * session still had locked (forceUnlockWorkers, so they run again at once) and opens a new session.
 * Job bodies of two sessions never overlap, since they share this process's model and chip caches.
 *
 * --experiments a,b: jobs carry the flag `experiment:<name>` (jobs.ts); such a worker forbids the
 * flags of every other stored experiment, read before each job poll.
 */
import { execFileSync } from 'node:child_process';
import { makeWorkerUtils, run, type JobHelpers, type Runner, type TaskList } from 'graphile-worker';
import pg from 'pg';
import { packageVersion } from '../../env.js';
import type { ResultRow } from '../../results/index.js';
import { backendInfo, initBackend } from '../../tensor/index.js';
import { runJob, type Job, type JobRow } from '../jobs.js';
import type { DeviceSpec, EvalSpec, TrainSpec } from '../plan.js';
import type { TrainingRecord } from '../train.js';
import { ensureAdapter, hasAdapter, uploadAdapter } from './adapters.js';
import { buildExperiment, readExperiment, type QueueExperiment } from './context.js';
import { addEvaluations, experimentFlag, parsePayload, storedKeys, type QueueTask } from './jobs.js';
import { DEFAULT_LEASE_SECONDS, Lease } from './lease.js';
import { Backoff, isConnectionLoss } from './reconnect.js';
import { quietLogger, requireSchema } from './schema.js';
import { maskIn } from './url.js';

export interface WorkerOptions {
  /** Jobs run at once in this process (default 1). */
  concurrency?: number;
  /** Folder for local adapter copies: <reportsDir>/<experiment>/adapters/<key>/ (default ./reports). */
  reportsDir?: string;
  /** Seconds without a heartbeat after which a worker's jobs are given to others (default 60). */
  lease?: number;
  /** Take only jobs of these experiments (names); all when absent. */
  experiments?: string[];
  /** First and longest delay (ms) between reconnection attempts after losing the database (default 1000, 30000). */
  reconnectMs?: { first: number; max: number };
  backend?: string;
  log?: (line: string) => void;
}

export interface QueueWorker {
  /** Resolves when the worker stops (after stop(), or on a fatal error). */
  promise: Promise<void>;
  stop(): Promise<void>;
}

function gitCommit(): string | null {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

const sleep = (ms: number, cancel: Promise<void>) => new Promise<void>((resolve) => {
  const t = setTimeout(resolve, ms);
  void cancel.then(() => { clearTimeout(t); resolve(); });
});

export async function startWorker(url: string, options: WorkerOptions = {}): Promise<QueueWorker> {
  const log = options.log ?? ((l: string) => console.error(l));
  const concurrency = options.concurrency ?? 1;
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new Error(`--concurrency must be an integer ≥ 1, got ${options.concurrency}`);
  const only = options.experiments ? new Set(options.experiments) : null;
  if (only && (only.size === 0 || [...only].some((e) => !e))) throw new Error(`--experiments: expected a comma-separated list of experiment names, got '${options.experiments!.join(',')}'`);
  await initBackend(options.backend);
  const mask = (e: unknown) => maskIn(e instanceof Error ? e.message : String(e), url);
  let onLoss: (e: unknown) => void = () => undefined;
  const db = new pg.Pool({ connectionString: url, max: 2 + concurrency });
  // Row and adapter writes commit without waiting for their WAL flush (≈ 8 ms per commit measured on
  // this machine's disk). Nothing is lost by it: the job's completion comes later from graphile-worker's
  // own connection with a synchronous commit, whose flush covers all earlier WAL, the row included; a
  // crash before that flush loses the row and leaves the job locked, so the job runs again.
  db.on('connect', (c) => void c.query('set synchronous_commit = off').catch(() => undefined));
  db.on('error', (e) => {
    log(`queue: database connection error: ${mask(e)}`);
    onLoss(e);
  });
  try {
    await requireSchema(db);
  } catch (e) {
    await db.end();
    throw new Error(mask(e));
  }
  const utils = await makeWorkerUtils({ connectionString: url, logger: quietLogger });
  const lease = new Lease(db, utils, options.lease ?? DEFAULT_LEASE_SECONDS, log);
  const experiments = new Map<string, Promise<QueueExperiment>>();
  const provenance = { backend: backendInfo()?.name ?? 'unknown', version: packageVersion(), gitCommit: gitCommit() };

  const experiment = (id: string): Promise<QueueExperiment> => {
    let e = experiments.get(id);
    if (!e) {
      e = readExperiment(db, id).then((s) => buildExperiment(s, options.reportsDir ?? 'reports', db));
      e.catch(() => experiments.delete(id)); // a refusal is retried (the files may be fixed)
      experiments.set(id, e);
    }
    return e;
  };

  const specOf = <S extends TrainSpec | EvalSpec | DeviceSpec>(q: QueueExperiment, task: QueueTask, key: string, inputsHash: string): S => {
    const spec = q.specs.get(key);
    if (!spec) throw new Error(`${task} job ${q.id}/${key}: no such key in this worker's plan of '${q.id}'`);
    const local = 'inputsHash' in spec ? spec.inputsHash : spec.key;
    if (local !== inputsHash) throw new Error(`worker refuses ${task} job ${q.id}/${key}: its inputs hash is ${inputsHash}, this worker's plan has ${local} (a device profile or another input differs on this machine)`);
    return spec as S;
  };

  const storeRow = async (q: QueueExperiment, r: JobRow): Promise<void> => {
    const row = { ...r, experiment: q.ctx.exp.name, experimentHash: q.hash, ...provenance, timestamp: new Date().toISOString() } as ResultRow;
    await db.query(
      'insert into grasp_hil.rows (experiment, key, seq, inputs_hash, row) values ($1, $2, $3, $4, $5) on conflict (experiment, key) do nothing',
      [q.id, row.key, q.seq.get(row.key) ?? -1, row.inputsHash ?? '', JSON.stringify(row)],
    );
  };

  /** Job bodies still running (a session ends only when they have returned). */
  const inflight = new Set<Promise<void>>();
  const task = (name: QueueTask, body: (q: QueueExperiment, key: string, inputsHash: string, helpers: JobHelpers) => Promise<void>) =>
    async (raw: unknown, helpers: JobHelpers) => {
      const p = parsePayload(name, raw);
      if (only && !only.has(p.experiment)) throw new Error(`${name} job ${p.experiment}/${p.key}: this worker takes only --experiments ${[...only].join(',')}; the job goes back for another worker`);
      if (helpers.job.locked_by) await lease.hold(helpers.job.locked_by);
      const t0 = performance.now();
      const running = (async () => body(await experiment(p.experiment), p.key, p.inputsHash, helpers))();
      inflight.add(running);
      try {
        await running;
      } finally {
        inflight.delete(running);
      }
      log(`${name}: ${p.experiment}/${p.key} in ${((performance.now() - t0) / 1000).toFixed(2)} s`);
    };

  const taskList: TaskList = {
    train: task('train', async (q, key, inputsHash, helpers) => {
      const spec = specOf<TrainSpec>(q, 'train', key, inputsHash);
      if (await hasAdapter(db, spec.key)) await ensureAdapter(db, q.ctx.outDir, spec.key);
      else {
        await runJob(q.ctx, { kind: 'train', spec } satisfies Job) as TrainingRecord;
        await uploadAdapter(db, q.ctx.outDir, spec.key);
      }
      await addEvaluations(helpers.addJob, q, spec.key, await storedKeys(db, q.id));
    }),
    evaluate: task('evaluate', async (q, key, inputsHash) => {
      const spec = specOf<EvalSpec>(q, 'evaluate', key, inputsHash);
      if (spec.supplied === null) await ensureAdapter(db, q.ctx.outDir, spec.adapter); // supplied: downloaded with the experiment
      await storeRow(q, await runJob(q.ctx, { kind: 'evaluate', spec }) as JobRow);
    }),
    device: task('device', async (q, key, inputsHash) => {
      const spec = specOf<DeviceSpec>(q, 'device', key, inputsHash);
      await storeRow(q, await runJob(q.ctx, { kind: 'device', spec }) as JobRow);
    }),
  };

  // With --experiments: forbid the flags of every other stored experiment (one query per job poll).
  const forbiddenFlags = only
    ? async () => (await db.query<{ id: string }>('select id from grasp_hil.experiments where not (id = any($1))', [[...only]])).rows.map((r) => experimentFlag(r.id))
    : null;

  /** One session: a graphile-worker runner that stops itself at the first sign of a lost connection. */
  const open = async (): Promise<{ runner: Runner; lost: () => boolean }> => {
    // Completions and failures go through graphile-worker's batcher (delay 0: written at once): a write
    // that fails then stops the runner, where the unbatched path leaves an unhandled rejection that kills the process.
    const runner = await run({
      connectionString: url, concurrency, taskList, noHandleSignals: true, pollInterval: 1000, logger: quietLogger, forbiddenFlags,
      preset: { worker: { completeJobBatchDelay: 0, failJobBatchDelay: 0 } },
    });
    let seen = false;
    onLoss = (e) => {
      if (seen || !isConnectionLoss(e)) return;
      seen = true;
      log(`queue: lost the database connection (${mask(e)}); no new jobs until it is back, a running job finishes or is abandoned`);
      void runner.stop().catch(() => undefined);
    };
    runner.events.on('pool:listen:error', ({ error }) => onLoss(error));
    let pollError = '';
    runner.events.on('worker:getJob:error', ({ error }) => {
      onLoss(error);
      const message = (error as Error).message;
      if (isConnectionLoss(error) || message === pollError) return;
      pollError = message; // e.g. a missing privilege: said once, polled again every second
      log(`queue: cannot take jobs: ${mask(error)}`);
    });
    runner.events.on('job:error', ({ error }) => onLoss(error));
    runner.events.on('pool:fatalError', ({ error }) => onLoss(error));
    return { runner, lost: () => seen };
  };

  let session: { runner: Runner; lost: () => boolean };
  try {
    session = await open();
  } catch (e) {
    await utils.release();
    await db.end();
    throw new Error(mask(e));
  }
  lease.start();

  let stopRequested: () => void = () => undefined;
  const stopping = new Promise<void>((r) => { stopRequested = r; });
  let isStopping = false;
  const backoff = new Backoff(options.reconnectMs?.first ?? 1000, options.reconnectMs?.max ?? 30_000);

  const supervise = async (): Promise<void> => {
    for (;;) {
      const ended = await session.runner.promise.then(() => null, (e: unknown) => e);
      if (isStopping) return;
      if (!session.lost() && !isConnectionLoss(ended)) {
        // The runner ended by itself for another reason (e.g. graphile-worker saw a breaking migration).
        log(`queue: the job runner stopped${ended ? ` (${mask(ended)})` : ''}; the worker exits`);
        return;
      }
      // ---- the session is over: wait for its job bodies, abandon its locks, reconnect
      await Promise.allSettled([...inflight]);
      const abandoned = lease.forget();
      for (;;) {
        const delay = backoff.next();
        log(`queue: reconnecting in ${(delay / 1000).toFixed(0)} s (attempt ${backoff.attempts})`);
        await sleep(delay, stopping);
        if (isStopping) return;
        try {
          await requireSchema(db);
          await lease.release(abandoned);
          session = await open();
          log(`queue: reconnected after ${backoff.attempts} attempt${backoff.attempts > 1 ? 's' : ''}${abandoned.length ? `; released the jobs of the old session (${abandoned.join(', ')})` : ''}`);
          backoff.reset();
          break;
        } catch (e) {
          log(`queue: reconnection failed: ${mask(e)}`);
        }
      }
    }
  };

  let stopped: Promise<void> | null = null;
  const stop = () => {
    stopped ??= (async () => {
      isStopping = true;
      stopRequested();
      await session.runner.stop().catch(() => undefined);
      await done.catch(() => undefined);
      await lease.stop();
      await utils.release();
      await db.end();
    })();
    return stopped;
  };
  const done = supervise();
  return { promise: done.then(() => stop()), stop };
}
