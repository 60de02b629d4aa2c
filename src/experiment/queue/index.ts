/** Queue mode on PostgreSQL (graphile-worker): migrate, enqueue, workers, status and rows. */
export { migrate, SCHEMA_VERSION } from './schema.js';
export { enqueue } from './enqueue.js';
export type { EnqueueOptions, EnqueueSummary } from './enqueue.js';
export { startWorker } from './worker.js';
export type { WorkerOptions, QueueWorker } from './worker.js';
export { DEFAULT_LEASE_SECONDS } from './lease.js';
export { queueStatus, queueRows, waitForQueue } from './status.js';
export type { QueueStatus, JobState } from './status.js';
export { queueUrl, maskUrl, DATABASE_URL_ENV } from './url.js';
export { MAX_ATTEMPTS } from './jobs.js';
export { exportRows, reportFromQueue } from './export.js';
