/**
 * What a queue worker needs to run an experiment's jobs, rebuilt from the experiment stored in the
 * database: the experiment JSON is validated again with the experiment schema, its model and data are
 * located by path on this machine (relative paths resolve against the file it was enqueued from) and
 * identified by content hash, and the plan is recomputed here. A job names only (experiment, key,
 * inputsHash); the spec it runs is this worker's own plan entry for that key, so nothing from the
 * queue is executed beyond validated data.
 *
 * Supplied adapters (`adapters` entries) are not looked for by path: the experiment's record names
 * each entry's key (`supplied`: id → `adapter:<id>-<hash>`), and the worker downloads that folder from
 * the database into reports/<name>/adapters/<key>/, checks its hash and plans with it (adapters.ts).
 *
 * Refusals (thrown, so graphile-worker puts the job back for another worker with backoff): the local
 * model hash, data hash, numerics version or grasp-hil version differ from the experiment's, or the
 * job's inputsHash differs from this worker's plan (e.g. a device profile file differs).
 */
import type pg from 'pg';
import { packageVersion } from '../../env.js';
import { hashData, hashFolder, NUMERICS_VERSION, type AdapterInput } from '../inputs.js';
import type { JobContext } from '../job-context.js';
import { plan, type DeviceSpec, type EvalSpec, type Plan, type TrainSpec } from '../plan.js';
import { loadResources } from '../resources.js';
import { hashOf, parseExperiment } from '../schema.js';
import { insideRoot } from '../runner.js';
import { validateStatic } from '../validate.js';
import { ensureSupplied } from './adapters.js';

/** One experiment as a worker holds it. */
export interface QueueExperiment {
  id: string;
  hash: string;
  ctx: JobContext;
  plan: Plan;
  /** Plan position of every row key (rows are exported in this order, as the local runner appends them). */
  seq: Map<string, number>;
  specs: Map<string, TrainSpec | EvalSpec | DeviceSpec>;
}

export interface StoredExperiment {
  id: string;
  hash: string;
  experiment: unknown;
  file: string;
  model_hash: string;
  data_hash: string;
  numerics: number;
  version: string;
  /** Supplied adapters: entry id → adapter key (`adapter:<id>-<hash>`). */
  supplied: Record<string, string>;
}

export async function readExperiment(db: pg.Pool, id: string): Promise<StoredExperiment> {
  const r = await db.query<StoredExperiment>('select id, hash, experiment, file, model_hash, data_hash, numerics, version, supplied from grasp_hil.experiments where id = $1', [id]);
  if (r.rowCount === 0) throw new Error(`experiment '${id}' is not in the queue database (enqueue it with grasp-hil run <file> --queue <url>)`);
  return r.rows[0];
}

/** Plan order: device rows, then evaluations, as the local runner appends them. */
export function planOrder(p: Plan): Map<string, number> {
  return new Map([...p.devices, ...p.evaluations].map((s, i) => [s.key, i]));
}

/** Validates and rebuilds a stored experiment on this worker (downloading its supplied adapters); throws a refusal when this machine's inputs differ. */
export async function buildExperiment(stored: StoredExperiment, reportsDir: string, db: pg.Pool): Promise<QueueExperiment> {
  const where = `queue experiment '${stored.id}'`;
  const exp = parseExperiment(JSON.parse(JSON.stringify(stored.experiment)), where);
  if (hashOf(exp) !== stored.hash) throw new Error(`${where}: its stored JSON does not match its hash ${stored.hash}; enqueue it again`);
  const refuse = (what: string, local: string | number, theirs: string | number) =>
    new Error(`worker refuses ${where}: this worker's ${what} is ${local}, the experiment's is ${theirs}; run workers with the same ${what} (the job goes back to the queue for another worker)`);
  if (stored.numerics !== NUMERICS_VERSION) throw refuse('numerics version', NUMERICS_VERSION, stored.numerics);
  if (stored.version !== packageVersion()) throw refuse('grasp-hil version', packageVersion(), stored.version);
  const { errors, profiles } = validateStatic(exp, stored.file, { suppliedFolders: false });
  if (errors.length) throw new Error(`${where} is not valid on this worker:\n${errors.join('\n')}`);
  const res = loadResources(exp, stored.file);
  const model = hashFolder(res.modelDir);
  if (model !== stored.model_hash) throw refuse(`model hash (${res.modelDir})`, model, stored.model_hash);
  const data = hashData(res.data);
  if (data !== stored.data_hash) throw refuse(`data hash (task ${exp.task.id ?? exp.task.dir})`, data, stored.data_hash);
  const outDir = insideRoot(reportsDir, exp.name, `${where}: /name: report name`);
  const adapters = new Map<string, AdapterInput>();
  for (const [i, a] of (exp.adapters ?? []).entries()) {
    const key = stored.supplied?.[a.id];
    const prefix = `adapter:${a.id}-`;
    const hash = typeof key === 'string' && key.startsWith(prefix) ? key.slice(prefix.length) : '';
    // The key names a folder under reports/: only `adapter:<validated id>-<16 hex>` is accepted.
    if (!/^[0-9a-f]{16}$/.test(hash)) throw new Error(`${where}: /adapters/${i}: the database names no stored folder for adapter '${a.id}' (expected a key adapter:${a.id}-<16 hex digits>); enqueue the experiment again (grasp-hil run <file> --queue)`);
    adapters.set(a.id, { id: a.id, path: await ensureSupplied(db, outDir, key, hash), hash });
  }
  const p = plan(exp, { model, data, profiles, adapters });
  const specs = new Map<string, TrainSpec | EvalSpec | DeviceSpec>();
  for (const a of p.adapters) specs.set(`train/${a.key}`, a);
  for (const s of [...p.devices, ...p.evaluations]) specs.set(s.key, s);
  return { id: stored.id, hash: stored.hash, ctx: { exp, res, outDir, progress: false }, plan: p, seq: planOrder(p), specs };
}
