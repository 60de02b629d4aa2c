/**
 * Local GLUE-style task folders (src/data/local.ts): classes from the labels (integers numerically,
 * names alphabetically), sentence pairs, GLUE's unlabelled test.tsv left out, regression folders
 * (`type: 'regression'`: real-valued scores, STS-B's metrics), and errors naming the file, the line
 * and what was expected.
 */
import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadLocalTask, numOutputs, taskFromArg } from '../../src/data/index.js';

const root = mkdtempSync(join(tmpdir(), 'local-task-'));
function folder(name: string, files: Record<string, string>): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  for (const [f, text] of Object.entries(files)) writeFileSync(join(dir, f), text);
  return dir;
}

describe('local task folders', () => {
  it('the shipped test folder: three classes 0/1/2, dev.tsv as validation, the unlabelled test.tsv left out', () => {
    const { task, data } = loadLocalTask(fileURLToPath(new URL('../fixtures/tasks/tiny-sentiment', import.meta.url)));
    expect(task.id).toBe('tsv:tiny-sentiment');
    expect(task.labels).toEqual(['0', '1', '2']);
    expect(Object.keys(data.evaluation)).toEqual(['validation']);
    expect(data.train).toHaveLength(24);
    expect(data.train[0]).toEqual({ input: 'world cat sat.', label: 0, source: expect.stringMatching(/train.tsv:2$/) });
    expect(data.evaluation.validation).toHaveLength(12);
  });

  it('integer labels in numeric order (10 after 9), names alphabetically; sentence pairs; a labelled test.tsv is a split', () => {
    const ints = loadLocalTask(folder('ints', { 'train.tsv': 'sentence\tlabel\na\t10\nb\t9\nc\t-1\n', 'dev.tsv': 'sentence\tlabel\nd\t9\n' }));
    expect(ints.task.labels).toEqual(['-1', '9', '10']);
    expect(ints.data.train.map((e) => e.label)).toEqual([2, 1, 0]);
    const names = loadLocalTask(folder('names', {
      'train.tsv': 'id\tsentence1\tsentence2\tlabel\n1\ta\tb\tneutral\n2\tc\td\tentailment\n',
      'test.tsv': 'id\tsentence1\tsentence2\tlabel\n3\te\tf\tcontradiction\n',
    }));
    expect(names.task.labels).toEqual(['contradiction', 'entailment', 'neutral']);
    expect(names.data.train[0]).toMatchObject({ input: ['a', 'b'], label: 2 });
    expect(names.data.evaluation.test[0]).toMatchObject({ input: ['e', 'f'], label: 0 });
  });

  it('errors name the folder or file, the line and what was expected', () => {
    expect(() => loadLocalTask(join(root, 'nope'))).toThrow(`${join(root, 'nope')}: not a folder; expected a task folder with train.tsv`);
    expect(() => loadLocalTask(folder('empty', {}))).toThrow(/empty: no train.tsv; a local task needs train.tsv and dev.tsv and\/or test.tsv/);
    expect(() => loadLocalTask(folder('no-eval', { 'train.tsv': 'sentence\tlabel\na\t0\nb\t1\n' }))).toThrow(/no-eval: no evaluation split; add dev.tsv or a labelled test.tsv/);
    expect(() => loadLocalTask(folder('no-text', { 'train.tsv': 'text\tlabel\na\t0\n', 'dev.tsv': 'sentence\tlabel\na\t0\n' }))).toThrow(/no-text\/train.tsv:1: no text column: expected a header with a `sentence` column .*; found text, label/);
    expect(() => loadLocalTask(folder('short', { 'train.tsv': 'sentence\tlabel\na\t0\nb\n', 'dev.tsv': 'sentence\tlabel\na\t0\n' }))).toThrow(/short\/train.tsv:3: 1 columns, the header \(line 1\) has 2/);
    expect(() => loadLocalTask(folder('one-class', { 'train.tsv': 'sentence\tlabel\na\t0\n', 'dev.tsv': 'sentence\tlabel\nb\t0\n' }))).toThrow(/every example has the label '0'; a classification task needs at least two classes/);
  });

  const sts = fileURLToPath(new URL('../fixtures/tasks/tiny-sts', import.meta.url));

  it('a regression folder: real-valued scores as labels, one output, Pearson (primary) and Spearman as GLUE STS-B', () => {
    const { task, data } = loadLocalTask(sts, { type: 'regression' });
    expect(task).toMatchObject({ id: 'tsv:tiny-sts', kind: 'regression', labels: [], metrics: ['pearson', 'spearman'], primaryMetric: 'pearson', evalSplits: ['validation'] });
    expect(task.scoreRange).toBeUndefined();
    expect(numOutputs(task)).toBe(1);
    expect(data.train).toHaveLength(32);
    expect(data.train[0]).toEqual({ input: ['ran the hello big a.', 'ran the hello hello a.'], label: 3.91, source: expect.stringMatching(/tiny-sts\/train.tsv:2$/) });
    expect(data.evaluation.validation.map((e) => e.label).slice(0, 4)).toEqual([2.38, 0.48, 3.06, 0]);
    expect(loadLocalTask(sts, { type: 'regression', scoreRange: [0, 5] }).task.scoreRange).toEqual([0, 5]);
    // The command line's form: a folder with --task-type.
    expect(taskFromArg(sts, undefined, 'regression').task.kind).toBe('regression');
    expect(() => taskFromArg('stsb', undefined, 'classification')).toThrow("--task-type classification: task 'stsb' is a registered regression task; --task-type applies to local task folders only");
  });

  it('type is declared, not guessed: scores read as classes are refused with the fix; a few non-integer classes are fine', () => {
    expect(() => loadLocalTask(sts)).toThrow(`${sts}: the label column holds 43 distinct non-integer numbers (0.00, 0.11, 0.13, …), which look like scores, not classes; for a regression task (STS-B style) set "type": "regression" in the experiment's task block (on the command line: --task-type regression)`);
    const halves = loadLocalTask(folder('halves', { 'train.tsv': 'sentence\tlabel\na\t0.5\nb\t1.5\n', 'dev.tsv': 'sentence\tlabel\nc\t1.5\n' }));
    expect(halves.task).toMatchObject({ kind: 'classification', labels: ['0.5', '1.5'] });
  });

  it('regression errors name the file and line: a label that is not a number, a score outside scoreRange, constant scores', () => {
    const bad = folder('bad-score', { 'train.tsv': 'sentence\tlabel\na\t1.5\nb\t2\n', 'dev.tsv': 'sentence\tlabel\nc\t0.5\nd\thigh\n' });
    expect(() => loadLocalTask(bad, { type: 'regression' })).toThrow(`${join(bad, 'dev.tsv')}:3: label 'high' is not a number; a regression task needs a real-valued score in every row's label column (or leave "type" unset for classes)`);
    const out = folder('out-of-range', { 'train.tsv': 'sentence\tlabel\na\t1.5\nb\t5.5\n', 'dev.tsv': 'sentence\tlabel\nc\t0.5\n' });
    expect(() => loadLocalTask(out, { type: 'regression', scoreRange: [0, 5] })).toThrow(`${join(out, 'train.tsv')}:3: score 5.5 is outside the task's scoreRange [0, 5]`);
    expect(() => loadLocalTask(out, { scoreRange: [0, 5] })).toThrow(/scoreRange applies to regression tasks only/);
    const flat = folder('flat', { 'train.tsv': 'sentence\tlabel\na\t2.5\nb\t2.5\n', 'dev.tsv': 'sentence\tlabel\nc\t1\n' });
    expect(() => loadLocalTask(flat, { type: 'regression' })).toThrow(`${join(flat, 'train.tsv')}: every example has the score 2.5; a regression task needs scores that vary`);
    expect(() => loadLocalTask(folder('no-label', { 'train.tsv': 'sentence\tscore\na\t1\n', 'dev.tsv': 'sentence\tlabel\nc\t1\n' }), { type: 'regression' })).toThrow(/train.tsv:1: not a GLUE regression \(a header with/);
  });
});
