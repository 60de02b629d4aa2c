/** `grasp-hil status <experiment> --queue URL`: jobs by kind and state, failures, throughput and ETA. */
import { queueStatus, queueUrl } from '../../internal.js';
import { printJson, withExamples, type Command } from '../command.js';

export const statusCommand: Command = {
  command: 'status <experiment>',
  describe: 'Show a queued experiment: rows stored, jobs by kind and state, failures with their errors',
  builder: (y) =>
    withExamples(
      y.positional('experiment', { type: 'string', describe: 'experiment name', demandOption: true })
        .option('queue', { type: 'string', describe: 'PostgreSQL connection string (default: $GRASP_HIL_DATABASE_URL); never printed' }),
      [['grasp-hil status quickstart --queue postgres://grasp:secret@db:5432/grasp', 'progress of a queued sweep']],
    ),
  handler: async (argv) => {
    const s = await queueStatus(String(argv.experiment), queueUrl(argv.queue as string | undefined));
    if (argv.json) return printJson(s);
    console.log(`${s.experiment} (${s.hash}): ${s.rows} rows stored`);
    for (const [kind, c] of Object.entries(s.jobs)) console.log(`  ${kind.padEnd(9)} queued ${c.queued}, running ${c.running}, retrying ${c.retrying}, failed ${c.failed}`);
    if (s.rowsPerSecond !== null) console.log(`  ${(s.rowsPerSecond * 60).toFixed(1)} rows/min${s.etaSeconds ? `, about ${Math.ceil(s.etaSeconds / 60)} min of jobs left` : ''}`);
    for (const f of s.failures) console.log(`  ${f.kind} ${f.key} (attempt ${f.attempts}): ${f.error.split('\n')[0]}`);
  },
};
