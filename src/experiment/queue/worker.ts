/**
 * `grasp-hil worker --queue URL`: a graphile-worker runner (LISTEN/NOTIFY, so a job starts within
 * milliseconds of being added) with three tasks. Each task:
 *
 *   payload check → experiment (validated, rebuilt and hash-checked once per process: context.ts)
 *   → this worker's plan entry for the key (its inputsHash must equal the job's) → run → store
 *
 *   train     adapter already in the database: download it; else runJob(train) and upload it.
 *             Then add the adapter's evaluation jobs (rows not yet stored).
 *   evaluate  download the adapter when missing locally → runJob(evaluate) → row
 *   device    runJob(device) → row
 *
 * Rows get the local runner's provenance (experiment, experimentHash, backend, version, gitCommit,
 * timestamp) and go to grasp_hil.rows with INSERT … ON CONFLICT DO NOTHING: a job retried after a
 * crash writes its row once. A thrown error (a refusal, a bad input) fails the attempt; graphile-worker
 * retries it with exponential backoff up to MAX_ATTEMPTS and keeps the last error. Jobs of a killed
 * worker are released by the lease (lease.ts). Runs jobs on this process's TF.js engine: for
 * parallelism start one worker process per core (--concurrency 1 each).
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
import { addEvaluations, parsePayload, storedKeys, type QueueTask } from './jobs.js';
import { DEFAULT_LEASE_SECONDS, Lease } from './lease.js';
import { quietLogger, requireSchema } from './schema.js';
import { maskIn } from './url.js';

export interface WorkerOptions {
  /** Jobs run at once in this process (default 1). */
  concurrency?: number;
  /** Folder for local adapter copies: <reportsDir>/<experiment>/adapters/<key>/ (default ./reports). */
  reportsDir?: string;
  /** Seconds without a heartbeat after which a worker's jobs are given to others (default 60). */
  lease?: number;
  backend?: string;
  log?: (line: string) => void;
}

export interface QueueWorker {
  /** Resolves when the runner stops (after stop(), or on a fatal error). */
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

export async function startWorker(url: string, options: WorkerOptions = {}): Promise<QueueWorker> {
  const log = options.log ?? ((l: string) => console.error(l));
  const concurrency = options.concurrency ?? 1;
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new Error(`--concurrency must be an integer ≥ 1, got ${options.concurrency}`);
  await initBackend(options.backend);
  const db = new pg.Pool({ connectionString: url, max: 2 + concurrency });
  db.on('error', (e) => log(`queue: database connection error: ${maskIn(e.message, url)}`));
  try {
    await requireSchema(db);
  } catch (e) {
    await db.end();
    throw new Error(maskIn((e as Error).message, url));
  }
  const utils = await makeWorkerUtils({ connectionString: url, logger: quietLogger });
  const lease = new Lease(db, utils, options.lease ?? DEFAULT_LEASE_SECONDS, log);
  const experiments = new Map<string, Promise<QueueExperiment>>();
  const provenance = { backend: backendInfo()?.name ?? 'unknown', version: packageVersion(), gitCommit: gitCommit() };

  const experiment = (id: string): Promise<QueueExperiment> => {
    let e = experiments.get(id);
    if (!e) {
      e = readExperiment(db, id).then((s) => buildExperiment(s, options.reportsDir ?? 'reports'));
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

  const task = (name: QueueTask, body: (q: QueueExperiment, key: string, inputsHash: string, helpers: JobHelpers) => Promise<void>) =>
    async (raw: unknown, helpers: JobHelpers) => {
      if (helpers.job.locked_by) await lease.hold(helpers.job.locked_by);
      const p = parsePayload(name, raw);
      const t0 = performance.now();
      await body(await experiment(p.experiment), p.key, p.inputsHash, helpers);
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
      await ensureAdapter(db, q.ctx.outDir, spec.adapter);
      await storeRow(q, await runJob(q.ctx, { kind: 'evaluate', spec }) as JobRow);
    }),
    device: task('device', async (q, key, inputsHash) => {
      const spec = specOf<DeviceSpec>(q, 'device', key, inputsHash);
      await storeRow(q, await runJob(q.ctx, { kind: 'device', spec }) as JobRow);
    }),
  };

  let runner: Runner;
  try {
    runner = await run({ connectionString: url, concurrency, taskList, noHandleSignals: true, pollInterval: 1000, logger: quietLogger });
  } catch (e) {
    await utils.release();
    await db.end();
    throw new Error(maskIn((e as Error).message, url));
  }
  lease.start();
  let stopped: Promise<void> | null = null;
  let running = true;
  const stop = () => {
    stopped ??= (async () => {
      if (running) await runner.stop().catch(() => undefined);
      running = false;
      await lease.stop();
      await utils.release();
      await db.end();
    })();
    return stopped;
  };
  return { promise: runner.promise.finally(() => { running = false; }).then(() => stop()), stop };
}
