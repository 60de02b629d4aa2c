/**
 * Worker entry of the evaluation pool: one TF.js engine per thread. It loads the experiment's
 * resources once, then runs jobs as they arrive and posts each result back.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { initBackend } from '../tensor/index.js';
import type { JobEvent } from './events.js';
import { runJob, type Job, type JobContext } from './jobs.js';
import { loadResources } from './resources.js';
import { loadExperiment, type Experiment } from './schema.js';

interface WorkerInit {
  experimentFile: string;
  /** False for an experiment object (no file to re-read). */
  fromFile?: boolean;
  /** Post each job event (training steps) back to the pool. */
  events?: boolean;
  /** The experiment as the main thread resolved it (e.g. --quick applied). */
  experiment: Experiment;
  outDir: string;
  backend: string | undefined;
}

const init = workerData as WorkerInit;
let ctx: Promise<JobContext> | null = null;

function context(): Promise<JobContext> {
  ctx ??= (async () => {
    await initBackend(init.backend);
    if (init.fromFile !== false) loadExperiment(init.experimentFile); // the file must still be valid
    const emit = init.events ? (event: JobEvent) => parentPort?.postMessage({ event }) : undefined;
    return { exp: init.experiment, res: loadResources(init.experiment, init.experimentFile), outDir: init.outDir, progress: false, ...(emit ? { emit } : {}) };
  })();
  return ctx;
}

parentPort?.on('message', async (m: { id: number; job: Job }) => {
  try {
    const result = await runJob(await context(), m.job);
    parentPort?.postMessage({ id: m.id, ok: true, result });
  } catch (e) {
    parentPort?.postMessage({ id: m.id, ok: false, error: (e as Error).message });
  }
});
