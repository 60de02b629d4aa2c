/**
 * Bring your own: experiments evaluate supplied adapter folders without training them, on any local
 * Hugging Face model folder and a local GLUE-style task folder; a changed adapter file makes its rows
 * stale; problems with the model, the task or an adapter's base are errors naming the file and pointer.
 *
 * Oracle for the supplied path: an adapter the runner trained, supplied again as an `adapters` entry,
 * gives rows identical to the trained entry's (same merge, same streams), and the paired statistics
 * compare the two with Δ = 0.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runExperiment, type ResultRow } from '../../src/internal.js';
import { experimentStats } from '../../src/results/index.js';
import { parseExperiment } from '../../src/experiment/index.js';
import { validateExperiment } from '../../src/experiment/validate.js';
import { enqueue } from '../../src/experiment/queue/enqueue.js';
import { runCli } from '../cli/run-cli.js';
import { initBackend, tf } from '../../src/tensor/index.js';

const quiet = { log: () => undefined, backend: 'wasm', workers: 1 };
const fixture = (p: string) => fileURLToPath(new URL(`../fixtures/${p}`, import.meta.url));
const peftLora = fixture('peft/roberta-lora-seqcls');
const taskDir = fixture('tasks/tiny-sentiment');

const rowsOf = (root: string, name: string): ResultRow[] => readFileSync(join(root, name, 'results.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as ResultRow);
const numbers = (r: ResultRow) => ({ metric: r.metric, predictions: r.predictions, histograms: r.histograms });

function write(dir: string, exp: Record<string, unknown>, name = 'e.json'): string {
  const f = join(dir, name);
  writeFileSync(f, JSON.stringify(exp, null, 2));
  return f;
}

/** A local Hugging Face folder: the random tiny RoBERTa with a 3-class head, and a byte-level BPE tokenizer. */
function localModel(root: string, name = 'sequence-classification'): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  cpSync(fixture('tiny-roberta-random/sequence-classification'), dir, { recursive: true });
  for (const f of ['vocab.json', 'merges.txt']) cpSync(fixture(`tokenizers/roberta-tiny/${f}`), join(dir, f));
  return dir;
}

describe('experiments with supplied adapters', () => {
  it('a trained adapter supplied again gives the trained entry\'s rows; a changed adapter file makes only its rows stale', async () => {
    const root = mkdtempSync(join(tmpdir(), 'byo-'));
    const exp: Record<string, any> = {
      name: 'byo',
      model: 'tiny-roberta',
      task: { id: 'brown-genre', maxLength: 32, trainExamples: 32, evalExamples: 16 },
      training: { maxSteps: 2, batchSize: 16, lr: 0.01, evalEvery: 'end' },
      methods: [{ id: 'grasp', method: 'grasp', options: { k: 8, sites: 'ff2' } }],
      profiles: ['pcm-aihwkit'],
      evaluation: { noise: { sigmas: [0, 0.5] }, hardware: { times: [3600], compensation: ['global', 'none'], sites: 'ff2' } },
      periphery: { tile: { rows: 64, cols: 64 } },
      seeds: { train: [0], chip: [0], noise: [0] },
    };
    const reports = join(root, 'reports');
    await runExperiment(write(root, exp), { ...quiet, reportsDir: reports });
    const trained = rowsOf(reports, 'byo');
    const key = trained.find((r) => r.kind === 'params')!.key.slice('params/'.length);
    const mine = join(root, 'mine');
    cpSync(join(reports, 'byo', 'adapters', key), mine, { recursive: true });

    exp.adapters = [{ id: 'mine', path: 'mine', label: 'my GRASP' }];
    exp.compareTo = 'grasp';
    const s = await runExperiment(write(root, exp), { ...quiet, reportsDir: reports });
    expect(s.adaptersTrained).toBe(0);
    const rows = rowsOf(reports, 'byo');
    const supplied = rows.filter((r) => r.entryId === 'mine');
    // params, noise σ=0 and σ=0.5, hardware × 2 compensation modes
    expect(supplied.map((r) => r.key).sort()).toEqual([
      'hw/adapter:mine/pcm-aihwkit/chip=0/t=3600/comp=false', 'hw/adapter:mine/pcm-aihwkit/chip=0/t=3600/comp=true',
      'noise/adapter:mine/σ=0.5/seed=0', 'noise/adapter:mine/σ=0/seed=0', 'params/adapter:mine',
    ]);
    for (const r of supplied) {
      const twin = rows.find((x) => x.entryId === 'grasp' && x.key === r.key.replace('adapter:mine', key))!;
      expect(numbers(r)).toEqual(numbers(twin));
      expect(r.method).toBe('grasp');
      expect(r.methodLabel).toBe('my GRASP');
      expect(r.trainableParams).toBe(twin.trainableParams);
      expect(r.seeds!.train).toBeUndefined();
      if (r.kind === 'hardware') expect(['global', 'none']).toContain(r.compensation);
    }
    const stats = experimentStats(rows.filter((r) => r.kind === 'noise' || r.kind === 'hardware'), { resamples: 200 });
    const cmp = stats.comparisons.filter((c) => c.entryId === 'mine');
    expect(cmp).toHaveLength(4);
    for (const c of cmp) expect(c).toMatchObject({ delta: 0, pairing: 'seeds+examples', pairs: 1 }); // paired on the chip/read/noise seeds

    // Same numbers, other bytes: the supplied rows are stale, the trained entry's are not.
    const cfg = join(mine, 'adapter_config.json');
    writeFileSync(cfg, `${readFileSync(cfg, 'utf8')}\n`);
    const again = await runExperiment(write(root, exp), { ...quiet, reportsDir: reports });
    expect(again.rowsStale).toBe(supplied.length);
    expect(again.rowsWritten).toBe(supplied.length);
  }, 240_000);

  it('a PEFT adapter on a local Hugging Face folder with a local task folder: rows name the entry, the mode and the scale point', async () => {
    const root = mkdtempSync(join(tmpdir(), 'byo-peft-'));
    localModel(root);
    const exp = {
      name: 'peft',
      model: 'sequence-classification',
      task: { dir: taskDir, maxLength: 16 },
      adapters: [{ id: 'peft-lora', path: peftLora }],
      profiles: ['pcm-aihwkit'],
      evaluation: { noise: { sigmas: [0] }, hardware: { times: [86400], compensation: ['column-exact', false], scales: { drift: [1, 4] } } },
      periphery: { tile: { rows: 64, cols: 64 } },
      seeds: { train: [0] },
    };
    const reports = join(root, 'reports');
    const s = await runExperiment(write(root, exp), { ...quiet, reportsDir: reports });
    expect(s.adaptersTrained).toBe(0);
    const rows = rowsOf(reports, 'peft');
    expect(rows).toHaveLength(1 + 1 + 2 * 2);
    for (const r of rows) {
      expect(r.entryId).toBe('peft-lora');
      expect(r.method).toBe('lora');
      expect(r.task).toBe('tsv:tiny-sentiment');
    }
    const hw = rows.filter((r) => r.kind === 'hardware');
    expect(hw.map((r) => [r.compensation, r.scales]).sort()).toEqual([['column-exact', { drift: 1 }], ['column-exact', { drift: 4 }], ['none', { drift: 1 }], ['none', { drift: 4 }]].sort());
    expect(hw.every((r) => r.predictions!.length === 12)).toBe(true); // dev.tsv; the unlabelled test.tsv is left out
    // The CLI takes the same folder for --task and reproduces the clean row (one implementation, two entry points).
    const cli = runCli(['evaluate', '--model', join(root, 'sequence-classification'), '--adapter', peftLora, '--task', taskDir, '--max-length', '16', '--backend', 'wasm', '--json']);
    expect(cli.stderr).toBe('');
    const clean = rows.find((r) => r.kind === 'noise')!;
    expect(JSON.parse(cli.stdout)).toEqual([{ split: 'validation', sigma: 0, metrics: clean.metrics }]);
  }, 120_000);

  it('a supplied adapter without a head runs with the model\'s own head, whichever adapter ran before it', async () => {
    const root = mkdtempSync(join(tmpdir(), 'byo-head-'));
    localModel(root);
    const ia3 = { id: 'ia3', path: fixture('peft/roberta-ia3'), allowBaseMismatch: true }; // FEATURE_EXTRACTION: no head
    const exp = (adapters: unknown[], name: string) => ({
      name, model: 'sequence-classification', task: { dir: taskDir, maxLength: 16 }, adapters, evaluation: { noise: { sigmas: [0] } }, seeds: { train: [0] },
    });
    const reports = join(root, 'reports');
    const warnings: string[] = [];
    await runExperiment(write(root, exp([ia3], 'alone')), { ...quiet, reportsDir: reports, log: (l) => { if (l.startsWith('warning:')) warnings.push(l); } });
    expect(warnings.join('\n')).toMatch(/adapter 'ia3' .* holds no task head: its rows use the model folder's classification head/);
    await runExperiment(write(root, exp([{ id: 'peft-lora', path: peftLora }, ia3], 'after-lora')), { ...quiet, reportsDir: reports });
    const clean = (name: string) => rowsOf(reports, name).find((r) => r.key === 'noise/adapter:ia3/σ=0/seed=0')!;
    expect(clean('after-lora').predictions).toEqual(clean('alone').predictions);
    expect(clean('after-lora').metrics).toEqual(clean('alone').metrics);
  }, 120_000);
});

/** Pearson r by its definition, in float64 (the oracle for the rows' metric). */
function pearson(x: readonly number[], y: readonly number[]): number {
  const mean = (v: readonly number[]) => v.reduce((a, b) => a + b, 0) / v.length;
  const mx = mean(x), my = mean(y);
  let sxy = 0, sxx = 0, syy = 0;
  x.forEach((xi, i) => { sxy += (xi - mx) * (y[i] - my); sxx += (xi - mx) ** 2; syy += (y[i] - my) ** 2; });
  return sxy / Math.sqrt(sxx * syy);
}
/** Ranks 1..n, ties given their average rank (Spearman ρ = Pearson r of the ranks). */
function ranks(v: readonly number[]): number[] {
  const order = v.map((x, i) => [x, i] as const).sort((a, b) => a[0] - b[0]);
  const r = new Array<number>(v.length);
  for (let i = 0; i < order.length;) {
    let j = i;
    while (j + 1 < order.length && order[j + 1][0] === order[i][0]) j++;
    for (let k = i; k <= j; k++) r[order[k][1]] = (i + j) / 2 + 1;
    i = j + 1;
  }
  return r;
}

describe('a local regression task folder', () => {
  it('"type": "regression": a one-output head; rows report Pearson (primary) and Spearman of the predicted scores against the folder\'s labels', async () => {
    const root = mkdtempSync(join(tmpdir(), 'byo-sts-'));
    const sts = fixture('tasks/tiny-sts');
    const exp = {
      name: 'sts', model: 'tiny-roberta',
      task: { dir: sts, type: 'regression', scoreRange: [0, 5], maxLength: 32 },
      training: { maxSteps: 2, batchSize: 16, lr: 0.01, evalEvery: 'end' },
      methods: [{ id: 'grasp', method: 'grasp', options: { k: 8, sites: 'ff2' } }],
      evaluation: { noise: { sigmas: [0] } },
      seeds: { train: [0] },
    };
    const reports = join(root, 'reports');
    await runExperiment(write(root, exp), { ...quiet, reportsDir: reports });
    const row = rowsOf(reports, 'sts').find((r) => r.kind === 'noise')!;
    expect(row.task).toBe('tsv:tiny-sts');
    expect(row.metricName).toBe('pearson');
    expect(Object.keys(row.metrics!).sort()).toEqual(['pearson', 'spearman']);
    const gold = readFileSync(join(sts, 'dev.tsv'), 'utf8').trim().split('\n').slice(1).map((l) => Number(l.split('\t')[2]));
    expect(row.labels).toEqual(gold.map((g) => Math.fround(g)));
    const pred = row.predictions!;
    expect(pred).toHaveLength(16);
    expect(pred.filter((p) => Number.isInteger(p))).toEqual([]); // scores from one output, not class ids
    expect(row.metric).toBeCloseTo(pearson(pred, gold), 5);
    expect(row.metrics!.spearman).toBeCloseTo(pearson(ranks(pred), ranks(gold)), 5);
  }, 120_000);
});

describe('bring-your-own inputs are checked before any work', () => {
  beforeAll(() => initBackend('wasm'));
  const root = mkdtempSync(join(tmpdir(), 'byo-bad-'));
  const good = localModel(root);
  const base = () => ({
    name: 'bad', model: 'sequence-classification', task: { dir: taskDir, maxLength: 16 } as Record<string, unknown>,
    adapters: [{ id: 'peft-lora', path: peftLora }] as Record<string, unknown>[], profiles: [], evaluation: { noise: { sigmas: [0] } }, seeds: { train: [0] },
  });
  const problems = async (exp: Record<string, unknown>): Promise<string> => {
    const f = write(root, exp, 'bad.json');
    try {
      await validateExperiment(parseExperiment(structuredClone(exp), f), f, join(root, 'reports', 'bad'));
    } catch (e) {
      return (e as Error).message;
    }
    return '';
  };

  it('a valid experiment passes, and checking it leaves no tensors behind (refused adapters included)', async () => {
    expect(await problems(base())).toBe('');
    expect(good).toMatch(/sequence-classification$/);
    const before = tf.memory().numTensors;
    expect(await problems(base())).toBe('');
    localModel(root, 'leak-check');
    expect(await problems({ ...base(), model: 'leak-check' })).toMatch(/allowBaseMismatch/); // refused after a trial load
    expect(tf.memory().numTensors).toBe(before);
  });

  it('adapters: a missing folder, a folder without adapter files, another base model by shapes or by name', async () => {
    const f = join(root, 'bad.json');
    let e = base();
    e.adapters = [{ id: 'a', path: 'nowhere' }, { id: 'b', path: '.' }];
    let msg = await problems(e);
    expect(msg).toContain(`${f}: /adapters/0/path: ${join(root, 'nowhere')} is not a folder; expected an adapter folder with adapter_config.json and adapter_model.safetensors`);
    expect(msg).toMatch(/\/adapters\/1\/path: .* has no adapter_config.json or adapter_model.safetensors/);
    // The PEFT fixture was written for the 32-wide random RoBERTa, not the shipped 128-wide one.
    e = { ...base(), model: 'tiny-roberta', task: { id: 'brown-genre', maxLength: 16, evalExamples: 8 } };
    msg = await problems(e);
    expect(msg).toMatch(/\/adapters\/0\/path: .*adapter_model.safetensors: adapter does not fit this model: shape mismatch .*query.lora_A.weight: file has \[4,32\], this model needs \[4,128\]/);
    // Same shapes, another folder name than base_model_name_or_path: refused unless allowBaseMismatch.
    localModel(root, 'other-model');
    e = { ...base(), model: 'other-model' };
    msg = await problems(e);
    expect(msg).toMatch(/\/adapters\/0\/path: .*\/base_model_name_or_path: the adapter was made for 'test\/fixtures\/tiny-roberta-random\/sequence-classification', not '.*other-model'; its Site names and shapes fit this model: set "allowBaseMismatch": true on this entry/);
    e.adapters = [{ id: 'peft-lora', path: peftLora, allowBaseMismatch: true }];
    expect(await problems(e)).toBe('');
  });

  it('model: a missing folder, no config.json, no tokenizer, inputs longer than its positions', async () => {
    const f = join(root, 'bad.json');
    expect(await problems({ ...base(), model: 'no-such-model' })).toContain(`${f}: /model: model directory ${join(root, 'no-such-model')} does not exist; expected a Hugging Face model folder`);
    mkdirSync(join(root, 'empty'), { recursive: true });
    expect(await problems({ ...base(), model: 'empty' })).toContain(`${f}: /model: ${join(root, 'empty')} has no config.json`);
    mkdirSync(join(root, 'no-tok'), { recursive: true });
    cpSync(fixture('tiny-roberta-random/sequence-classification'), join(root, 'no-tok'), { recursive: true });
    expect(await problems({ ...base(), model: 'no-tok' })).toMatch(new RegExp(`${f.replace(/[.]/g, '\\.')}: /model: .*tokenizer`, 'i'));
    const long = base();
    long.task = { dir: taskDir, maxLength: 64 };
    expect(await problems(long)).toContain(`${f}: /task/maxLength: 64 tokens, but the model takes at most 38 (max_position_embeddings 40); set maxLength ≤ 38`);
  });

  it('queue mode checks supplied adapter folders before touching the database (test/queue/supplied.test.ts runs one)', async () => {
    const f = write(root, { ...base(), adapters: [{ id: 'gone', path: 'nowhere' }] }, 'queued.json');
    await expect(enqueue(f, 'postgres://nobody@127.0.0.1:1/none', { log: () => undefined })).rejects.toThrow(`${f}: /adapters/0/path: ${join(root, 'nowhere')} is not a folder; expected an adapter folder`);
  });

  it('task: unknown id, a bad folder, a folder without a label column, both id and dir', async () => {
    const f = join(root, 'bad.json');
    let e = base();
    e.task = { id: 'sst3' };
    expect(await problems(e)).toMatch(new RegExp(`: /task/id: unknown task 'sst3'; known tasks: .*sst2`));
    e.task = { dir: 'no-such-task' };
    expect(await problems(e)).toContain(`${f}: /task/dir: ${join(root, 'no-such-task')}: not a folder; expected a task folder with train.tsv and dev.tsv and/or test.tsv`);
    const t = join(root, 'nolabel');
    mkdirSync(t, { recursive: true });
    writeFileSync(join(t, 'train.tsv'), 'sentence\tgold\nthe cat.\t1\n');
    writeFileSync(join(t, 'dev.tsv'), 'sentence\tlabel\nthe cat.\t1\n');
    e.task = { dir: 'nolabel' };
    expect(await problems(e)).toContain(`${f}: /task/dir: ${join(t, 'train.tsv')}:1: not a GLUE classification`);
    expect(await problems({ ...base(), task: { id: 'sst2', dir: taskDir } })).toContain('/task: give either "id" or "dir", not both');
    expect(await problems({ ...base(), task: { id: 'stsb', type: 'regression' } })).toContain(`${f}: /task/type: a registered task has its own type; "type" describes a local task folder ("dir")`);
    expect(await problems({ ...base(), task: { dir: taskDir, scoreRange: [0, 5] } })).toContain(`${f}: /task/scoreRange: a score range belongs to a regression task; set "type": "regression" with "dir", or drop scoreRange`);
    expect(await problems({ ...base(), task: { dir: fixture('tasks/tiny-sts') } })).toMatch(/\/task\/dir: .*tiny-sts: the label column holds 43 distinct non-integer numbers .* set "type": "regression"/);
  });
});
