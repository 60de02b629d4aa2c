/** `grasp-hil export <experiment> --from URL --out results.jsonl`: a queued experiment's rows as JSONL. */
import { exportRows, queueUrl } from '../../internal.js';
import { printJson, withExamples, type Command } from '../command.js';

export const exportCommand: Command = {
  command: 'export <experiment>',
  describe: "Write a queued experiment's rows from the database to a results.jsonl (plan order)",
  builder: (y) =>
    withExamples(
      y.positional('experiment', { type: 'string', describe: 'experiment name', demandOption: true })
        .option('from', { type: 'string', describe: 'PostgreSQL connection string (default: $GRASP_HIL_DATABASE_URL); never printed' })
        .option('out', { type: 'string', default: 'results.jsonl', describe: 'file to write' }),
      [['grasp-hil export quickstart --from postgres://grasp:secret@db:5432/grasp --out results.jsonl', 'rows for analysis elsewhere']],
    ),
  handler: async (argv) => {
    const n = await exportRows(String(argv.experiment), queueUrl(argv.from as string | undefined, '--from'), String(argv.out));
    if (argv.json) return printJson({ rows: n, out: argv.out });
    console.log(`${argv.out}: ${n} rows`);
  },
};
