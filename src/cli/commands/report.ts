import { queueUrl, reportExperiment, reportFromQueue } from '../../internal.js';
import { printJson, withExamples, type Command } from '../command.js';

export const report: Command = {
  command: 'report <experiment>',
  describe: 'Rebuild reports/<experiment>/ (charts, index.html, summaries) from its results.jsonl alone',
  builder: (y) =>
    withExamples(
      y.positional('experiment', { type: 'string', describe: 'experiment name or file', demandOption: true })
        .option('reports', { type: 'string', default: 'reports', describe: 'folder that holds reports/<name>/' })
        .option('from', { type: 'string', describe: 'read the rows from this PostgreSQL queue database instead of results.jsonl; never printed' })
        .option('compare-to', { type: 'string', describe: 'compare every method with this arm (a method entry id) instead of the experiment\'s compareTo; written to reports/<experiment>-vs-<arm>/' }),
      [
        ['grasp-hil report quickstart', 'redraw reports/quickstart/ from its rows'],
        ['grasp-hil report quickstart --from postgres://grasp:secret@db:5432/grasp', 'the same report from a queued run'],
        ['grasp-hil report deep-stochgrasp-study --compare-to grasp', 'the same rows compared with GRASP, in reports/deep-stochgrasp-study-vs-grasp/'],
      ],
    ),
  handler: async (argv) => {
    const options = { compareTo: argv['compare-to'] as string | undefined };
    const { report: r, warnings } = argv.from !== undefined
      ? { report: await reportFromQueue(String(argv.experiment), queueUrl(argv.from as string, '--from'), argv.reports, options), warnings: [] as string[] }
      : await reportExperiment(String(argv.experiment), argv.reports, options);
    for (const w of warnings) console.error(`warning: ${w}`);
    if (argv.json) return printJson({ dir: r.dir, charts: r.charts, files: r.files });
    console.log(`${r.dir}/index.html: ${r.charts.join(', ')}`);
  },
};
