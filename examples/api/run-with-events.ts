/**
 * API example 3 (docs/api.md): run an experiment written as an object — no JSON file — with progress
 * from typed events and cancellation by an AbortSignal (Ctrl-C here). Stopping keeps every row already
 * written; running the same experiment again resumes after them.
 *
 * Run: `npx tsx examples/api/run-with-events.ts` from the repository root (reports/api-events/).
 * test/examples/api.test.ts runs it with 2 training steps and 16 evaluation passages.
 */
import { runExperiment, type Experiment, type RunEvent } from 'grasp-hil/experiment';

export interface RunWithEventsOptions {
  reportsDir?: string;
  /** Training steps per adapter and evaluation passages (small by default: a demonstration). */
  steps?: number;
  evalExamples?: number;
  /** Cancels the run (default: Ctrl-C). */
  signal?: AbortSignal;
  /** Where progress lines go (default: stdout). */
  print?: (line: string) => void;
}

export function experiment(steps: number, evalExamples: number): Experiment {
  return {
    name: 'api-events',
    model: 'tiny-roberta',
    task: { id: 'brown-genre', maxLength: 32, trainExamples: 64, evalExamples },
    training: { maxSteps: steps, batchSize: 16, lr: 0.01, evalEvery: 'end' },
    methods: [
      { id: 'grasp', method: 'grasp', options: { k: 8, sites: 'ff2' } },
      { id: 'lora', method: 'lora', options: { rank: 2, sites: 'ff2' }, training: { lr: 0.003 } },
    ],
    compareTo: 'grasp',
    evaluation: { noise: { sigmas: [0, 0.05] } },
    seeds: { grouping: 0, train: [0], noise: [0, 1] },
  };
}

export async function main(options: RunWithEventsOptions = {}) {
  const print = options.print ?? ((line: string) => console.log(line));
  let signal = options.signal;
  if (!signal) {
    const controller = new AbortController();
    process.once('SIGINT', () => controller.abort());
    signal = controller.signal;
  }
  const counts: Partial<Record<RunEvent['type'], number>> = {};
  const onEvent = (e: RunEvent) => {
    counts[e.type] = (counts[e.type] ?? 0) + 1;
    if (e.type === 'plan') print(`plan: ${e.toTrain} adapters to train, ${e.toCompute} rows to compute (${e.stored} already stored) in ${e.outDir}`);
    else if (e.type === 'trainStep' && (e.step === e.total || e.step % 10 === 0)) print(`  ${e.label}: step ${e.step}/${e.total} loss ${e.loss.toFixed(3)}`);
    else if (e.type === 'adapterTrained') print(`trained ${e.label}: ${e.record.trainableParams} parameters, ${e.record.seconds.toFixed(1)} s`);
    else if (e.type === 'rowWritten') print(`row ${e.done}/${e.total}: ${e.row.key}${typeof e.row.metric === 'number' ? ` → ${e.row.metricName} ${e.row.metric.toFixed(3)}` : ''}`);
    else if (e.type === 'done') print(`done: ${e.summary.rowsWritten} rows written, report in ${e.summary.outDir}/index.html`);
    // `log` events carry every line the run prints (plan, warnings, the trainer's lines); shown here only when they warn.
    else if (e.type === 'log' && e.line.includes('warning')) print(e.line);
  };
  const summary = await runExperiment(experiment(options.steps ?? 32, options.evalExamples ?? 64), {
    workers: 1, reportsDir: options.reportsDir ?? 'reports', signal, onEvent,
  });
  return { summary, counts };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await main().catch((e: Error) => {
    if (e.name !== 'AbortError') throw e;
    console.log('stopped; run again to resume');
  });
}
