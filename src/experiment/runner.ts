/**
 * The experiment runner, in named phases:
 *
 *   validate → plan → reconcile → train → merge → program → evaluate → record → report
 *
 * validate checks the whole experiment before any work (validate.ts: profiles, methods, options,
 * Sites, periphery and sweep keys, data, a writable reports folder) after counting the plan from
 * its axis lengths (refused above --max-rows). plan expands the grid (plan.ts), each row with an
 * inputsHash over everything it depends on. reconcile compares the plan with the rows already in
 * reports/<name>/results.jsonl: rows whose inputs changed are stale — moved to
 * results.stale-<time>.jsonl and recomputed; rows no longer in the plan are reported and kept, or
 * moved to results.pruned-<time>.jsonl with --prune (rows are never deleted); experiment.json
 * records the experiment the folder was last run with, so a changed one is named in one line.
 * train runs every adapter not yet in the cache (reports/<name>/adapters/<key>/). merge, program and evaluate happen
 * inside each evaluation job (evaluate.ts). record appends one row per evaluation in plan order;
 * report rebuilds every chart from the rows. Jobs run on a worker_threads pool when --workers > 1
 * (capped by the cores and by the number of jobs; one with a chip driver, which is connected right after
 * validation). Every path written stays inside the reports root.
 *
 * Progress: two counters, train (adapters to train) and evaluate (rows to compute: evaluations and
 * device characterisations, which the plan line names together), each reported as a RunProgress
 * event at its start (done 0) and after every job, with the elapsed time and an ETA from the mean
 * time per finished job. Without `onProgress` they become plain log lines (`evaluate: 10/113 … ETA 2m 05s`).
 *
 * Entry (the library's): `runExperiment(fileOrObject, { signal, onEvent })`. Every line the run prints
 * — the runner's, the counters' and the trainer's step lines — goes through one channel: `log` events
 * (and `options.log`, default stderr unless `onEvent` is given); typed events (events.ts) report the
 * plan, each training step, each trained adapter, each row written and the end. An AbortSignal is
 * checked before every job and every training step; an aborted run rejects with the signal's reason,
 * terminates its workers and leaves only complete rows and adapter folders, so a rerun resumes.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync } from 'node:fs';
import os from 'node:os';
import { join, relative, resolve, sep, isAbsolute } from 'node:path';
import { packageVersion } from '../env.js';
import { buildReport, type ReportResult } from '../report/index.js';
import { ResultStore, withBaseline, type ResultRow } from '../results/index.js';
import { backendInfo, initBackend } from '../tensor/index.js';
import { formatDuration } from '../train/index.js';
import { writeJsonAtomic } from './atomic.js';
import { chipOf } from './chip-cache.js';
import { chipFor, releaseChip } from './chip-driver.js';
import { runJob, type Job, type JobContext, type JobRow } from './jobs.js';
import { chipSpecOf, plan, planSize, type Plan } from './plan.js';
import { WorkerPool } from './pool.js';
import type { JobEvent, PhaseTimes, RunEvent, RunProgress, RunSummary } from './events.js';
import { loadExperiment, type Experiment } from './schema.js';
import { loadExperimentSource, type ExperimentSource } from './source.js';
import { readTraining, type TrainingRecord } from './train.js';
import { validateExperiment } from './validate.js';

/** Default --max-rows: plans with more rows (adapters + evaluations + device rows) are refused. */
export const DEFAULT_MAX_ROWS = 100_000;

export interface RunOptions {
  /** worker_threads for training and evaluation (default: number of cores). */
  workers?: number;
  /** A small version of the experiment (few steps and examples, first seeds): reports/<name>-quick/. */
  quick?: boolean;
  backend?: string;
  /** Where reports/<name>/ goes (default: ./reports). */
  reportsDir?: string;
  /** Progress lines (default: stderr, or nowhere but `log` events when `onEvent` is given). */
  log?: (line: string) => void;
  /** Typed events: plan, trainStep, adapterTrained, rowWritten, done, and every log line and counter step (events.ts). */
  onEvent?: (e: RunEvent) => void;
  /** Cancels the run between jobs and training steps; the promise rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Where an experiment object's relative paths (model, data, profile files) resolve (default: the working directory). */
  baseDir?: string;
  /** Progress of the train and evaluate phases (default: plain lines through `log`). */
  onProgress?: (e: RunProgress) => void;
  /** Refuse plans with more rows than this (default DEFAULT_MAX_ROWS). */
  maxRows?: number;
  /** Move stored rows (and adapter folders) no longer in the plan to dated archive files instead of keeping them. */
  prune?: boolean;
}

export type { PhaseTimes, RunProgress, RunSummary } from './events.js';

/** A phase's counter: emits a start event and one event per finished job. */
function counter(phase: RunProgress['phase'], total: number, emit: (e: RunProgress) => void): (label: string) => void {
  const start = performance.now();
  let done = 0;
  emit({ phase, done, total, label: '', seconds: 0, eta: null });
  return (label) => {
    done++;
    const seconds = (performance.now() - start) / 1000;
    emit({ phase, done, total, label, seconds, eta: (seconds / done) * (total - done) });
  };
}

/** The plain-line rendering of progress: every 10th job and the last, with the ETA. */
export function progressLine(e: RunProgress): string | null {
  if (e.done === 0 || (e.phase === 'evaluate' && e.done % 10 !== 1 && e.done !== e.total && e.total > 10)) return null;
  return `${e.phase}: ${e.done}/${e.total} ${e.label}${e.done < e.total && e.eta !== null ? ` (ETA ${formatDuration(e.eta)})` : ''}`;
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

/** `<root>/<name>` resolved, refused unless it stays inside `root` (a report name is one folder name). */
export function insideRoot(root: string, name: string, what: string): string {
  const base = resolve(root);
  const dir = resolve(base, name);
  const rel = relative(base, dir);
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name) || rel === '' || rel.startsWith('..') || isAbsolute(rel) || rel.includes(sep)) {
    throw new Error(`${what} '${name}' must be one folder name inside ${base} (letters, digits, '.', '_', '-'; no path separators or '..')`);
  }
  return dir;
}

/** Workers actually used: at most the cores and the jobs; says why when fewer than asked. */
export function capWorkers(requested: number, cores: number, jobs: number, log: (l: string) => void): number {
  if (!Number.isInteger(requested) || requested < 1) throw new Error(`--workers must be an integer ≥ 1, got ${requested}`);
  let w = requested;
  if (w > cores) {
    log(`workers: --workers ${requested} capped to ${cores}, the number of cores (each worker holds its own engine and model copy)`);
    w = cores;
  }
  const limit = Math.max(1, jobs);
  if (w > limit) {
    log(`workers: ${w} capped to ${limit}, the number of jobs to run`);
    w = limit;
  }
  return w;
}

/** The experiment hash a reports folder was last run with (null: never, or unreadable). */
function previousHash(stateFile: string): string | null {
  if (!existsSync(stateFile)) return null;
  try {
    return (JSON.parse(readFileSync(stateFile, 'utf8')) as { hash?: string }).hash ?? null;
  } catch {
    return null;
  }
}

const stamp = (): string => new Date().toISOString().replace(/[:.]/g, '-');

/** Resolves when `promise` does; rejects with the signal's reason as soon as it aborts. */
function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  return new Promise<T>((resolvePromise, reject) => {
    const onAbort = () => reject(signal.reason);
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolvePromise, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/**
 * Runs an experiment (a file path, or an experiment object whose relative paths resolve against
 * `options.baseDir`): validate → plan → reconcile → train → merge → program → evaluate → record → report.
 */
export async function runExperiment(source: ExperimentSource, options: RunOptions = {}): Promise<RunSummary> {
  const { signal, onEvent } = options;
  signal?.throwIfAborted();
  const sink = options.log ?? (onEvent ? null : (l: string) => console.error(l));
  const log = (line: string) => {
    sink?.(line);
    onEvent?.({ type: 'log', line });
  };
  const progress = (e: RunProgress) => {
    onEvent?.({ type: 'progress', progress: e });
    if (options.onProgress) return options.onProgress(e);
    const line = progressLine(e);
    if (line !== null) log(line);
  };
  // Events from jobs (this process's or a worker's): log lines join the channel; steps pass through.
  const onJobEvent = (e: JobEvent) => (e.type === 'log' ? log(e.line) : onEvent?.(e));
  const seconds: PhaseTimes = { plan: 0, train: 0, evaluate: 0, report: 0 };
  let t0 = performance.now();
  const lap = (phase: keyof PhaseTimes) => {
    const now = performance.now();
    seconds[phase] += (now - t0) / 1000;
    t0 = now;
  };

  // ---- validate (nothing is trained, written or built before this passes)
  const loaded = loadExperimentSource(source, options.baseDir);
  const path = typeof source === 'string' ? source : loaded.file;
  const exp = options.quick ? quickVariant(loaded.experiment) : loaded.experiment;
  const hash = options.quick ? `${loaded.hash}-quick` : loaded.hash;
  const size = planSize(exp);
  const maxRows = options.maxRows ?? DEFAULT_MAX_ROWS;
  log(`plan: ${size.adapters} adapters to train, ${size.evaluations + size.devices} rows to evaluate (${size.evaluations} evaluations + ${size.devices} device characterisations)`);
  if (size.total > maxRows) {
    throw new Error(`${path}: the plan has ${size.total} rows (${size.adapters} adapters, ${size.evaluations} evaluations, ${size.devices} device rows), more than --max-rows ${maxRows}; shrink the grid (sigmas, times, seeds, sweeps) or raise --max-rows`);
  }
  const reportsRoot = resolve(options.reportsDir ?? 'reports');
  const outDir = insideRoot(reportsRoot, exp.name, `${path}: /name: report name`);
  // The folder's experiment.json records the experiment it was last run with.
  const stateFile = join(outDir, 'experiment.json');
  const previous = previousHash(stateFile);
  if (previous !== null && previous !== hash) log(`${outDir}: experiment ${exp.name} changed since this folder's last run (experiment hash ${previous} → ${hash}); rows whose inputs changed will be recomputed`);
  await initBackend(options.backend);
  const { res, inputs, warnings } = await validateExperiment(exp, loaded.file, outDir);
  for (const w of warnings) log(`warning: ${w}`);
  signal?.throwIfAborted();
  // A chip driver must answer before anything is trained (chip-driver.ts).
  const chipSpec = chipSpecOf(exp);
  if (chipSpec) chipFor(chipSpec, exp);

  // ---- plan
  const p: Plan = plan(exp, inputs);
  const { store, recovered } = ResultStore.open(join(outDir, 'results.jsonl'));
  for (const r of recovered) log(`warning: ${r}`);

  // ---- reconcile stored rows with the plan
  const planned = new Map<string, string>([...p.devices, ...p.evaluations].map((s) => [s.key, s.inputsHash]));
  const stored = store.rows();
  const stale = new Set(stored.filter((r) => planned.has(r.key) && r.inputsHash !== planned.get(r.key)).map((r) => r.key));
  const notInPlan = new Set(stored.filter((r) => !planned.has(r.key)).map((r) => r.key));
  if (stale.size || notInPlan.size) {
    log(`reconcile: ${stale.size} stored rows are stale (their inputs changed: experiment, profile, model, data, a supplied adapter's files or grasp-hil numerics) and will be recomputed, ${notInPlan.size} are no longer in the plan`);
  }
  const when = stamp();
  if (stale.size) {
    const archive = join(outDir, `results.stale-${when}.jsonl`);
    store.archive(stale, archive);
    log(`reconcile: moved ${stale.size} stale rows to ${archive}`);
  }
  let rowsPruned = 0;
  const adapterKeys = new Set(p.adapters.map((a) => a.key));
  const adaptersDir = join(outDir, 'adapters');
  // A supplied adapter may live in this folder (an earlier run trained it): never moved aside.
  const suppliedDirs = new Set(p.supplied.map((a) => resolve(a.path)));
  const oldAdapters = existsSync(adaptersDir) ? readdirSync(adaptersDir).filter((k) => !adapterKeys.has(k) && !suppliedDirs.has(resolve(adaptersDir, k))) : [];
  if (options.prune) {
    if (notInPlan.size) {
      const archive = join(outDir, `results.pruned-${when}.jsonl`);
      rowsPruned = store.archive(notInPlan, archive);
      log(`prune: moved ${rowsPruned} rows no longer in the plan to ${archive}`);
    }
    if (oldAdapters.length) {
      const aside = join(outDir, `adapters.pruned-${when}`);
      mkdirSync(aside, { recursive: true });
      for (const k of oldAdapters) renameSync(join(adaptersDir, k), join(aside, k));
      log(`prune: moved ${oldAdapters.length} adapter folders no longer in the plan to ${aside}`);
    }
  } else if (notInPlan.size || oldAdapters.length) {
    log(`reconcile: ${notInPlan.size} stored rows and ${oldAdapters.length} adapter folders are no longer in the plan; kept (run with --prune to move them to dated archives)`);
  }

  writeJsonAtomic(stateFile, { hash, file: loaded.file, experiment: exp });

  // The trainer's lines go through `log` when the caller listens; else its own bar or lines on stderr.
  const ctx: JobContext = { exp, res, outDir, progress: false, signal, ...(options.log || onEvent ? { log } : {}), ...(onEvent ? { emit: onJobEvent } : {}) };
  const provenance = {
    experiment: exp.name, experimentHash: hash, backend: backendInfo()?.name ?? 'unknown', version: packageVersion(), gitCommit: gitCommit(),
  };
  const trainSpecs = p.adapters.filter((a) => readTraining(outDir, a.key) === null);
  const evalJobs: Job[] = [
    ...p.devices.filter((d) => !store.has(d.key)).map((spec): Job => ({ kind: 'device', spec })),
    ...p.evaluations.filter((e) => !store.has(e.key)).map((spec): Job => ({ kind: 'evaluate', spec })),
  ];
  let workers = capWorkers(options.workers ?? os.cpus().length, os.cpus().length, Math.max(trainSpecs.length, evalJobs.length), log);
  if (chipSpec && workers > 1) {
    log(`workers: 1 instead of ${workers}: the rows run one after another on the one chip of "chip" (${chipSpec.driver}${chipSpec.address ? ` at ${chipSpec.address}` : ''})`);
    workers = 1;
  }
  // The trainer's own per-step bar only when nothing else draws on the terminal.
  ctx.progress = workers === 1 && !options.onProgress;
  log(`plan: ${store.rows().length} rows already in ${join(outDir, 'results.jsonl')}; ${trainSpecs.length} adapters to train, ${evalJobs.length} rows to compute on ${workers} worker${workers > 1 ? 's' : ''}`);
  onEvent?.({
    type: 'plan', experiment: exp.name, outDir, adapters: size.adapters, evaluations: size.evaluations, devices: size.devices,
    stored: store.rows().length, toTrain: trainSpecs.length, toCompute: evalJobs.length, workers,
  });
  lap('plan');

  // Hardware rows of one chip go to the worker that programmed it (each keeps one chip).
  const affinity = (job: unknown) => {
    const j = job as Job;
    return j.kind === 'evaluate' ? chipOf(j.spec) : null;
  };
  const pool = workers > 1
    ? new WorkerPool<Job, JobRow | TrainingRecord>({
      workers, affinity, workerData: { experimentFile: loaded.file, fromFile: loaded.fromFile, experiment: exp, outDir, backend: options.backend, events: Boolean(onEvent) },
      ...(onEvent ? { onEvent: (e: unknown) => onJobEvent(e as JobEvent) } : {}),
    })
    : null;
  // A result that arrives after the signal aborted is dropped: nothing is recorded after an abort.
  const run = async (jobs: Job[], onResult: (r: JobRow | TrainingRecord, i: number) => void) => {
    const record = (r: JobRow | TrainingRecord, i: number) => {
      signal?.throwIfAborted();
      onResult(r, i);
    };
    if (pool) return abortable(pool.run(jobs, record), signal);
    for (let i = 0; i < jobs.length; i++) {
      signal?.throwIfAborted();
      record(await runJob(ctx, jobs[i]), i);
    }
  };
  try {
    // ---- train
    const cachedBefore = p.adapters.length - trainSpecs.length;
    const trainJobs: Job[] = trainSpecs.map((spec) => ({ kind: 'train', spec }));
    const trained = counter('train', trainJobs.length, progress);
    await run(trainJobs, (r) => {
      const rec = r as TrainingRecord;
      trained(rec.label);
      onEvent?.({ type: 'adapterTrained', key: rec.key, label: rec.label, record: rec });
      log(`train: ${rec.label}: ${rec.trainableParams} trainable parameters, ${rec.seconds.toFixed(1)} s, ${JSON.stringify(rec.final)}`);
      if (rec.sigma) log(`train: ${rec.label}: σ/σ_target = ${rec.sigma.meanRatio.toFixed(2)}${rec.sigma.warning ? ` — warning: ${rec.sigma.warning}` : ''}`);
    });
    lap('train');

    // ---- merge → program → evaluate → record (rows appended in plan order)
    const jobs = evalJobs;
    const skipped = p.devices.length + p.evaluations.length - jobs.length;
    const evalStart = performance.now();
    const jobSeconds = { merge: 0, program: 0, evaluate: 0 };
    const evaluated = counter('evaluate', jobs.length, progress);
    let rowsDone = 0;
    await run(jobs, (r) => {
      const row = { ...(r as JobRow), ...provenance, timestamp: new Date().toISOString() } as ResultRow;
      store.append(row);
      if (row.phaseMs) for (const k of ['merge', 'program', 'evaluate'] as const) jobSeconds[k] += row.phaseMs[k] / 1000;
      onEvent?.({ type: 'rowWritten', row, done: ++rowsDone, total: jobs.length });
      evaluated(`${row.key}${typeof row.metric === 'number' ? ` → ${row.metricName} ${row.metric.toFixed(4)}` : ''}`);
    });
    const evalMinutes = (performance.now() - evalStart) / 60000;
    lap('evaluate');

    // ---- report
    signal?.throwIfAborted();
    const report = await buildReport([...store.rows()], outDir, exp.name, { log });
    lap('report');
    const summary: RunSummary = {
      experiment: exp.name, outDir, adaptersTrained: trainJobs.length, adaptersCached: cachedBefore, rowsWritten: jobs.length, rowsSkipped: skipped,
      rowsStale: stale.size, rowsNotInPlan: notInPlan.size, rowsPruned,
      recovered, seconds, evaluationsPerMinute: jobs.length / Math.max(evalMinutes, 1e-9), workers, jobSeconds, report,
    };
    writeJsonAtomic(join(outDir, 'run.json'), { ...summary, report: undefined });
    onEvent?.({ type: 'done', summary });
    return summary;
  } finally {
    await pool?.close();
    if (chipSpec) releaseChip();
  }
}

/**
 * `grasp-hil report <experiment>`: rebuilds the report from the rows alone; the folder must stay inside
 * the reports root. With `compareTo`, the same rows are compared with that arm instead of the
 * experiment's baseline, in a folder of its own (reports/<name>-vs-<arm>/), so the run's report keeps
 * the experiment's comparison.
 */
export async function reportExperiment(nameOrFile: string, reportsDir = 'reports', options: { compareTo?: string } = {}): Promise<{ report: ReportResult; warnings: string[] }> {
  const name = nameOrFile.endsWith('.json') ? loadExperiment(nameOrFile).experiment.name : nameOrFile;
  const file = join(insideRoot(reportsDir, name, 'report name'), 'results.jsonl');
  const { rows, warnings } = ResultStore.read(file);
  return { report: await reportRows(rows, reportsDir, name, file, options.compareTo), warnings };
}

/** The report of an experiment's rows, against the experiment's baseline or (`compareTo`) another arm. */
export function reportRows(rows: ResultRow[], reportsDir: string, name: string, source: string, compareTo?: string): Promise<ReportResult> {
  if (compareTo === undefined) return buildReport(rows, insideRoot(reportsDir, name, 'report name'), name);
  const rebased = withBaseline(rows, compareTo, `${source}: --compare-to`);
  const folder = `${name}-vs-${compareTo.replace(/[^A-Za-z0-9._-]/g, '_')}`;
  return buildReport(rebased, insideRoot(reportsDir, folder, 'report name'), `${name}, compared with ${compareTo}`);
}
