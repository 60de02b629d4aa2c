import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { getTask, GLUE_TASK_IDS } from '../../src/data/index.js';

const FIXTURES = new URL('../fixtures/glue/', import.meta.url).pathname;

describe('GLUE tasks from TSV files', () => {
  it('registers all eight tasks with their official metrics', () => {
    expect(GLUE_TASK_IDS).toEqual(['cola', 'sst2', 'mrpc', 'stsb', 'qqp', 'mnli', 'qnli', 'rte']);
    expect(getTask('cola').primaryMetric).toBe('mcc');
    expect(getTask('STS-B').metrics).toEqual(['pearson', 'spearman']);
    expect(getTask('mrpc').metrics).toEqual(['accuracy', 'f1']);
    expect(getTask('mnli').evalSplits).toEqual(['validation_matched', 'validation_mismatched']);
  });

  it('reads each task from the glue_data folder layout', () => {
    const counts: Record<string, [number, number]> = {
      cola: [5, 3], sst2: [5, 2], mrpc: [3, 2], stsb: [4, 3], qqp: [4, 3], mnli: [7, 3], qnli: [3, 2], rte: [3, 2],
    };
    for (const id of GLUE_TASK_IDS) {
      const data = getTask(id).load({ dataDir: FIXTURES });
      const first = Object.values(data.evaluation)[0];
      expect([data.train.length, first.length], id).toEqual(counts[id]);
    }
  });

  it('maps columns and labels as Hugging Face datasets does', () => {
    const cola = getTask('cola').load({ dataDir: join(FIXTURES, 'CoLA') });
    expect(cola.train[2]).toMatchObject({ input: 'They drank the pub.', label: 0 });
    const mrpc = getTask('mrpc').load({ dataDir: FIXTURES });
    expect(mrpc.train[0].label).toBe(1);
    expect((mrpc.train[0].input as readonly string[])[0]).toMatch(/^Amrozi accused/);
    const qqp = getTask('qqp').load({ dataDir: FIXTURES });
    expect(qqp.train[1]).toMatchObject({ input: ['How do I control my horny emotions?', 'How do you control your horniness?'], label: 1 });
    const mnli = getTask('mnli').load({ dataDir: FIXTURES });
    expect(mnli.train.map((e) => e.label)).toEqual([1, 0, 0, 0, 1, 0, 2]);
    expect(mnli.evaluation.validation_mismatched[0].label).toBe(2);
    expect((mnli.evaluation.validation_matched[0].input as readonly string[])[0]).toBe('The new rights are nice enough');
    const stsb = getTask('stsb').load({ dataDir: FIXTURES });
    expect(stsb.train.map((e) => e.label)).toEqual([5, 3.8, 3.8, 2.6]);
    const rte = getTask('rte').load({ dataDir: FIXTURES });
    expect(rte.train.map((e) => e.label)).toEqual([1, 0, 0]);
  });

  it('rejects files with the wrong columns or labels, naming the file and line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'glue-'));
    mkdirSync(join(dir, 'SST-2'));
    writeFileSync(join(dir, 'SST-2', 'train.tsv'), 'text\tlabel\nfine movie\t1\n');
    writeFileSync(join(dir, 'SST-2', 'dev.tsv'), 'sentence\tlabel\nfine movie\t1\n');
    expect(() => getTask('sst2').load({ dataDir: dir })).toThrow(/train\.tsv:1: not a GLUE sst2 file: missing column 'sentence'.*found text, label/);
    writeFileSync(join(dir, 'SST-2', 'train.tsv'), 'sentence\tlabel\nfine movie\t1\nbad movie\t2\n');
    expect(() => getTask('sst2').load({ dataDir: dir })).toThrow(/train\.tsv:3: label '2' is not one of GLUE sst2's labels \(0, 1\)/);
    mkdirSync(join(dir, 'CoLA'));
    writeFileSync(join(dir, 'CoLA', 'train.tsv'), 'sentence\tlabel\nA fine sentence.\t1\n');
    writeFileSync(join(dir, 'CoLA', 'dev.tsv'), '');
    expect(() => getTask('cola').load({ dataDir: dir })).toThrow(/train\.tsv:1: not a GLUE CoLA row: expected 4 tab-separated columns/);
    expect(() => getTask('rte').load({ dataDir: dir })).toThrow(/no train\.tsv in .* pass the RTE folder/);
    expect(() => getTask('rte').load({})).toThrow(/needs its data folder/);
    expect(() => getTask('glue-foo')).toThrow(/unknown task 'glue-foo'; known tasks: cola, sst2/);
  });
});
