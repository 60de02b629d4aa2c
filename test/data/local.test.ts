/**
 * Local GLUE-style task folders (src/data/local.ts): classes from the labels (integers numerically,
 * names alphabetically), sentence pairs, GLUE's unlabelled test.tsv left out, and errors naming the
 * file, the line and what was expected.
 */
import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadLocalTask } from '../../src/data/index.js';

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
});
