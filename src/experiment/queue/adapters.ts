/**
 * Adapters in the queue database, content-addressed by adapter key. Two kinds share the tables:
 *
 *   trained   key = the cache key the local runner uses (a hash of everything that determines the
 *             adapter). After training, a worker uploads reports/<name>/adapters/<key>/ (adapter files +
 *             training.json); a worker that evaluates an adapter it does not have downloads it there.
 *   supplied  key = `adapter:<id>-<content hash>` (an experiment's `adapters` entry; plan.ts), the hash
 *             being hashFolder of the folder's files. `run --queue` uploads the folder when it enqueues
 *             the experiment; a worker downloads it into reports/<name>/adapters/<key>/ and checks the
 *             hash of what it wrote, so workers never need the path the experiment names, and a changed
 *             adapter is never taken for the enqueued one (its key, and so its rows' inputsHash, differ).
 *
 * Uploads are one transaction each and idempotent (a key already stored is left as it is). A download
 * writes into <key>.partial-<pid>/ and renames, so a folder appears whole or not at all.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type pg from 'pg';
import { hashFolder } from '../inputs.js';
import { adapterDir, readTraining, type TrainingRecord } from '../train.js';

/** File names the database carries: one plain name each (no separators, no '..'). */
const PLAIN_NAME = /^[A-Za-z0-9._-]+$/;

/** Whether the database holds the adapter. */
export async function hasAdapter(db: pg.Pool, key: string): Promise<boolean> {
  return (await db.query('select 1 from grasp_hil.adapters where key = $1', [key])).rowCount === 1;
}

/** The regular files directly inside `dir` (the files hashFolder hashes), by name. */
function filesOf(dir: string): string[] {
  return readdirSync(dir).filter((n) => statSync(join(dir, n)).isFile()).sort();
}

/** Stores the files of `dir` under `key` in one transaction; a key already stored is left as it is. */
async function uploadFolder(db: pg.Pool, key: string, dir: string, record: unknown): Promise<void> {
  const names = filesOf(dir);
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

/** Writes the stored files of `key` into `dir` (whole or not at all); throws when the database lacks them. */
async function downloadFolder(db: pg.Pool, key: string, dir: string, missing: string): Promise<void> {
  const files = await db.query<{ name: string; bytes: Buffer }>('select name, bytes from grasp_hil.adapter_files where adapter = $1', [key]);
  if (files.rowCount === 0) throw new Error(missing);
  const partial = `${dir}.partial-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  for (const f of files.rows) {
    if (!PLAIN_NAME.test(f.name)) throw new Error(`adapter ${key}: refusing file name '${f.name}' from the database (one plain file name expected)`);
    writeFileSync(join(partial, f.name), f.bytes);
  }
  rmSync(dir, { recursive: true, force: true });
  renameSync(partial, dir);
}

/** Uploads a trained adapter folder (idempotent: a key already stored is left as it is). */
export async function uploadAdapter(db: pg.Pool, outDir: string, key: string): Promise<void> {
  const record = readTraining(outDir, key);
  if (!record) throw new Error(`adapter ${key}: no training.json in ${adapterDir(outDir, key)} to upload`);
  await uploadFolder(db, key, adapterDir(outDir, key), record);
}

/** Makes adapters/<key>/ present locally, downloading it when missing; throws when the database does not have it either. */
export async function ensureAdapter(db: pg.Pool, outDir: string, key: string): Promise<TrainingRecord> {
  const local = readTraining(outDir, key);
  if (local) return local;
  await downloadFolder(db, key, adapterDir(outDir, key), `adapter ${key} is neither in ${adapterDir(outDir, key)} nor in the queue database; its train job has not finished`);
  return readTraining(outDir, key)!;
}

/** A supplied adapter as the queue stores it: its folder's files under its key. */
export interface SuppliedUpload {
  /** `adapter:<id>-<hash>` (SuppliedSpec.key). */
  key: string;
  /** The folder the experiment names, on the enqueueing machine. */
  path: string;
  /** hashFolder(path). */
  hash: string;
}

/** Throws unless every file of a supplied adapter folder has a plain name (workers write them by name); `where` prefixes the error. */
export function checkSuppliedFiles(dir: string, where: string): void {
  const odd = filesOf(dir).filter((n) => !PLAIN_NAME.test(n));
  if (odd.length) throw new Error(`${where}: ${dir} holds ${odd.map((n) => `'${n}'`).join(', ')}; queue workers receive adapter files by name, and only plain names (letters, digits, '.', '_', '-') are carried: rename or remove them`);
}

/** Uploads a supplied adapter folder at enqueue time (idempotent). */
export async function uploadSupplied(db: pg.Pool, a: SuppliedUpload): Promise<void> {
  await uploadFolder(db, a.key, a.path, { supplied: { hash: a.hash } });
}

/**
 * The local copy of a supplied adapter, reports/<name>/adapters/<key>/, downloaded when missing or
 * when its files no longer hash to `hash`; returns its path.
 */
export async function ensureSupplied(db: pg.Pool, outDir: string, key: string, hash: string): Promise<string> {
  const dir = adapterDir(outDir, key);
  if (existsSync(dir) && hashFolder(dir) === hash) return dir;
  await downloadFolder(db, key, dir, `supplied adapter ${key} is not in the queue database; enqueue the experiment again (grasp-hil run <file> --queue) to upload it`);
  const got = hashFolder(dir);
  if (got !== hash) throw new Error(`supplied adapter ${key}: the files the queue database holds hash to ${got}, not ${hash}; enqueue the experiment again under a new name`);
  return dir;
}
