/**
 * What a queue worker needs to run an experiment's jobs, rebuilt from the experiment stored in the
 * database: the experiment JSON is validated again with the experiment schema, its model and data are
 * located by path on this machine (relative paths resolve against the file it was enqueued from) and
 * identified by content hash, and the plan is recomputed here. A job names only (experiment, key,
 * inputsHash); the spec it runs is this worker's own plan entry for that key, so nothing from the
 * queue is executed beyond validated data.
 *
 * Refusals (thrown, so graphile-worker puts the job back for another worker with backoff): the local
 * model hash, data hash, numerics version or grasp-hil version differ from the experiment's, or the
 * job's inputsHash differs from this worker's plan (e.g. a device profile file differs).
 */
import type pg from 'pg';
import { packageVersion } from '../../env.js';
import { hashData, hashFolder, NUMERICS_VERSION } from '../inputs.js';
import type { JobContext } from '../job-context.js';
import { plan, type DeviceSpec, type EvalSpec, type Plan, type TrainSpec } from '../plan.js';
import { loadResources } from '../resources.js';
import { hashOf, parseExperiment } from '../schema.js';
import { insideRoot } from '../runner.js';
import { validateStatic } from '../validate.js';

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
}

export async function readExperiment(db: pg.Pool, id: string): Promise<StoredExperiment> {
  const r = await db.query<StoredExperiment>('select id, hash, experiment, file, model_hash, data_hash, numerics, version from grasp_hil.experiments where id = $1', [id]);
  if (r.rowCount === 0) throw new Error(`experiment '${id}' is not in the queue database (enqueue it with grasp-hil run <file> --queue <url>)`);
  return r.rows[0];
}

/** Plan order: device rows, then evaluations, as the local runner appends them. */
export function planOrder(p: Plan): Map<string, number> {
  return new Map([...p.devices, ...p.evaluations].map((s, i) => [s.key, i]));
}

/** Validates and rebuilds a stored experiment on this worker; throws a refusal when this machine's inputs differ. */
export function buildExperiment(stored: StoredExperiment, reportsDir: string): QueueExperiment {
  const where = `queue experiment '${stored.id}'`;
  const exp = parseExperiment(JSON.parse(JSON.stringify(stored.experiment)), where);
  if (hashOf(exp) !== stored.hash) throw new Error(`${where}: its stored JSON does not match its hash ${stored.hash}; enqueue it again`);
  const refuse = (what: string, local: string | number, theirs: string | number) =>
    new Error(`worker refuses ${where}: this worker's ${what} is ${local}, the experiment's is ${theirs}; run workers with the same ${what} (the job goes back to the queue for another worker)`);
  if (stored.numerics !== NUMERICS_VERSION) throw refuse('numerics version', NUMERICS_VERSION, stored.numerics);
  if (stored.version !== packageVersion()) throw refuse('grasp-hil version', packageVersion(), stored.version);
  const { errors, profiles } = validateStatic(exp, stored.file);
  if (errors.length) throw new Error(`${where} is not valid on this worker:\n${errors.join('\n')}`);
  const res = loadResources(exp, stored.file);
  const model = hashFolder(res.modelDir);
  if (model !== stored.model_hash) throw refuse(`model hash (${res.modelDir})`, model, stored.model_hash);
  const data = hashData(res.data);
  if (data !== stored.data_hash) throw refuse(`data hash (task ${exp.task.id ?? exp.task.dir})`, data, stored.data_hash);
  const p = plan(exp, { model, data, profiles });
  const outDir = insideRoot(reportsDir, exp.name, `${where}: /name: report name`);
  const specs = new Map<string, TrainSpec | EvalSpec | DeviceSpec>();
  for (const a of p.adapters) specs.set(`train/${a.key}`, a);
  for (const s of [...p.devices, ...p.evaluations]) specs.set(s.key, s);
  return { id: stored.id, hash: stored.hash, ctx: { exp, res, outDir, progress: false }, plan: p, seq: planOrder(p), specs };
}
