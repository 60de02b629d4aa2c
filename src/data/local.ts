/**
 * A local GLUE-style classification task: a folder the user brings instead of a registered task.
 *
 *   <dir>/train.tsv   required
 *   <dir>/dev.tsv     evaluation split 'validation'
 *   <dir>/test.tsv    evaluation split 'test' — ignored when it has no label column (GLUE's own
 *                     test files are unlabelled); at least one evaluation split must remain
 *
 * Each file is read as GLUE's are (tsv.ts: tab-separated, no quoting, a header line) and needs a
 * `sentence` column, or `sentence1` and `sentence2` for sentence pairs, and a `label` column.
 * Classes are the distinct labels of all splits: integers in numeric order when every label is an
 * integer (so 0/1 files keep their ids), otherwise names in alphabetical (code-unit) order. Metrics:
 * accuracy (primary) and macro-F1. The task id is `tsv:<folder name>`; it names the subset streams
 * (`tsv:<name>/train`) and the rows' `task` field.
 */
import { existsSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { getTask, type Example, type Task, type TaskData } from './task.js';
import { columnsOf, readTsv, type TsvFile } from './tsv.js';

/** The files of a local task folder: split name → file name, the first the training split. */
export const LOCAL_TASK_FILES = { train: 'train.tsv', validation: 'dev.tsv', test: 'test.tsv' } as const;

const EXPECTED = 'a header with a `sentence` column (or `sentence1` and `sentence2`) and a `label` column';

/** Text columns of a file: sentence, or sentence1 + sentence2. */
function textColumns(file: TsvFile): string[] {
  const h = file.header ?? [];
  if (h.includes('sentence')) return ['sentence'];
  if (h.includes('sentence1') && h.includes('sentence2')) return ['sentence1', 'sentence2'];
  throw new Error(`${file.path}:${file.headerLine || 1}: no text column: expected ${EXPECTED}; found ${h.join(', ') || 'no header'}`);
}

/** Raw (text, label string) rows of a file, with their `file:line`. */
function rawRows(file: TsvFile): { input: Example['input']; label: string; source: string }[] {
  const names = [...textColumns(file), 'label'];
  const idx = columnsOf(file, names, `classification (${EXPECTED})`);
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
  const integers = set.every((l) => /^-?\d+$/.test(l));
  return integers ? set.sort((a, b) => Number(a) - Number(b)) : set.sort();
}

/** Reads a local task folder; every problem names the file (and line) and what was expected. */
export function loadLocalTask(dir: string): { task: Task; data: TaskData } {
  const root = resolve(dir);
  if (!existsSync(root) || !statSync(root).isDirectory()) {
    throw new Error(`${root}: not a folder; expected a task folder with train.tsv and dev.tsv and/or test.tsv (${EXPECTED})`);
  }
  const train = join(root, LOCAL_TASK_FILES.train);
  if (!existsSync(train)) throw new Error(`${root}: no train.tsv; a local task needs train.tsv and dev.tsv and/or test.tsv (${EXPECTED})`);
  const splits = new Map<string, ReturnType<typeof rawRows>>();
  splits.set('train', rawRows(readTsv(train, true)));
  for (const split of ['validation', 'test'] as const) {
    const path = join(root, LOCAL_TASK_FILES[split]);
    if (!existsSync(path)) continue;
    const file = readTsv(path, true);
    if (split === 'test' && !(file.header ?? []).includes('label')) continue; // GLUE's unlabelled test file
    splits.set(split, rawRows(file));
  }
  if (splits.size === 1) throw new Error(`${root}: no evaluation split; add dev.tsv or a labelled test.tsv (${EXPECTED})`);
  const classes = classesOf([...splits.values()].flatMap((rows) => rows.map((r) => r.label)));
  if (classes.length < 2) throw new Error(`${train}: every example has the label '${classes[0]}'; a classification task needs at least two classes`);
  const examples = (rows: ReturnType<typeof rawRows>): Example[] => rows.map((r) => ({ input: r.input, label: classes.indexOf(r.label), source: r.source }));
  const evaluation: Record<string, Example[]> = {};
  for (const [split, rows] of splits) if (split !== 'train') evaluation[split] = examples(rows);
  const task: Task = {
    id: `tsv:${basename(root)}`,
    description: `local task ${root} (${classes.length} classes: ${classes.join(', ')})`,
    kind: 'classification',
    labels: classes,
    metrics: ['accuracy', 'macro_f1'],
    primaryMetric: 'accuracy',
    evalSplits: Object.keys(evaluation),
    needsDataDir: false,
    load: () => ({ train: examples(splits.get('train')!), evaluation }),
  };
  return { task, data: task.load() };
}

/**
 * A task named on a command line (`--task`): a registered id first (GLUE ids read `dataDir`), else a
 * local task folder at that path; neither is an error listing both forms.
 */
export function taskFromArg(idOrDir: string, dataDir?: string): { task: Task; data: TaskData } {
  let task: Task;
  try {
    task = getTask(idOrDir);
  } catch (e) {
    if (existsSync(idOrDir) && statSync(idOrDir).isDirectory()) return loadLocalTask(idOrDir);
    throw new Error(`--task: ${(e as Error).message}; or give a local task folder (train.tsv and dev.tsv/test.tsv with sentence and label columns)`);
  }
  return { task, data: task.load({ dataDir }) };
}
