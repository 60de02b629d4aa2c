import { reportExperiment } from '../../index.js';
import { printJson, withExamples, type Command } from '../command.js';

export const report: Command = {
  command: 'report <experiment>',
  describe: 'Rebuild reports/<experiment>/ (charts, index.html, summaries) from its results.jsonl alone',
  builder: (y) =>
    withExamples(
      y.positional('experiment', { type: 'string', describe: 'experiment name or file', demandOption: true })
        .option('reports', { type: 'string', default: 'reports', describe: 'folder that holds reports/<name>/' }),
      [['grasp-hil report quickstart', 'redraw reports/quickstart/ from its rows']],
    ),
  handler: async (argv) => {
    const { report: r, warnings } = await reportExperiment(String(argv.experiment), argv.reports);
    for (const w of warnings) console.error(`warning: ${w}`);
    if (argv.json) return printJson({ dir: r.dir, charts: r.charts, files: r.files });
    console.log(`${r.dir}/index.html: ${r.charts.join(', ')}`);
  },
};
