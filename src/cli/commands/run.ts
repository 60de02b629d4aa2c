import os from 'node:os';
import { DATABASE_URL_ENV, enqueue, queueUrl, runExperiment, waitForQueue } from '../../internal.js';
import { printJson, withExamples, type Command } from '../command.js';
import { COUNT, numericFlag } from '../flags.js';
import { runDisplay } from '../run-progress.js';

export const run: Command = {
  tensors: true,
  command: 'run <experiment>',
  describe: 'Run an experiment: plan → train → merge → program → evaluate → record → report',
  builder: (y) =>
    withExamples(
      y.positional('experiment', { type: 'string', describe: 'experiment file (experiments/*.json)', demandOption: true })
        .option('workers', { type: 'number', default: os.cpus().length, describe: 'worker threads for training and evaluation' })
        .option('quick', { type: 'boolean', default: false, describe: 'a small version (16 steps, at most 128 training and 64 evaluation examples, first seeds) in reports/<name>-quick/; quickstart --quick measured 2.6 CPU-minutes (12 min wall on a shared, busy 2-core AMD EPYC)' })
        .option('reports', { type: 'string', default: 'reports', describe: 'folder that holds reports/<name>/' })
        .option('max-rows', { type: 'number', default: 100000, describe: 'refuse plans with more rows (adapters + evaluations + device rows) than this' })
        .option('prune', { type: 'boolean', default: false, describe: 'move stored rows and adapters no longer in the plan to dated archive files (default: keep them)' })
        .option('queue', { type: 'string', describe: `enqueue the jobs on this PostgreSQL queue for grasp-hil worker processes instead of running them here (--queue alone: $${DATABASE_URL_ENV}); never printed` })
        .option('wait', { type: 'boolean', default: false, describe: 'with --queue: wait until every job has finished or failed, showing progress' }),
      [
        ['grasp-hil run experiments/quickstart.json', 'the main job (what npm start runs)'],
        ['grasp-hil run experiments/devices-drift.json --workers 1', 'single-threaded; results are identical'],
        ['grasp-hil run experiments/quickstart.json --quick', 'a smoke test: same structure, few steps'],
        ['grasp-hil run experiments/quickstart.json --prune', 'rerun after editing; archive rows the edited plan no longer has'],
        ['grasp-hil run experiments/quickstart.json --queue postgres://grasp:secret@db:5432/grasp --wait', 'enqueue for workers on other machines and wait'],
      ],
    ),
  handler: async (argv) => {
    const maxRows = numericFlag(argv['max-rows'], 'max-rows', COUNT);
    if (argv.queue !== undefined) {
      const url = queueUrl(argv.queue as string | undefined);
      const q = await enqueue(String(argv.experiment), url, { backend: argv.backend, maxRows });
      const done = argv.wait ? await waitForQueue(q.experiment, url) : null;
      if (argv.json) return printJson({ ...q, status: done });
      console.log(`${q.experiment}: enqueued (${q.trainJobs} train, ${q.evaluationJobs} evaluation, ${q.deviceJobs} device jobs; ${q.rowsStored}/${q.rows} rows already stored)`);
      if (done) console.log(`${q.experiment}: ${done.rows}/${q.rows} rows stored, ${done.failures.length} jobs failed${done.failures.length ? ` (grasp-hil status ${q.experiment} shows their errors)` : ''}`);
      return;
    }
    const display = runDisplay(process.stderr, Boolean(argv.json));
    const s = await runExperiment(String(argv.experiment), { workers: argv.workers, quick: argv.quick, backend: argv.backend, reportsDir: argv.reports, maxRows, prune: argv.prune as boolean, ...(display ? { log: display.log, onProgress: display.onProgress } : {}) })
      .finally(() => display?.stop());
    if (argv.json) return printJson({ ...s, report: { charts: s.report.charts, dir: s.report.dir } });
    const t = s.seconds;
    const total = t.plan + t.train + t.evaluate + t.report;
    console.log(`${s.experiment}: ${s.adaptersTrained} adapters trained (${s.adaptersCached} cached), ${s.rowsWritten} rows written (${s.rowsSkipped} already present, ${s.rowsStale} stale rows recomputed, ${s.rowsNotInPlan} no longer in the plan${s.rowsPruned ? `, ${s.rowsPruned} archived` : ''})`);
    console.log(`time: ${total.toFixed(0)} s — plan ${t.plan.toFixed(0)} s, train ${t.train.toFixed(0)} s, evaluate ${t.evaluate.toFixed(0)} s, report ${t.report.toFixed(0)} s; ${s.evaluationsPerMinute.toFixed(1)} evaluations/min on ${s.workers} workers`);
    const j = s.jobSeconds;
    if (s.rowsWritten > 0) console.log(`evaluation rows (worker-seconds): merge ${j.merge.toFixed(0)} s, program ${j.program.toFixed(0)} s, forward passes ${j.evaluate.toFixed(0)} s`);
    console.log(`report: ${s.outDir}/index.html (${s.report.charts.join(', ')})`);
  },
};
