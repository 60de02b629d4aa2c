/**
 * Adapters in the queue database, content-addressed by adapter key (the cache key the local runner
 * uses, a hash of everything that determines the adapter): after training a worker uploads the
 * folder reports/<name>/adapters/<key>/ (adapter files + training.json) as bytea; a worker that
 * evaluates an adapter it does not have locally downloads it into the same place. A download
 * writes into <key>.partial-<pid>/ and renames, so a folder appears whole or not at all.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type pg from 'pg';
import { adapterDir, readTraining, type TrainingRecord } from '../train.js';

/** Whether the database holds the adapter. */
export async function hasAdapter(db: pg.Pool, key: string): Promise<boolean> {
  return (await db.query('select 1 from grasp_hil.adapters where key = $1', [key])).rowCount === 1;
}

/** Uploads a trained adapter folder (idempotent: a key already stored is left as it is). */
export async function uploadAdapter(db: pg.Pool, outDir: string, key: string): Promise<void> {
  const record = readTraining(outDir, key);
  if (!record) throw new Error(`adapter ${key}: no training.json in ${adapterDir(outDir, key)} to upload`);
  const dir = adapterDir(outDir, key);
  const names = readdirSync(dir).filter((n) => statSync(join(dir, n)).isFile()).sort();
  const client = await db.connect();
  try {
    await client.query('begin');
    const ins = await client.query('insert into grasp_hil.adapters (key, training, files) values ($1, $2, $3) on conflict (key) do nothing', [key, record, JSON.stringify(names)]);
    if (ins.rowCount === 1) {
      for (const n of names) await client.query('insert into grasp_hil.adapter_files (adapter, name, bytes) values ($1, $2, $3)', [key, n, readFileSync(join(dir, n))]);
    }
    await client.query('commit');
  } catch (e) {
    await client.query('rollback').catch(() => undefined);
    throw e;
  } finally {
    client.release();
  }
}

/** Makes adapters/<key>/ present locally, downloading it when missing; throws when the database does not have it either. */
export async function ensureAdapter(db: pg.Pool, outDir: string, key: string): Promise<TrainingRecord> {
  const local = readTraining(outDir, key);
  if (local) return local;
  const files = await db.query<{ name: string; bytes: Buffer }>('select name, bytes from grasp_hil.adapter_files where adapter = $1', [key]);
  if (files.rowCount === 0) throw new Error(`adapter ${key} is neither in ${adapterDir(outDir, key)} nor in the queue database; its train job has not finished`);
  const dir = adapterDir(outDir, key);
  const partial = `${dir}.partial-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  for (const f of files.rows) {
    if (!/^[A-Za-z0-9._-]+$/.test(f.name)) throw new Error(`adapter ${key}: refusing file name '${f.name}' from the database (one plain file name expected)`);
    writeFileSync(join(partial, f.name), f.bytes);
  }
  rmSync(dir, { recursive: true, force: true });
  renameSync(partial, dir);
  return readTraining(outDir, key)!;
}
