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
import { hasAdapter } from './adapters.js';
import { addDevices, addEvaluations, addTrain, storedKeys } from './jobs.js';
import { quietLogger, requireSchema } from './schema.js';
import { maskIn } from './url.js';

export interface EnqueueOptions {
  backend?: string;
  maxRows?: number;
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
  if (exp.adapters?.length) throw new Error(`${path}: /adapters: queue mode does not carry supplied adapter folders to its workers yet; run this experiment locally (grasp-hil run without --queue)`);
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
  const db = new pg.Pool({ connectionString: url, max: 2 });
  const utils = await makeWorkerUtils({ connectionString: url, logger: quietLogger });
  try {
    await requireSchema(db);
    // ---- store experiment
    await db.query(
      `insert into grasp_hil.experiments (id, hash, experiment, file, model_hash, data_hash, numerics, version)
       values ($1, $2, $3, $4, $5, $6, $7, $8) on conflict (id) do nothing`,
      [exp.name, loaded.hash, JSON.stringify(exp), loaded.file, validated.inputs.model, validated.inputs.data, NUMERICS_VERSION, packageVersion()],
    );
    const had = (await db.query<{ hash: string }>('select hash from grasp_hil.experiments where id = $1', [exp.name])).rows[0].hash;
    if (had !== loaded.hash) {
      throw new Error(`${path}: experiment '${exp.name}' is already in the queue database with hash ${had} (this file: ${loaded.hash}); give the changed experiment a new "name", or export the old one and drop it from the database`);
    }
    // ---- add jobs
    const q = { id: exp.name, plan: p };
    const stored = await storedKeys(db, exp.name);
    let trainJobs = 0;
    let evaluationJobs = 0;
    for (const a of p.adapters) {
      if (await hasAdapter(db, a.key)) evaluationJobs += await addEvaluations(utils.addJob, q, a.key, stored);
      else {
        await addTrain(utils.addJob, q, a.key);
        trainJobs++;
      }
    }
    const deviceJobs = await addDevices(utils.addJob, q, stored);
    const rows = p.devices.length + p.evaluations.length;
    log(`queue: ${exp.name} (${loaded.hash}): ${rows} rows planned, ${stored.size} stored; added ${trainJobs} train, ${evaluationJobs} evaluation and ${deviceJobs} device jobs (evaluations of untrained adapters follow their train job)`);
    return { experiment: exp.name, hash: loaded.hash, rows, rowsStored: stored.size, trainJobs, evaluationJobs, deviceJobs };
  } catch (e) {
    throw new Error(maskIn((e as Error).message, url));
  } finally {
    await utils.release();
    await db.end();
  }
}
