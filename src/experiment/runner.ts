/**
 * The experiment runner, in named phases:
 *
 *   plan → train → merge → program → evaluate → record → report
 *
 * plan expands the grid (plan.ts). train runs every adapter not yet in the cache
 * (reports/<name>/adapters/<key>/). merge, program and evaluate happen inside each evaluation job
 * (jobs.ts): the adapter is merged into deployable weights, perturbed (noise protocol) or programmed
 * on a chip and read at t (hardware protocol), and evaluated. record appends one row per evaluation
 * to reports/<name>/results.jsonl in plan order, skipping rows already there; report rebuilds every
 * chart from the rows. Jobs run on a worker_threads pool when --workers > 1.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { packageVersion } from '../env.js';
import { buildReport, type ReportResult } from '../report/index.js';
import { backendInfo, initBackend } from '../tensor/index.js';
import { chipOf, readTraining, runJob, type Job, type JobContext, type JobRow, type TrainingRecord } from './jobs.js';
import { plan, type Plan } from './plan.js';
import { WorkerPool } from './pool.js';
import { loadResources, resolveModelDir } from './resources.js';
import type { ResultRow } from './row.js';
import { loadExperiment, type Experiment } from './schema.js';
import { ResultStore } from './store.js';

export interface RunOptions {
  /** worker_threads for training and evaluation (default: number of cores). */
  workers?: number;
  /** A small version of the experiment (few steps and examples, first seeds): reports/<name>-quick/. */
  quick?: boolean;
  backend?: string;
  /** Where reports/<name>/ goes (default: ./reports). */
  reportsDir?: string;
  /** Progress lines (default true). */
  log?: (line: string) => void;
}

export interface PhaseTimes {
  plan: number;
  train: number;
  evaluate: number;
  report: number;
}

export interface RunSummary {
  experiment: string;
  outDir: string;
  adaptersTrained: number;
  adaptersCached: number;
  rowsWritten: number;
  rowsSkipped: number;
  recovered: string[];
  seconds: PhaseTimes;
  evaluationsPerMinute: number;
  workers: number;
  /**
   * Evaluation rows of this run, their time summed over rows (worker-seconds, so with several workers
   * it exceeds the evaluate phase's wall time): merge, program (noise or chip), evaluate (forward passes).
   */
  jobSeconds: { merge: number; program: number; evaluate: number };
  report: ReportResult;
}

/** The --quick variant: few steps and examples, first seeds only; same structure. */
export function quickVariant(exp: Experiment): Experiment {
  const q: Experiment = JSON.parse(JSON.stringify(exp));
  q.name = `${exp.name}-quick`;
  q.task.trainExamples = Math.min(exp.task.trainExamples ?? Infinity, 128);
  q.task.evalExamples = Math.min(exp.task.evalExamples ?? Infinity, 64);
  q.training = { ...q.training, maxSteps: 16, epochs: 1, evalEvery: 'end' };
  for (const m of q.methods) if (m.training) m.training = { ...m.training, maxSteps: 16, epochs: 1 };
  q.seeds = { ...q.seeds, train: exp.seeds.train.slice(0, 1), chip: (exp.seeds.chip ?? [0]).slice(0, 1), noise: (exp.seeds.noise ?? [0]).slice(0, 1) };
  if (q.evaluation.device) q.evaluation.device.samples = Math.min(q.evaluation.device.samples ?? 20000, 2000);
  return q;
}

function gitCommit(): string | null {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

export async function runExperiment(path: string, options: RunOptions = {}): Promise<RunSummary> {
  const log = options.log ?? ((l: string) => console.error(l));
  const seconds: PhaseTimes = { plan: 0, train: 0, evaluate: 0, report: 0 };
  let t0 = performance.now();
  const lap = (phase: keyof PhaseTimes) => {
    const now = performance.now();
    seconds[phase] += (now - t0) / 1000;
    t0 = now;
  };

  // ---- plan
  const loaded = loadExperiment(path);
  const exp = options.quick ? quickVariant(loaded.experiment) : loaded.experiment;
  const hash = options.quick ? `${loaded.hash}-quick` : loaded.hash;
  const workers = options.workers ?? os.cpus().length;
  if (!Number.isInteger(workers) || workers < 1) throw new Error(`--workers must be an integer ≥ 1, got ${workers}`);
  await initBackend(options.backend);
  const modelDir = resolveModelDir(exp, loaded.file);
  const outDir = resolve(options.reportsDir ?? 'reports', exp.name);
  const { store, recovered } = ResultStore.open(join(outDir, 'results.jsonl'));
  for (const r of recovered) log(`warning: ${r}`);
  const p: Plan = plan(exp, modelDir);
  const res = loadResources(exp, loaded.file);
  const ctx: JobContext = { exp, res, outDir, progress: workers === 1 };
  const provenance = {
    experiment: exp.name, experimentHash: hash, backend: backendInfo()?.name ?? 'unknown', version: packageVersion(), gitCommit: gitCommit(),
  };
  log(`plan: ${p.adapters.length} adapters, ${p.evaluations.length} evaluations, ${p.devices.length} device characterisations; ${store.rows().length} rows already in ${join(outDir, 'results.jsonl')}`);
  lap('plan');

  // Hardware rows of one chip go to the worker that programmed it (each keeps one chip).
  const affinity = (job: unknown) => {
    const j = job as Job;
    return j.kind === 'evaluate' ? chipOf(j.spec) : null;
  };
  const pool = workers > 1 ? new WorkerPool<Job, JobRow | TrainingRecord>({ workers, workerData: { experimentFile: loaded.file, experiment: exp, outDir, backend: options.backend }, affinity }) : null;
  const run = async (jobs: Job[], onResult: (r: JobRow | TrainingRecord, i: number) => void) => {
    if (pool) return pool.run(jobs, onResult);
    for (let i = 0; i < jobs.length; i++) onResult(await runJob(ctx, jobs[i]), i);
  };
  try {
    // ---- train
    const cachedBefore = p.adapters.filter((a) => readTraining(ctx, a.key) !== null).length;
    const trainJobs: Job[] = p.adapters.filter((a) => readTraining(ctx, a.key) === null).map((spec) => ({ kind: 'train', spec }));
    await run(trainJobs, (r, i) => {
      const rec = r as TrainingRecord;
      log(`train: ${i + 1}/${trainJobs.length} ${rec.label}: ${rec.trainableParams} trainable parameters, ${rec.seconds.toFixed(1)} s, ${JSON.stringify(rec.final)}`);
      if (rec.sigma) log(`train: ${rec.label}: σ/σ_target = ${rec.sigma.meanRatio.toFixed(2)}${rec.sigma.warning ? ` — warning: ${rec.sigma.warning}` : ''}`);
    });
    lap('train');

    // ---- merge → program → evaluate → record (rows appended in plan order)
    const jobs: Job[] = [
      ...p.devices.filter((d) => !store.has(d.key)).map((spec): Job => ({ kind: 'device', spec })),
      ...p.evaluations.filter((e) => !store.has(e.key)).map((spec): Job => ({ kind: 'evaluate', spec })),
    ];
    const skipped = p.devices.length + p.evaluations.length - jobs.length;
    const evalStart = performance.now();
    const jobSeconds = { merge: 0, program: 0, evaluate: 0 };
    await run(jobs, (r, i) => {
      const row = { ...(r as JobRow), ...provenance, timestamp: new Date().toISOString() } as ResultRow;
      store.append(row);
      if (row.phaseMs) for (const k of ['merge', 'program', 'evaluate'] as const) jobSeconds[k] += row.phaseMs[k] / 1000;
      if (i % 10 === 0 || i === jobs.length - 1) log(`evaluate: ${i + 1}/${jobs.length} ${row.key}${typeof row.metric === 'number' ? ` → ${row.metricName} ${row.metric.toFixed(4)}` : ''}`);
    });
    const evalMinutes = (performance.now() - evalStart) / 60000;
    lap('evaluate');

    // ---- report
    const report = await buildReport([...store.rows()], outDir, exp.name);
    lap('report');
    const summary: RunSummary = {
      experiment: exp.name, outDir, adaptersTrained: trainJobs.length, adaptersCached: cachedBefore, rowsWritten: jobs.length, rowsSkipped: skipped,
      recovered, seconds, evaluationsPerMinute: jobs.length / Math.max(evalMinutes, 1e-9), workers, jobSeconds, report,
    };
    writeFileSync(join(outDir, 'run.json'), `${JSON.stringify({ ...summary, report: undefined }, null, 2)}\n`);
    return summary;
  } finally {
    await pool?.close();
  }
}

/** `grasp-hil report <experiment>`: rebuilds the report from the rows alone. */
export async function reportExperiment(nameOrFile: string, reportsDir = 'reports'): Promise<{ report: ReportResult; warnings: string[] }> {
  const name = nameOrFile.endsWith('.json') ? loadExperiment(nameOrFile).experiment.name : nameOrFile;
  const outDir = resolve(reportsDir, name);
  const { rows, warnings } = ResultStore.read(join(outDir, 'results.jsonl'));
  return { report: await buildReport(rows, outDir, name), warnings };
}
