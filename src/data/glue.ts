/**
 * The eight GLUE tasks the GRASP paper reports, read from the standard GLUE TSV files
 * (the layout of the GLUE download script: <glue_data>/<Folder>/{train,dev}.tsv, MNLI with
 * dev_matched.tsv and dev_mismatched.tsv).
 *
 * Columns are found by header name (QQP and MNLI put their texts at different positions; MNLI's
 * train has 12 columns and its dev files 16, the label being `gold_label`). CoLA's train and dev
 * have no header: source, label, original label, sentence.
 *
 * Labels follow Hugging Face `datasets` GLUE ids. Metrics: every official GLUE metric of the task;
 * the primary metric (model selection, results tables) is the one the GRASP paper reports: MCC for
 * CoLA, Pearson for STS-B, accuracy for the others (MNLI: matched).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { MetricName } from './metric-names.js';
import { checkLabel, registerTask, type Example, type Task, type TaskData, type TaskLoadOptions } from './task.js';
import { columnsOf, readTsv, type TsvFile } from './tsv.js';

interface GlueSpec {
  id: string;
  folder: string;
  description: string;
  /** Header names of text A, text B (pairs) and the label; null: CoLA's headerless layout. */
  columns: { a: string; b?: string; label: string } | null;
  /** Label strings as they appear in the files, in label-id order; null for regression. */
  labelValues: string[] | null;
  labels: string[];
  metrics: MetricName[];
  primaryMetric: MetricName;
  /** Evaluation split name → file. */
  evalFiles: Record<string, string>;
  /** Regression: the range of the gold scores. */
  scoreRange?: [number, number];
  /** Rows with too few fields are skipped (as the reference GLUE processors do for QQP). */
  skipShortRows?: boolean;
}

const SPECS: GlueSpec[] = [
  {
    id: 'cola', folder: 'CoLA', description: 'CoLA: grammatical acceptability (single sentence)',
    columns: null, labelValues: ['0', '1'], labels: ['unacceptable', 'acceptable'],
    metrics: ['mcc', 'accuracy'], primaryMetric: 'mcc', evalFiles: { validation: 'dev.tsv' },
  },
  {
    id: 'sst2', folder: 'SST-2', description: 'SST-2: movie review sentiment (single sentence)',
    columns: { a: 'sentence', label: 'label' }, labelValues: ['0', '1'], labels: ['negative', 'positive'],
    metrics: ['accuracy'], primaryMetric: 'accuracy', evalFiles: { validation: 'dev.tsv' },
  },
  {
    id: 'mrpc', folder: 'MRPC', description: 'MRPC: paraphrase (sentence pair)',
    columns: { a: '#1 String', b: '#2 String', label: 'Quality' }, labelValues: ['0', '1'], labels: ['not_equivalent', 'equivalent'],
    metrics: ['accuracy', 'f1'], primaryMetric: 'accuracy', evalFiles: { validation: 'dev.tsv' },
  },
  {
    id: 'stsb', folder: 'STS-B', description: 'STS-B: semantic similarity score 0–5 (sentence pair, regression)',
    columns: { a: 'sentence1', b: 'sentence2', label: 'score' }, labelValues: null, labels: [], scoreRange: [0, 5],
    metrics: ['pearson', 'spearman'], primaryMetric: 'pearson', evalFiles: { validation: 'dev.tsv' },
  },
  {
    id: 'qqp', folder: 'QQP', description: 'QQP: duplicate questions (question pair)',
    columns: { a: 'question1', b: 'question2', label: 'is_duplicate' }, labelValues: ['0', '1'], labels: ['not_duplicate', 'duplicate'],
    metrics: ['accuracy', 'f1'], primaryMetric: 'accuracy', evalFiles: { validation: 'dev.tsv' }, skipShortRows: true,
  },
  {
    id: 'mnli', folder: 'MNLI', description: 'MNLI: natural language inference (premise, hypothesis)',
    columns: { a: 'sentence1', b: 'sentence2', label: 'gold_label' }, labelValues: ['entailment', 'neutral', 'contradiction'],
    labels: ['entailment', 'neutral', 'contradiction'], metrics: ['accuracy'], primaryMetric: 'accuracy',
    evalFiles: { validation_matched: 'dev_matched.tsv', validation_mismatched: 'dev_mismatched.tsv' },
  },
  {
    id: 'qnli', folder: 'QNLI', description: 'QNLI: question answering entailment (question, sentence)',
    columns: { a: 'question', b: 'sentence', label: 'label' }, labelValues: ['entailment', 'not_entailment'],
    labels: ['entailment', 'not_entailment'], metrics: ['accuracy'], primaryMetric: 'accuracy', evalFiles: { validation: 'dev.tsv' },
  },
  {
    id: 'rte', folder: 'RTE', description: 'RTE: textual entailment (sentence pair)',
    columns: { a: 'sentence1', b: 'sentence2', label: 'label' }, labelValues: ['entailment', 'not_entailment'],
    labels: ['entailment', 'not_entailment'], metrics: ['accuracy'], primaryMetric: 'accuracy', evalFiles: { validation: 'dev.tsv' },
  },
];

/** The folder holding the task's files: `dir` itself or `dir/<Folder>`. */
function taskDir(spec: GlueSpec, dir: string): string {
  if (existsSync(join(dir, 'train.tsv'))) return dir;
  const sub = join(dir, spec.folder);
  if (existsSync(sub)) return sub;
  throw new Error(`GLUE ${spec.id}: no train.tsv in ${dir} or ${sub}; pass the ${spec.folder} folder of the GLUE data (or the folder above it) as the data directory`);
}

function parseLabel(spec: GlueSpec, task: Task, raw: string, where: string): number {
  const v = raw.trim();
  if (spec.labelValues === null) {
    const score = Number(v);
    if (v === '' || !Number.isFinite(score)) throw new Error(`${where}: score '${raw}' is not a finite number (GLUE ${spec.id} scores lie in [${spec.scoreRange?.join(', ')}])`);
    checkLabel(task, score, where);
    return score;
  }
  const id = spec.labelValues.indexOf(v);
  if (id < 0) throw new Error(`${where}: label '${raw}' is not one of GLUE ${spec.id}'s labels (${spec.labelValues.join(', ')})`);
  return id;
}

function examplesOf(spec: GlueSpec, task: Task, file: TsvFile): Example[] {
  const out: Example[] = [];
  if (spec.columns === null) {
    // CoLA: source, label, original label (or '*'), sentence; no header.
    for (const { line, fields } of file.rows) {
      const where = `${file.path}:${line}`;
      if (fields.length !== 4) {
        throw new Error(`${where}: not a GLUE CoLA row: expected 4 tab-separated columns (source, label, original label, sentence) without a header, found ${fields.length}`);
      }
      out.push({ input: fields[3], label: parseLabel(spec, task, fields[1], where), source: where });
    }
    return nonEmpty(out, file);
  }
  const names = [spec.columns.a, ...(spec.columns.b ? [spec.columns.b] : []), spec.columns.label];
  const idx = columnsOf(file, names, spec.id);
  const need = Math.max(...idx) + 1;
  for (const { line, fields } of file.rows) {
    const where = `${file.path}:${line}`;
    if (fields.length < need) {
      if (spec.skipShortRows) continue;
      throw new Error(`${where}: ${fields.length} columns, the header has ${file.header!.length}`);
    }
    const label = parseLabel(spec, task, fields[idx[idx.length - 1]], where);
    const input = spec.columns.b ? ([fields[idx[0]], fields[idx[1]]] as const) : fields[idx[0]];
    out.push({ input, label, source: where });
  }
  return nonEmpty(out, file);
}

/** A split with no examples is an error naming the file (a header-only or empty TSV). */
function nonEmpty(out: Example[], file: TsvFile): Example[] {
  if (out.length > 0) return out;
  const what = file.header ? `only a header (line ${file.headerLine}) and no data rows` : 'no data rows';
  throw new Error(`${file.path}:${file.headerLine || 1}: ${what}; a GLUE split needs at least one example`);
}

function glueTask(spec: GlueSpec): Task {
  const task: Task = {
    id: spec.id,
    description: spec.description,
    kind: spec.labelValues === null ? 'regression' : 'classification',
    labels: spec.labels,
    metrics: spec.metrics,
    primaryMetric: spec.primaryMetric,
    ...(spec.scoreRange ? { scoreRange: spec.scoreRange } : {}),
    evalSplits: Object.keys(spec.evalFiles),
    needsDataDir: true,
    load(options: TaskLoadOptions = {}): TaskData {
      if (!options.dataDir) throw new Error(`GLUE ${spec.id} needs its data folder (the GLUE ${spec.folder} TSV files); pass a data directory`);
      const dir = taskDir(spec, options.dataDir);
      const read = (name: string) => examplesOf(spec, task, readTsv(join(dir, name), spec.columns !== null));
      const train = read('train.tsv');
      const evaluation: Record<string, Example[]> = {};
      for (const [split, file] of Object.entries(spec.evalFiles)) evaluation[split] = read(file);
      return { train, evaluation };
    },
  };
  return task;
}

for (const spec of SPECS) registerTask(glueTask(spec));

export const GLUE_TASK_IDS = SPECS.map((s) => s.id);
