/**
 * The queue database's schema, created and migrated by `grasp-hil db migrate`:
 *
 *   graphile_worker.*            graphile-worker's own tables (its runMigrations)
 *   grasp_hil.migrations         (version, applied_at): which of MIGRATIONS below have run
 *   grasp_hil.experiments        one per experiment name: hash, the validated experiment JSON, the file it
 *                                was enqueued from, model/data hashes, numerics and package version;
 *                                `supplied` (version 2): its supplied adapters, entry id → adapter key
 *   grasp_hil.rows               (experiment, key) PRIMARY KEY, seq (plan order), inputs_hash, row JSONB;
 *                                written with INSERT … ON CONFLICT DO NOTHING, so a retried job writes once
 *   grasp_hil.adapters           content-addressed by adapter key (the cache key the local runner uses, or
 *                                a supplied adapter's `adapter:<id>-<hash>`): training record (supplied:
 *                                `{"supplied": {"hash"}}`) and the adapter folder's files as bytea
 *   grasp_hil.workers            worker leases: graphile-worker id → last heartbeat (queue/lease.ts)
 *
 * Migrations are append-only and run in one transaction under an advisory lock, so concurrent
 * `db migrate` calls (e.g. every worker at start) are safe.
 */
import pg from 'pg';
import { Logger, runMigrations } from 'graphile-worker';

export const SCHEMA_VERSION = 2;

const MIGRATIONS: string[] = [
  `create table grasp_hil.experiments (
     id text primary key,
     hash text not null,
     experiment jsonb not null,
     file text not null,
     model_hash text not null,
     data_hash text not null,
     numerics integer not null,
     version text not null,
     created_at timestamptz not null default now());
   create table grasp_hil.rows (
     experiment text not null references grasp_hil.experiments(id),
     key text not null,
     seq integer not null,
     inputs_hash text not null,
     row jsonb not null,
     created_at timestamptz not null default now(),
     primary key (experiment, key));
   create table grasp_hil.adapters (
     key text primary key,
     training jsonb not null,
     files jsonb not null,
     created_at timestamptz not null default now());
   create table grasp_hil.adapter_files (
     adapter text not null references grasp_hil.adapters(key),
     name text not null,
     bytes bytea not null,
     primary key (adapter, name));
   create table grasp_hil.workers (
     worker_id text primary key,
     heartbeat_at timestamptz not null default now());`,
  // 2: supplied adapters (experiment `adapters` entries) travel through the database like trained ones.
  `alter table grasp_hil.experiments add column supplied jsonb not null default '{}'::jsonb;`,
];

/** Runs graphile-worker's migrations, then ours; returns the schema version now in place. */
export async function migrate(url: string): Promise<{ version: number; applied: number[] }> {
  await runMigrations({ connectionString: url, logger: quietLogger });
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('begin');
    await client.query(`select pg_advisory_xact_lock(hashtext('grasp_hil.migrate'))`);
    await client.query('create schema if not exists grasp_hil');
    await client.query('create table if not exists grasp_hil.migrations (version integer primary key, applied_at timestamptz not null default now())');
    const done = new Set((await client.query<{ version: number }>('select version from grasp_hil.migrations')).rows.map((r) => r.version));
    const applied: number[] = [];
    for (let v = 1; v <= MIGRATIONS.length; v++) {
      if (done.has(v)) continue;
      await client.query(MIGRATIONS[v - 1]);
      await client.query('insert into grasp_hil.migrations (version) values ($1)', [v]);
      applied.push(v);
    }
    await client.query('commit');
    return { version: MIGRATIONS.length, applied };
  } catch (e) {
    await client.query('rollback').catch(() => undefined);
    throw e;
  } finally {
    await client.end();
  }
}

/** Throws telling to run `grasp-hil db migrate` when the schema is missing or older than this grasp-hil's. */
export async function requireSchema(db: pg.Pool | pg.Client): Promise<void> {
  const r = await db.query<{ v: number | null }>(`select (select max(version) from grasp_hil.migrations) as v where to_regclass('grasp_hil.migrations') is not null`);
  const v = r.rows[0]?.v ?? 0;
  if (v < SCHEMA_VERSION) throw new Error(`the queue database has grasp-hil schema version ${v}, this grasp-hil needs ${SCHEMA_VERSION}: run grasp-hil db migrate --queue <url> first`);
}

/** graphile-worker's logger, keeping warnings and errors only. */
export const quietLogger = new Logger(() => (level, message) => {
  if (level === 'error' || level === 'warning') console.error(`queue: ${level}: ${message}`);
});
