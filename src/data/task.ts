/**
 * Tasks: a registry of labelled text data sets with fixed splits and their official metrics.
 * A task is one `registerTask` call in its own file; nothing switches over task ids.
 *
 * Two kinds share the registry: label tasks (`Task`: classification, regression; a head on the
 * encoder or decoder) and generation tasks (`GenerationTask`: prompt → text with a causal LM, scored
 * with the NLG metrics). `getTask` returns label tasks only and names `getAnyTask` for the others,
 * so code written for labels never meets a generation task by accident.
 */
import type { MetricName, NlgMetricName } from './metric-names.js';
import { Registry } from '../base/registry.js';
import { Rng } from '../tensor/rng.js';

/** One input: a text or a text pair. */
export type TaskInput = string | readonly [string, string];

export interface Example {
  input: TaskInput;
  /** Class index (classification) or score (regression); 0 for generation tasks. */
  label: number;
  /** Generation tasks: every reference text of this input (a meaning representation). */
  references?: readonly string[];
  /** Where it came from, for error messages and document-level splits (`file:line`, document id). */
  source?: string;
}

export interface TaskData {
  train: Example[];
  /** Evaluation sets by split name, the first being the one used for model selection. */
  evaluation: Record<string, Example[]>;
}

export interface TaskLoadOptions {
  /** Folder with the task's files (GLUE: the task folder or the glue_data folder above it). */
  dataDir?: string;
}

export interface Task {
  /** Registry id (`sst2`, `mnli`, `brown-genre`, …). */
  readonly id: string;
  readonly description: string;
  readonly kind: 'classification' | 'regression';
  /** Class names in label order (empty for regression). */
  readonly labels: readonly string[];
  /** Every metric reported for the task, and the one used for model selection. */
  readonly metrics: readonly MetricName[];
  readonly primaryMetric: MetricName;
  /** Names of the evaluation splits `load` returns, in order. */
  readonly evalSplits: readonly string[];
  /** Regression only: the range every score must lie in, inclusive (STS-B: [0, 5]). */
  readonly scoreRange?: readonly [number, number];
  /** Whether `load` needs `dataDir`. */
  readonly needsDataDir: boolean;
  load(options?: TaskLoadOptions): TaskData;
}

/** A data-to-text task: `input` is the prompt (an MR), `references` the texts it should produce. */
export interface GenerationTask {
  readonly id: string;
  readonly description: string;
  readonly kind: 'generation';
  /** The NLG metrics reported (src/eval/nlg), and the one used for model selection. */
  readonly metrics: readonly NlgMetricName[];
  readonly primaryMetric: NlgMetricName;
  readonly evalSplits: readonly string[];
  readonly needsDataDir: boolean;
  load(options?: TaskLoadOptions): TaskData;
}

export type AnyTask = Task | GenerationTask;

export const isGenerationTask = (t: AnyTask): t is GenerationTask => t.kind === 'generation';

/** Number of outputs of a task's head: classes, or 1 for regression. */
export function numOutputs(task: Task): number {
  return task.kind === 'regression' ? 1 : task.labels.length;
}

const registry = new Registry<AnyTask>('task', 'tasks');

/** Adds a task; a second task with the same id is an error. */
export function registerTask<T extends AnyTask>(task: T): T {
  registry.add(task.id, task);
  return task;
}

/** The label task with `id`; an unknown id lists the known ones, a generation task says where it works. */
export function getTask(id: string): Task {
  const t = getAnyTask(id);
  if (isGenerationTask(t)) {
    throw new Error(`task '${t.id}' is a generation task (prompt → text); it runs in experiments (grasp-hil run), not with a classification head`);
  }
  return t;
}

/** The task (label or generation) with `id`; an unknown id lists the known ones. */
export function getAnyTask(id: string): AnyTask {
  const t = registry.find(id) ?? registry.find(id.toLowerCase().replace(/[_ ]/g, '-').replace(/^sst-2$/, 'sst2').replace(/^sts-b$/, 'stsb'));
  if (!t) throw new Error(registry.unknownMessage(id));
  return t;
}

/** Label tasks (classification, regression). */
export function listTasks(): Task[] {
  return [...registry.values()].filter((t): t is Task => !isGenerationTask(t));
}

/** Every registered task, generation tasks included. */
export function listAnyTasks(): AnyTask[] {
  return [...registry.values()];
}

/** Throws unless `label` is one of the task's classes (or, for regression, a finite score within `scoreRange`). */
export function checkLabel(task: Pick<Task, 'id' | 'kind' | 'labels' | 'scoreRange'>, label: number, where: string): void {
  if (task.kind === 'regression') {
    if (!Number.isFinite(label)) throw new Error(`${where}: score '${label}' is not a finite number (task ${task.id})`);
    const r = task.scoreRange;
    if (r && (label < r[0] || label > r[1])) throw new Error(`${where}: score ${label} is outside task ${task.id}'s range [${r[0]}, ${r[1]}]`);
    return;
  }
  if (!Number.isInteger(label) || label < 0 || label >= task.labels.length) {
    throw new Error(`${where}: label ${label} is outside task ${task.id}'s classes 0..${task.labels.length - 1} (${task.labels.join(', ')})`);
  }
}

/**
 * A deterministic document-level split: `key` → 'train' | 'validation' | 'test' by FNV-1a hash,
 * or by position when `index` is given (index mod 10: 8 → validation, 4 and 9 → test, else train).
 */
export type SplitName = 'train' | 'validation' | 'test';

export function splitOfIndex(index: number): SplitName {
  const r = index % 10;
  return r === 8 ? 'validation' : r === 4 || r === 9 ? 'test' : 'train';
}

/**
 * A fixed seeded subset of n examples (the order shuffled once with seed 0 and stream `subset/<tag>`),
 * so a capped set keeps every class even when the split is ordered by label. All examples, in their
 * order, when n is unset or not smaller than the set; n = 0, a fraction or NaN is an error (0 never means "all"). The trainer and the experiment runner use it
 * with tags `<task>/<split>`, so both see the same examples.
 */
export function seededSubset(examples: readonly Example[], n: number | undefined, tag: string): Example[] {
  if (n !== undefined && (!Number.isInteger(n) || n < 1)) {
    throw new Error(`subset of ${tag}: the number of examples must be an integer ≥ 1 (leave it unset for every example), got ${n}`);
  }
  if (n === undefined || n >= examples.length) return [...examples];
  const order = new Rng(0, `subset/${tag}`).permutation(examples.length);
  return Array.from(order.subarray(0, n), (i) => examples[i]);
}
