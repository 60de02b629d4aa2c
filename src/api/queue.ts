/**
 * `grasp-hil/queue` — queue mode on PostgreSQL (graphile-worker): enqueue an experiment's jobs, run
 * workers on other machines, follow its status, export its rows. Kept out of `grasp-hil` so that
 * importing the library does not load the PostgreSQL client.
 */
export { migrate, enqueue, startWorker, queueStatus, queueRows, waitForQueue, queueUrl, exportRows, reportFromQueue, DATABASE_URL_ENV } from '../experiment/queue/index.js';
export type { EnqueueOptions, EnqueueSummary, WorkerOptions, QueueWorker, QueueStatus } from '../experiment/queue/index.js';
