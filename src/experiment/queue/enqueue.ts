/**
 * enqueue: `grasp-hil run x.json --queue URL`. Order:
 *
 *   validate → plan → store experiment → add jobs
 *
 * validate and plan are the local runner's own (validateExperiment, plan), so a queued experiment
 * expands to exactly the rows a local run would write. The experiment is stored once under its name
 * with its hash, model/data hashes, numerics and grasp-hil version (what workers check before running
 * it); enqueueing the same experiment again adds only what is neither stored nor queued, and an
 * experiment whose name is stored with another hash is refused. Jobs: one train job per adapter not
 * yet in the database (it adds its evaluations when done), evaluation jobs directly for adapters
 * already stored, and device jobs.
 *
 * Supplied adapters (`adapters` entries) are uploaded into the database under their content-addressed
 * key (adapters.ts) and their evaluation jobs added at once: workers need neither the folder's path nor
 * a shared filesystem. The experiment's record keeps entry id → key (`supplied`); enqueueing it again
 * with an adapter whose files changed is refused, naming the entry and both keys.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { makeWorkerUtils } from 'graphile-worker';
import pg from 'pg';
import { packageVersion } from '../../env.js';
import { initBackend } from '../../tensor/index.js';
import { NUMERICS_VERSION } from '../inputs.js';
import { plan, planSize } from '../plan.js';
import { DEFAULT_MAX_ROWS } from '../runner.js';
import { loadExperiment } from '../schema.js';
import { validateExperiment } from '../validate.js';
import { checkSuppliedFiles, hasAdapter, uploadSupplied } from './adapters.js';
import { addDevices, addEvaluations, addTrain, storedKeys } from './jobs.js';
import { quietLogger, requireSchema } from './schema.js';
import { maskIn } from './url.js';

export interface EnqueueOptions {
  backend?: string;
  maxRows?: number;
  /** Per-chip named queues for hardware rows (default false; jobs.ts). */
  affinity?: boolean;
  log?: (line: string) => void;
}

export interface EnqueueSummary {
  experiment: string;
  hash: string;
  rows: number;
  rowsStored: number;
  trainJobs: number;
  evaluationJobs: number;
  deviceJobs: number;
}

export async function enqueue(path: string, url: string, options: EnqueueOptions = {}): Promise<EnqueueSummary> {
  const log = options.log ?? ((l: string) => console.error(l));
  // ---- validate (as the local runner, with a scratch folder for its writability check)
  const loaded = loadExperiment(path);
  const exp = loaded.experiment;
  const size = planSize(exp);
  const maxRows = options.maxRows ?? DEFAULT_MAX_ROWS;
  if (size.total > maxRows) throw new Error(`${path}: the plan has ${size.total} rows, more than --max-rows ${maxRows}; shrink the grid or raise --max-rows`);
  await initBackend(options.backend);
  const scratch = mkdtempSync(join(os.tmpdir(), 'grasp-hil-enqueue-'));
  let validated;
  try {
    validated = await validateExperiment(exp, loaded.file, join(scratch, exp.name));
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  // ---- plan
  const p = plan(exp, validated.inputs);
  const at = (i: number) => `${path}: /adapters/${i}/path`;
  p.supplied.forEach((s, i) => checkSuppliedFiles(s.path, at(i)));
  const supplied: Record<string, string> = Object.fromEntries(p.supplied.map((s) => [s.entryId, s.key]));
  const db = new pg.Pool({ connectionString: url, max: 2 });
  const utils = await makeWorkerUtils({ connectionString: url, logger: quietLogger });
  try {
    await requireSchema(db);
    // ---- store experiment
    await db.query(
      `insert into grasp_hil.experiments (id, hash, experiment, file, model_hash, data_hash, numerics, version, supplied)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9) on conflict (id) do nothing`,
      [exp.name, loaded.hash, JSON.stringify(exp), loaded.file, validated.inputs.model, validated.inputs.data, NUMERICS_VERSION, packageVersion(), JSON.stringify(supplied)],
    );
    const had = (await db.query<{ hash: string; supplied: Record<string, string> }>('select hash, supplied from grasp_hil.experiments where id = $1', [exp.name])).rows[0];
    if (had.hash !== loaded.hash) {
      throw new Error(`${path}: experiment '${exp.name}' is already in the queue database with hash ${had.hash} (this file: ${loaded.hash}); give the changed experiment a new "name", or export the old one and drop it from the database`);
    }
    p.supplied.forEach((s, i) => {
      const then = had.supplied[s.entryId];
      if (then !== s.key) {
        throw new Error(`${at(i)}: the files of adapter '${s.entryId}' changed since experiment '${exp.name}' was enqueued (then ${then ?? 'absent'}, now ${s.key}); the queue never evaluates a changed adapter under the same experiment: give the experiment a new "name", or export the old one and drop it from the database`);
      }
    });
    // ---- upload supplied adapters (content-addressed; already stored keys are left as they are)
    for (const s of p.supplied) await uploadSupplied(db, s);
    // ---- add jobs
    const q = { id: exp.name, plan: p };
    const stored = await storedKeys(db, exp.name);
    let trainJobs = 0;
    let evaluationJobs = 0;
    for (const a of p.adapters) {
      if (await hasAdapter(db, a.key)) evaluationJobs += await addEvaluations(utils.addJob, q, a.key, stored, { affinity: options.affinity });
      else {
        await addTrain(utils.addJob, q, a.key);
        trainJobs++;
      }
    }
    for (const s of p.supplied) evaluationJobs += await addEvaluations(utils.addJob, q, s.key, stored, { affinity: options.affinity });
    const deviceJobs = await addDevices(utils.addJob, q, stored);
    const rows = p.devices.length + p.evaluations.length;
    log(`queue: ${exp.name} (${loaded.hash}): ${rows} rows planned, ${stored.size} stored; added ${trainJobs} train, ${evaluationJobs} evaluation and ${deviceJobs} device jobs (evaluations of untrained adapters follow their train job)${p.supplied.length ? `; ${p.supplied.length} supplied adapter folders uploaded` : ''}`);
    return { experiment: exp.name, hash: loaded.hash, rows, rowsStored: stored.size, trainJobs, evaluationJobs, deviceJobs };
  } catch (e) {
    throw new Error(maskIn((e as Error).message, url));
  } finally {
    await utils.release();
    await db.end();
  }
}
