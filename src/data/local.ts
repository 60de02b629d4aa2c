/**
 * A local GLUE-style task: a folder the user brings instead of a registered task.
 *
 *   <dir>/train.tsv   required
 *   <dir>/dev.tsv     evaluation split 'validation'
 *   <dir>/test.tsv    evaluation split 'test' — ignored when it has no label column (GLUE's own
 *                     test files are unlabelled); at least one evaluation split must remain
 *
 * Each file is read as GLUE's are (tsv.ts: tab-separated, no quoting, a header line) and needs a
 * `sentence` column, or `sentence1` and `sentence2` for sentence pairs, and a `label` column.
 * The task id is `tsv:<folder name>`; it names the subset streams (`tsv:<name>/train`) and the rows'
 * `task` field. What the labels are is declared, never guessed (`type`, default classification):
 *
 *   classification  classes are the distinct labels of all splits: integers in numeric order when
 *                   every label is an integer (so 0/1 files keep their ids), otherwise names in
 *                   alphabetical (code-unit) order. Metrics: accuracy (primary) and macro-F1. More
 *                   than MAX_NUMERIC_CLASSES distinct non-integer numbers (STS-B-like scores) is an
 *                   error that names `"type": "regression"`.
 *   regression      every label is a real number (STS-B style, e.g. 0–5): a head with one output,
 *                   mean-squared-error training, metrics Pearson r (primary) and Spearman ρ, as GLUE's
 *                   STS-B. An optional `scoreRange` [lo, hi] is checked on every row.
 */
import { existsSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { getTask, type Example, type Task, type TaskData } from './task.js';
import { columnsOf, readTsv, type TsvFile } from './tsv.js';

/** The files of a local task folder: split name → file name, the first the training split. */
export const LOCAL_TASK_FILES = { train: 'train.tsv', validation: 'dev.tsv', test: 'test.tsv' } as const;

/** What a folder's labels are: class names (the default) or real-valued scores. */
export type LocalTaskType = 'classification' | 'regression';

export interface LocalTaskOptions {
  /** Default 'classification'. */
  type?: LocalTaskType;
  /** Regression only: the range every score must lie in, inclusive (STS-B: [0, 5]); unchecked when absent. */
  scoreRange?: readonly [number, number];
}

/** A classification folder with more distinct non-integer numeric labels than this is refused as a likely regression task. */
export const MAX_NUMERIC_CLASSES = 20;

const EXPECTED = 'a header with a `sentence` column (or `sentence1` and `sentence2`) and a `label` column';
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const INTEGER = /^[+-]?\d+$/;
const REGRESSION_HINT = 'set "type": "regression" in the experiment\'s task block (on the command line: --task-type regression)';

/** Text columns of a file: sentence, or sentence1 + sentence2. */
function textColumns(file: TsvFile): string[] {
  const h = file.header ?? [];
  if (h.includes('sentence')) return ['sentence'];
  if (h.includes('sentence1') && h.includes('sentence2')) return ['sentence1', 'sentence2'];
  throw new Error(`${file.path}:${file.headerLine || 1}: no text column: expected ${EXPECTED}; found ${h.join(', ') || 'no header'}`);
}

type RawRow = { input: Example['input']; label: string; source: string };

/** Raw (text, label string) rows of a file, with their `file:line`. */
function rawRows(file: TsvFile, type: LocalTaskType): RawRow[] {
  const names = [...textColumns(file), 'label'];
  const idx = columnsOf(file, names, `${type} (${EXPECTED})`);
  const need = Math.max(...idx) + 1;
  const out = file.rows.map(({ line, fields }) => {
    const where = `${file.path}:${line}`;
    if (fields.length < need) throw new Error(`${where}: ${fields.length} columns, the header (line ${file.headerLine}) has ${file.header!.length}`);
    const label = fields[idx[idx.length - 1]].trim();
    if (label === '') throw new Error(`${where}: empty label`);
    const input = names.length === 3 ? ([fields[idx[0]], fields[idx[1]]] as const) : fields[idx[0]];
    return { input, label, source: where };
  });
  if (!out.length) throw new Error(`${file.path}: only a header and no data rows; a split needs at least one example`);
  return out;
}

/** Classes in label order: integers numerically when all are integers, else names alphabetically. */
function classesOf(labels: Iterable<string>): string[] {
  const set = [...new Set(labels)];
  const integers = set.every((l) => INTEGER.test(l));
  return integers ? set.sort((a, b) => Number(a) - Number(b)) : set.sort();
}

/** The task and its examples when the labels are classes. */
function classificationTask(root: string, splits: Map<string, RawRow[]>): { task: Omit<Task, 'id' | 'evalSplits' | 'needsDataDir' | 'load'>; label: (r: RawRow) => number } {
  const classes = classesOf([...splits.values()].flatMap((rows) => rows.map((r) => r.label)));
  const scores = classes.filter((c) => NUMBER.test(c) && !INTEGER.test(c));
  if (scores.length > MAX_NUMERIC_CLASSES) {
    throw new Error(`${root}: the label column holds ${scores.length} distinct non-integer numbers (${scores.slice(0, 3).join(', ')}, …), which look like scores, not classes; for a regression task (STS-B style) ${REGRESSION_HINT}`);
  }
  if (classes.length < 2) throw new Error(`${join(root, LOCAL_TASK_FILES.train)}: every example has the label '${classes[0]}'; a classification task needs at least two classes`);
  return {
    task: { description: `local task ${root} (${classes.length} classes: ${classes.join(', ')})`, kind: 'classification', labels: classes, metrics: ['accuracy', 'macro_f1'], primaryMetric: 'accuracy' },
    label: (r) => classes.indexOf(r.label),
  };
}

/** The task and its examples when the labels are real-valued scores; every label is checked first. */
function regressionTask(root: string, splits: Map<string, RawRow[]>, range: readonly [number, number] | undefined): { task: Omit<Task, 'id' | 'evalSplits' | 'needsDataDir' | 'load'>; label: (r: RawRow) => number } {
  if (range && !(Number.isFinite(range[0]) && Number.isFinite(range[1]) && range[0] < range[1])) {
    throw new Error(`${root}: scoreRange [${range.join(', ')}] is not a range; expected [lo, hi] with finite lo < hi`);
  }
  const where = range ? ` within [${range[0]}, ${range[1]}]` : '';
  for (const rows of splits.values()) {
    for (const r of rows) {
      const v = Number(r.label);
      if (!NUMBER.test(r.label) || !Number.isFinite(v)) throw new Error(`${r.source}: label '${r.label}' is not a number; a regression task needs a real-valued score${where} in every row's label column (or leave "type" unset for classes)`);
      if (range && (v < range[0] || v > range[1])) throw new Error(`${r.source}: score ${v} is outside the task's scoreRange [${range[0]}, ${range[1]}]`);
    }
  }
  const train = splits.get('train')!.map((r) => Number(r.label));
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of train) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  if (lo === hi) throw new Error(`${join(root, LOCAL_TASK_FILES.train)}: every example has the score ${lo}; a regression task needs scores that vary`);
  return {
    task: {
      description: `local regression task ${root} (training scores ${lo}–${hi})`, kind: 'regression', labels: [], metrics: ['pearson', 'spearman'], primaryMetric: 'pearson',
      ...(range ? { scoreRange: [range[0], range[1]] as const } : {}),
    },
    label: (r) => Number(r.label),
  };
}

/** Reads a local task folder; every problem names the file (and line) and what was expected. */
export function loadLocalTask(dir: string, options: LocalTaskOptions = {}): { task: Task; data: TaskData } {
  const type = options.type ?? 'classification';
  const root = resolve(dir);
  if (!existsSync(root) || !statSync(root).isDirectory()) {
    throw new Error(`${root}: not a folder; expected a task folder with train.tsv and dev.tsv and/or test.tsv (${EXPECTED})`);
  }
  if (options.scoreRange && type !== 'regression') throw new Error(`${root}: scoreRange applies to regression tasks only; ${REGRESSION_HINT}, or drop scoreRange`);
  const train = join(root, LOCAL_TASK_FILES.train);
  if (!existsSync(train)) throw new Error(`${root}: no train.tsv; a local task needs train.tsv and dev.tsv and/or test.tsv (${EXPECTED})`);
  const splits = new Map<string, RawRow[]>();
  splits.set('train', rawRows(readTsv(train, true), type));
  for (const split of ['validation', 'test'] as const) {
    const path = join(root, LOCAL_TASK_FILES[split]);
    if (!existsSync(path)) continue;
    const file = readTsv(path, true);
    if (split === 'test' && !(file.header ?? []).includes('label')) continue; // GLUE's unlabelled test file
    splits.set(split, rawRows(file, type));
  }
  if (splits.size === 1) throw new Error(`${root}: no evaluation split; add dev.tsv or a labelled test.tsv (${EXPECTED})`);
  const kind = type === 'regression' ? regressionTask(root, splits, options.scoreRange) : classificationTask(root, splits);
  const examples = (rows: RawRow[]): Example[] => rows.map((r) => ({ input: r.input, label: kind.label(r), source: r.source }));
  const evaluation: Record<string, Example[]> = {};
  for (const [split, rows] of splits) if (split !== 'train') evaluation[split] = examples(rows);
  const task: Task = {
    id: `tsv:${basename(root)}`,
    ...kind.task,
    evalSplits: Object.keys(evaluation),
    needsDataDir: false,
    load: () => ({ train: examples(splits.get('train')!), evaluation }),
  };
  return { task, data: task.load() };
}

/**
 * A task named on a command line (`--task`): a registered id first (GLUE ids read `dataDir`), else a
 * local task folder at that path (`--task-type`: its labels' type); neither is an error listing both forms.
 */
export function taskFromArg(idOrDir: string, dataDir?: string, type?: LocalTaskType): { task: Task; data: TaskData } {
  let task: Task;
  try {
    task = getTask(idOrDir);
  } catch (e) {
    if (existsSync(idOrDir) && statSync(idOrDir).isDirectory()) return loadLocalTask(idOrDir, { type });
    throw new Error(`--task: ${(e as Error).message}; or give a local task folder (train.tsv and dev.tsv/test.tsv with sentence and label columns)`);
  }
  if (type !== undefined && type !== task.kind) throw new Error(`--task-type ${type}: task '${task.id}' is a registered ${task.kind} task; --task-type applies to local task folders only`);
  return { task, data: task.load({ dataDir }) };
}
