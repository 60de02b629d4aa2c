/** `grasp-hil worker --queue URL`: takes jobs from the queue database and runs them until stopped. */
import { DEFAULT_LEASE_SECONDS, queueUrl, startWorker } from '../../internal.js';
import { withExamples, type Command } from '../command.js';

export const workerCommand: Command = {
  tensors: true,
  command: 'worker',
  describe: 'Run queued jobs (train, evaluate, device) from a PostgreSQL queue until stopped (Ctrl-C)',
  builder: (y) =>
    withExamples(
      y.option('queue', { type: 'string', describe: 'PostgreSQL connection string (default: $GRASP_HIL_DATABASE_URL); never printed' })
        .option('concurrency', { type: 'number', default: 1, describe: 'jobs at once in this process (they share one engine: start one process per core instead)' })
        .option('reports', { type: 'string', default: 'reports', describe: 'folder for local adapter copies, reports/<name>/adapters/' })
        .option('experiments', { type: 'string', describe: 'take only jobs of these experiments (comma-separated names); default: all' })
        .option('lease', { type: 'number', default: DEFAULT_LEASE_SECONDS, describe: "seconds without a heartbeat after which a worker's jobs go to others" }),
      [
        ['grasp-hil worker --queue postgres://grasp:secret@db:5432/grasp', 'one worker; start one per core and machine'],
        ['GRASP_HIL_DATABASE_URL=postgres://grasp@db/grasp grasp-hil worker --lease 120', 'URL from the environment; longer lease'],
        ['grasp-hil worker --queue postgres://grasp:secret@db:5432/grasp --experiments quickstart,fig6', 'only the jobs of two experiments'],
      ],
    ),
  handler: async (argv) => {
    const url = queueUrl(argv.queue as string | undefined);
    const w = await startWorker(url, { concurrency: argv.concurrency as number, reportsDir: argv.reports as string, lease: argv.lease as number,
      experiments: argv.experiments === undefined ? undefined : String(argv.experiments).split(',').map((e) => e.trim()), backend: argv.backend as string | undefined });
    console.error('worker: waiting for jobs (Ctrl-C to finish the current job and stop)');
    const stop = () => void w.stop();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    await w.promise;
  },
};
