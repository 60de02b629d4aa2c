/**
 * The red-team table: malformed inputs across CLI flags, data, device profiles, experiments,
 * checkpoints and adapters, as a careless or hostile user might supply them. Each row runs the
 * library (or the CLI program in-process) on one bad input and asserts
 *   - an error of the expected class: exit 2 (usage error) or exit 1 (any other error, main.ts),
 *   - a message naming the file (or the flag) and the field, matching the row's regex,
 *   - within the row's time budget (the error comes before any expensive work),
 *   - nothing written: the scratch tree (inputs, --out folders, reports roots) is byte-for-byte the
 *     same listing afterwards, and the TF.js tensor count is unchanged.
 * A few rows at the end run the real CLI in a child process (≈ 4 s each) for the exit code and stderr.
 */
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  getTask, loadAdapter, loadModel, loadProfile, parseQuantity, readSafetensors, runExperiment, seededSubset, serializeSafetensors, tf,
  type Model, type TensorToWrite,
} from '../../src/internal.js';
import { program } from '../../src/cli/program.js';
import { useBackend } from '../helpers/backends.js';
import { runCli } from '../cli/run-cli.js';

const FIX = fileURLToPath(new URL('../fixtures/', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'grasp-redteam-'));
let model: Model;

beforeAll(async () => {
  await useBackend('cpu');
  model = await loadModel(`${FIX}tiny-roberta-random/sequence-classification`);
  // mathjs loads on the first quantity read (not on import); load it here so budgets time the checks, not the library.
  parseQuantity('1 uS', 'conductance', 'warm-up');
});
afterAll(() => {
  model?.dispose();
  rmSync(tmp, { recursive: true, force: true });
});

/** A usage error: the CLI prints help and exits 2. */
class UsageError extends Error {}

/** Runs the CLI program in-process; rejects with UsageError (exit 2) or the command's error (exit 1). */
async function cli(args: string[]): Promise<void> {
  await program(args, { onUsageError: (m) => { throw new UsageError(m); } }).exitProcess(false).parseAsync();
}

/** Every path under `dir` with its size, sorted: the "nothing written" fingerprint. */
function listing(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      const s = statSync(p);
      out.push(`${relative(tmp, p)}:${s.isDirectory() ? 'd' : s.size}`);
      if (s.isDirectory()) walk(p);
    }
  };
  walk(dir);
  return out.sort();
}

type Json = Record<string, unknown>;
const write = (file: string, text: string) => {
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, text);
  return file;
};
const readJson = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as Json;
const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

interface Case {
  area: 'cli' | 'data' | 'profile' | 'experiment' | 'checkpoint' | 'adapter';
  name: string;
  /** Builds the inputs in the case's own folder `dir`; returns the call to make. */
  setup: (dir: string) => Promise<() => Promise<unknown>> | (() => Promise<unknown>);
  /** Exit code the CLI gives for this error: 2 usage error, 1 any other. */
  exit?: 1 | 2;
  /** The message must match (field or flag, and what is expected). `$DIR` stands for the case folder. */
  message: RegExp | ((dir: string) => RegExp);
  /** Time budget in ms (default 2000; the errors come in milliseconds, training takes minutes). */
  budget?: number;
}

// ---------------------------------------------------------------- CLI flags (in-process)
// Each command is pointed at a model, profile or init folder that does not exist, so that a flag check
// gone missing makes the row fail in milliseconds (a different error) instead of training or serving.
const TRAIN = (dir: string) => ['train', '--model', join(dir, 'no-model'), '--task', 'brown-genre', '--method', 'grasp', '--out', join(dir, 'adapter')];
const PARAMS = ['params', '--config', `${FIX}tiny-roberta-random/config.json`, '--method', 'grasp'];
const PRETRAIN = (dir: string) => ['pretrain', '--out', join(dir, 'model'), '--init', join(dir, 'no-model')];
const STATS = ['device', 'stats', '--profile', 'pcm-aihwkit', '--g', '0.5', '--t', '1'];
const SIGMA = ['device', 'sigma-target', '--profile', 'pcm-aihwkit', '--model', '/nonexistent/no-model', '--t', '1'];
const SERVE = ['chip', 'serve', '--profile', '/nonexistent/no-profile.json', '--port', '0'];
const EVALUATE = ['evaluate', '--model', '/nonexistent/no-model', '--adapter', `${FIX}peft/roberta-lora-seqcls`, '--task', 'brown-genre'];

/** `args` with `--name value` replaced (a repeated flag would become an array). */
const set = (args: string[], name: string, value: string) => args.map((a, i) => (args[i - 1] === `--${name}` ? value : a));
const flag = (name: string, args: (dir: string) => string[], message: RegExp): Case => ({
  area: 'cli', name, message, setup: (dir) => () => cli(args(dir)),
});
const SEED_MSG = /^--seed must be an integer in \[0, 4294967295\], got /;

const CLI_CASES: Case[] = [
  flag('train --seed abc', (d) => [...TRAIN(d), '--seed', 'abc'], /^--seed must be an integer in \[0, 4294967295\], got NaN \(not a number\)$/),
  flag('train --seed 1.5', (d) => [...TRAIN(d), '--seed', '1.5'], /^--seed must be an integer .*, got 1\.5$/),
  flag('train --seed -1', (d) => [...TRAIN(d), '--seed', '-1'], /^--seed must be an integer in \[0, .*got -1$/),
  flag('train --epochs 0', (d) => [...TRAIN(d), '--epochs', '0'], /^--epochs must be an integer ≥ 1, got 0$/),
  flag('train --max-steps -3', (d) => [...TRAIN(d), '--max-steps', '-3'], /^--max-steps must be an integer ≥ 1, got -3$/),
  flag('train --batch-size 2.5', (d) => [...TRAIN(d), '--batch-size', '2.5'], /^--batch-size must be an integer ≥ 1, got 2\.5$/),
  flag('train --lr 0', (d) => [...TRAIN(d), '--lr', '0'], /^--lr must be a finite number > 0, got 0$/),
  flag('train --lr Infinity', (d) => [...TRAIN(d), '--lr', 'Infinity'], /^--lr must be a finite number > 0, got Infinity$/),
  flag('train --head-lr=-1e-3', (d) => [...TRAIN(d), '--head-lr=-1e-3'], /^--head-lr must be a finite number > 0, got -0\.001$/),
  flag('train --weight-decay -0.1', (d) => [...TRAIN(d), '--weight-decay', '-0.1'], /^--weight-decay must be a finite number ≥ 0, got -0\.1$/),
  flag('train --warmup-ratio 1.5', (d) => [...TRAIN(d), '--warmup-ratio', '1.5'], /^--warmup-ratio must be a finite number in \[0, 1\], got 1\.5$/),
  flag('train --clip-norm -1', (d) => [...TRAIN(d), '--clip-norm', '-1'], /^--clip-norm must be a finite number ≥ 0, got -1$/),
  flag('train --max-length 0', (d) => [...TRAIN(d), '--max-length', '0'], /^--max-length must be an integer ≥ 3, got 0$/),
  flag('train --train-examples 0', (d) => [...TRAIN(d), '--train-examples', '0'], /^--train-examples must be an integer ≥ 1, got 0$/),
  flag('train --eval-examples -5', (d) => [...TRAIN(d), '--eval-examples', '-5'], /^--eval-examples must be an integer ≥ 1, got -5$/),
  flag('train --k 0', (d) => [...TRAIN(d), '--k', '0'], /^--k must be an integer ≥ 1, got 0$/),
  flag('train --rank 0', (d) => [...TRAIN(d), '--rank', '0'], /^--rank must be an integer ≥ 1, got 0$/),
  flag('train --rows 0', (d) => [...TRAIN(d), '--rows', '0'], /^--rows must be 'all' or an integer ≥ 1, got "0"$/),
  flag('train --rows most', (d) => [...TRAIN(d), '--rows', 'most'], /^--rows must be 'all' or an integer ≥ 1, got "most"$/),
  flag('params --k 2.5', () => [...PARAMS, '--k', '2.5'], /^--k must be an integer ≥ 1, got 2\.5$/),
  flag('params --labels 0', () => [...PARAMS, '--labels', '0'], /^--labels must be an integer ≥ 1, got 0$/),
  flag('params --rank -4', () => [...PARAMS, '--rank', '-4'], /^--rank must be an integer ≥ 1, got -4$/),
  flag('pretrain --steps 0', (d) => [...PRETRAIN(d), '--steps', '0'], /^--steps must be an integer ≥ 1, got 0$/),
  flag('pretrain --hidden abc', (d) => [...PRETRAIN(d), '--hidden', 'abc'], /^--hidden must be an integer ≥ 1, got NaN/),
  flag('pretrain --lr 0', (d) => [...PRETRAIN(d), '--lr', '0'], /^--lr must be a finite number > 0, got 0$/),
  flag('pretrain --seed -2', (d) => [...PRETRAIN(d), '--seed', '-2'], SEED_MSG),
  flag('pretrain --seq 1', (d) => [...PRETRAIN(d), '--seq', '1'], /^--seq must be an integer ≥ 3, got 1$/),
  flag('pretrain --mask 1', (d) => [...PRETRAIN(d), '--mask', '1'], /^--mask must be a finite number > 0 and ≤ 0.9, got 1$/),
  flag('device stats --g 1.5', () => set(STATS, 'g', '1.5'), /^--g must be a finite number in \[0, 1\], got 1\.5$/),
  flag('device stats --t -1', () => set(STATS, 't', '-1'), /^--t must be a finite number ≥ 0, got -1$/),
  flag('device stats --samples 0', () => [...STATS, '--samples', '0'], /^--samples must be an integer in \[1, 100000000\], got 0$/),
  flag('device stats --samples 1e9', () => [...STATS, '--samples', '1e9'], /^--samples must be an integer in \[1, 100000000\], got 1000000000$/),
  flag('device stats --seed x', () => [...STATS, '--seed', 'x'], SEED_MSG),
  flag('device sigma-target --t -5', () => set(SIGMA, 't', '-5'), /^--t must be a finite number ≥ 0, got -5$/),
  flag('device sigma-target --probes 0', () => [...SIGMA, '--probes', '0'], /^--probes must be an integer in \[1, 1000000\], got 0$/),
  flag('chip serve --port 70000', () => set(SERVE, 'port', '70000'), /^--port must be an integer in \[0, 65535\], got 70000$/),
  flag('chip serve --tiles 0', () => [...SERVE, '--tiles', '0'], /^--tiles must be an integer in \[1, 1048576\], got 0$/),
  flag('chip serve --max-message-mb 4096', () => [...SERVE, '--max-message-mb', '4096'], /^--max-message-mb must be an integer in \[1, 1024\], got 4096$/),
  flag('chip serve --seed 1e10', () => [...SERVE, '--seed', '1e10'], SEED_MSG),
  flag('chip conformance --seed -1', () => ['chip', 'conformance', '--address', '127.0.0.1:1', '--seed', '-1'], SEED_MSG),
  flag('evaluate --noise -0.1', () => [...EVALUATE, '--noise', '-0.1'], /^--noise must be a finite σ ≥ 0/),
  flag('evaluate --examples 0', () => [...EVALUATE, '--examples', '0'], /^--examples must be an integer ≥ 1 .*got 0$/),
  flag('evaluate --samples 0', () => [...EVALUATE, '--samples', '0'], /^--samples must be an integer ≥ 1, got 0$/),
  { area: 'cli', name: 'train --rnak 4 (a misspelt flag)', exit: 2, message: /unknown option for 'train': --rnak \(did you mean --rank\?\)/,
    setup: (dir) => () => cli([...TRAIN(dir), '--rnak', '4']) },
  { area: 'cli', name: 'report ../../outside (escaping --reports)', message: (d) => new RegExp(`^report name '\\.\\./\\.\\./outside' must be one folder name inside ${esc(join(d, 'reports'))}`),
    setup: (dir) => () => cli(['report', '../../outside', '--reports', join(dir, 'reports')]) },
  { area: 'cli', name: 'run an experiment with an unknown profile', budget: 10_000,
    message: (d) => new RegExp(`^${esc(join(d, 'e.json'))}: /profiles/0: device profile 'pcm-aihwkti' not found`, 'm'),
    setup: (dir) => {
      const e = readJson(TINY);
      delete e.$schema;
      e.profiles = ['pcm-aihwkti'];
      const f = write(join(dir, 'e.json'), JSON.stringify(e));
      return () => cli(['run', f, '--reports', join(dir, 'reports'), '--workers', '1', '--backend', 'cpu']);
    } },
  { area: 'cli', name: 'params without --method', exit: 2, message: /Missing required argument: method/,
    setup: () => () => cli(PARAMS.slice(0, 3)) },
];

// ---------------------------------------------------------------- degenerate data (GLUE TSV)
const SST2_OK = 'sentence\tlabel\nfine movie\t1\nbad movie\t0\n';
const STSB_HEAD = 'index\tgenre\tfilename\tyear\told_index\tsource1\tsource2\tsentence1\tsentence2\tscore\n';
const stsbRow = (score: string) => `0\tmain\tMSRvid\t2012\t0\tnone\tnone\tA man is dancing.\tA man dances.\t${score}\n`;

/** A GLUE task folder `dir/<Folder>` holding the given files; returns the load call. */
function glue(task: string, folder: string, files: Record<string, string>) {
  return (dir: string) => {
    for (const [name, text] of Object.entries(files)) write(join(dir, folder, name), text);
    return async () => getTask(task).load({ dataDir: dir });
  };
}
const data = (name: string, task: string, folder: string, files: Record<string, string>, message: (dir: string) => RegExp): Case => ({
  area: 'data', name, message, setup: glue(task, folder, files),
});

const DATA_CASES: Case[] = [
  data('SST-2 dev.tsv with only a header', 'sst2', 'SST-2', { 'train.tsv': SST2_OK, 'dev.tsv': 'sentence\tlabel\n' },
    (d) => new RegExp(`^${esc(join(d, 'SST-2', 'dev.tsv'))}:1: only a header \\(line 1\\) and no data rows; a GLUE split needs at least one example$`)),
  data('SST-2 empty train.tsv', 'sst2', 'SST-2', { 'train.tsv': '', 'dev.tsv': SST2_OK },
    (d) => new RegExp(`^${esc(join(d, 'SST-2', 'train.tsv'))}: empty file \\(expected a header line\\)`)),
  data('SST-2 train.tsv of blank lines', 'sst2', 'SST-2', { 'train.tsv': '\n\n\n', 'dev.tsv': SST2_OK },
    (d) => new RegExp(`^${esc(join(d, 'SST-2', 'train.tsv'))}: empty file`)),
  data('SST-2 missing the sentence column', 'sst2', 'SST-2', { 'train.tsv': 'text\tlabel\nfine\t1\n', 'dev.tsv': SST2_OK },
    (d) => new RegExp(`^${esc(join(d, 'SST-2', 'train.tsv'))}:1: not a GLUE sst2 file: missing column 'sentence'; expected sentence, label; found text, label$`)),
  data('SST-2 label 2', 'sst2', 'SST-2', { 'train.tsv': `${SST2_OK}odd movie\t2\n`, 'dev.tsv': SST2_OK },
    (d) => new RegExp(`^${esc(join(d, 'SST-2', 'train.tsv'))}:4: label '2' is not one of GLUE sst2's labels \\(0, 1\\)$`)),
  data('SST-2 a short row', 'sst2', 'SST-2', { 'train.tsv': SST2_OK, 'dev.tsv': 'sentence\tlabel\nno label here\n' },
    (d) => new RegExp(`^${esc(join(d, 'SST-2', 'dev.tsv'))}:2: 1 columns, the header has 2$`)),
  data('MNLI gold_label maybe', 'mnli', 'MNLI', {
    'train.tsv': 'sentence1\tsentence2\tgold_label\nA\tB\tneutral\n', 'dev_matched.tsv': 'sentence1\tsentence2\tgold_label\nA\tB\tmaybe\n', 'dev_mismatched.tsv': 'sentence1\tsentence2\tgold_label\nA\tB\tneutral\n',
  }, (d) => new RegExp(`^${esc(join(d, 'MNLI', 'dev_matched.tsv'))}:2: label 'maybe' is not one of GLUE mnli's labels \\(entailment, neutral, contradiction\\)$`)),
  data('STS-B score −50', 'stsb', 'STS-B', { 'train.tsv': STSB_HEAD + stsbRow('3.2'), 'dev.tsv': STSB_HEAD + stsbRow('4') + stsbRow('-50') },
    (d) => new RegExp(`^${esc(join(d, 'STS-B', 'dev.tsv'))}:3: score -50 is outside task stsb's range \\[0, 5\\]$`)),
  data('STS-B score 5.5', 'stsb', 'STS-B', { 'train.tsv': STSB_HEAD + stsbRow('5.5'), 'dev.tsv': STSB_HEAD + stsbRow('4') },
    (d) => new RegExp(`^${esc(join(d, 'STS-B', 'train.tsv'))}:2: score 5\\.5 is outside task stsb's range \\[0, 5\\]$`)),
  data('STS-B score "high"', 'stsb', 'STS-B', { 'train.tsv': STSB_HEAD + stsbRow('high'), 'dev.tsv': STSB_HEAD + stsbRow('4') },
    (d) => new RegExp(`^${esc(join(d, 'STS-B', 'train.tsv'))}:2: score 'high' is not a finite number \\(GLUE stsb scores lie in \\[0, 5\\]\\)$`)),
  data('STS-B score Infinity', 'stsb', 'STS-B', { 'train.tsv': STSB_HEAD + stsbRow('Infinity'), 'dev.tsv': STSB_HEAD + stsbRow('4') },
    (d) => new RegExp(`^${esc(join(d, 'STS-B', 'train.tsv'))}:2: score 'Infinity' is not a finite number`)),
  data('STS-B score NaN', 'stsb', 'STS-B', { 'train.tsv': STSB_HEAD + stsbRow('NaN'), 'dev.tsv': STSB_HEAD + stsbRow('4') },
    (d) => new RegExp(`^${esc(join(d, 'STS-B', 'train.tsv'))}:2: score 'NaN' is not a finite number`)),
  data('STS-B empty score', 'stsb', 'STS-B', { 'train.tsv': STSB_HEAD + stsbRow(''), 'dev.tsv': STSB_HEAD + stsbRow('4') },
    (d) => new RegExp(`^${esc(join(d, 'STS-B', 'train.tsv'))}:2: score '' is not a finite number`)),
  data('CoLA row of 3 columns', 'cola', 'CoLA', { 'train.tsv': 'src\t1\t*\n', 'dev.tsv': 'src\t1\t\tA sentence.\n' },
    (d) => new RegExp(`^${esc(join(d, 'CoLA', 'train.tsv'))}:1: not a GLUE CoLA row: expected 4 tab-separated columns .* found 3$`)),
  data('CoLA empty dev.tsv', 'cola', 'CoLA', { 'train.tsv': 'src\t1\t\tA sentence.\n', 'dev.tsv': '' },
    (d) => new RegExp(`^${esc(join(d, 'CoLA', 'dev.tsv'))}:1: no data rows; a GLUE split needs at least one example$`)),
  data('RTE without train.tsv', 'rte', 'RTE', { 'dev.tsv': 'sentence1\tsentence2\tlabel\nA\tB\tentailment\n' },
    (d) => new RegExp(`^${esc(join(d, 'RTE', 'train.tsv'))}: file not found$`)),
  { area: 'data', name: 'a subset of 0 examples', message: /^subset of stsb\/train: the number of examples must be an integer ≥ 1 \(leave it unset for every example\), got 0$/,
    setup: () => async () => seededSubset([{ input: 'a', label: 1 }], 0, 'stsb/train') },
];

// ---------------------------------------------------------------- device profiles (files)
const PCM = join(ROOT, 'device-models', 'pcm-aihwkit.json');
const profile = (name: string, edit: (j: Json) => void, message: string): Case => ({
  area: 'profile', name,
  message: (d) => new RegExp(`${esc(join(d, 'p.json'))}: ${message}`),
  setup: (dir) => {
    const j = readJson(PCM);
    delete j.$schema;
    edit(j);
    const f = write(join(dir, 'p.json'), JSON.stringify(j));
    return async () => loadProfile(f);
  },
});
const setSigma = (expr: string) => (j: Json) => { ((j.programming as Json).sigma as Json).expr = expr; };

const PROFILE_CASES: Case[] = [
  profile('g_min above g_max', (j) => { (j.conductance as Json).gMin = '30 uS'; (j.conductance as Json).gMax = '25 uS'; }, '/conductance: g_min \\(30 uS\\) must be below g_max \\(25 uS\\)'),
  profile('gMax 1e308 S', (j) => { (j.conductance as Json).gMax = '1e308 S'; }, '/conductance/gMax: "1e308 S" is outside the plausible range'),
  profile('unknown family', (j) => { j.family = 'quantum'; }, "/family: unknown device family 'quantum'; known families"),
  profile('σ law g^1e9', setSigma('g^1e9'), "/programming/sigma/expr: expression 'g\\^1e9': the exponent"),
  profile('σ law calling evaluate()', setSigma('evaluate(g)'), "/programming/sigma/expr: .*function 'evaluate' is not allowed"),
  profile('σ law of 200 000 terms', setSigma(Array.from({ length: 200_000 }, () => 'g').join('+')), '/programming/sigma/expr: must NOT have more than 2000 characters'),
  profile('σ law NaN on the grid', setSigma('sqrt(g - 0.5)'), '/programming/sigma.*NaN at g = 0'),
  profile('fault fraction 150 %', (j) => { j.faults = { stuckLow: '150 %' }; }, '/faults/stuckLow: a fraction of devices must lie in \\[0, 1\\]'),
  { area: 'profile', name: 'profile not JSON', message: (d) => new RegExp(`${esc(join(d, 'p.json'))}.*(JSON|parse)`),
    setup: (dir) => { const f = write(join(dir, 'p.json'), '{"id": "x",'); return async () => loadProfile(f); } },
  { area: 'profile', name: 'profile path that does not exist', message: (d) => new RegExp(`${esc(join(d, 'missing.json'))}: device profile file not found`),
    setup: (dir) => async () => loadProfile(join(dir, 'missing.json')) },
];

// ---------------------------------------------------------------- experiments (validated whole before any work)
const TINY = join(FIX, 'experiments', 'tiny.json');
const experiment = (name: string, edit: (e: Json) => void, message: string, budget = 10_000): Case => ({
  area: 'experiment', name, budget,
  message: (d) => new RegExp(`${esc(join(d, 'e.json'))}: ${message}`),
  setup: (dir) => {
    const e = readJson(TINY);
    delete e.$schema;
    edit(e);
    const f = write(join(dir, 'e.json'), JSON.stringify(e));
    return async () => runExperiment(f, { log: () => undefined, backend: 'cpu', workers: 1, reportsDir: join(dir, 'reports') });
  },
});
const methods = (e: Json) => e.methods as Json[];

const EXPERIMENT_CASES: Case[] = [
  experiment('unknown profile', (e) => { e.profiles = ['pcm-aihwkti']; }, "/profiles/0: device profile 'pcm-aihwkti' not found"),
  experiment('unknown method', (e) => { methods(e)[0].method = 'grasq'; }, "/methods/0/method: unknown PEFT method 'grasq'"),
  experiment('periphery key typo', (e) => { e.periphery = { adc: { bitz: 8 } }; }, "/periphery/adc/bitz: unknown periphery setting 'adc.bitz' \\(did you mean 'adc.bits'\\?\\)"),
  experiment('sweep key typo', (e) => { e.sweeps = { 'adc.bitz': [4, 8] }; }, "/sweeps/adc.bitz: unknown periphery setting 'adc.bitz'"),
  experiment('negative DAC bits in a sweep', (e) => { e.sweeps = { 'dac.bits': [8, -1] }; }, '/sweeps/dac.bits/1: periphery.dac.bits must be an integer from 2 to 24'),
  experiment('a 10⁹-point sweep grid', (e) => {
    const v = Array.from({ length: 1000 }, (_, i) => i + 2);
    e.sweeps = { 'adc.bits': v, 'dac.bits': v, 'tile.rows': v };
  }, 'the plan has 2000000020 rows .* more than --max-rows'),
  experiment('trainExamples 0', (e) => { (e.task as Json).trainExamples = 0; }, '/task/trainExamples: must be >= 1'),
  experiment('unknown top-level field', (e) => { e.sedes = e.seeds; }, "/: must NOT have additional properties 'sedes'"),
  experiment('σ_target on a method that has none', (e) => { methods(e)[0].sigmaTarget = 0.01; }, "/methods/0/sigmaTarget: method 'grasp' does not train toward a σ_target"),
  experiment('compareTo naming no method', (e) => { e.compareTo = 'nope'; }, "/compareTo: 'nope' is not the id of a method or adapter entry"),
  experiment('name escaping the reports folder', (e) => { e.name = '../../outside'; }, '/name: must match pattern'),
  experiment('a Site selector that matches nothing', (e) => { (methods(e)[0].options as Json).sites = '/^nothing$/'; }, '/methods/0/options/sites: site selector .* matched no Site'),
  { area: 'experiment', name: 'experiment not JSON', message: (d) => new RegExp(`${esc(join(d, 'e.json'))}.*(JSON|parse)`),
    setup: (dir) => { const f = write(join(dir, 'e.json'), '{"name": "x"'); return async () => runExperiment(f, { log: () => undefined, reportsDir: join(dir, 'reports') }); } },
];

// ---------------------------------------------------------------- checkpoints and adapters
/** A copy of a fixture folder with its JSON and tensors edited. */
async function variant(dir: string, src: string, jsonFile: string, tensorsFile: string, edit: { json?: (c: Json) => void; tensors?: (t: Map<string, TensorToWrite>) => void }): Promise<string> {
  const out = join(dir, 'm');
  cpSync(join(FIX, src), out, { recursive: true });
  if (edit.json) {
    const c = readJson(join(out, jsonFile));
    edit.json(c);
    writeFileSync(join(out, jsonFile), JSON.stringify(c));
  }
  if (edit.tensors) {
    const raw = await readSafetensors(join(out, tensorsFile));
    const t = new Map<string, TensorToWrite>([...raw].map(([k, d]) => [k, { shape: d.shape, data: d.data, ...(d.dtype === 'I64' ? { dtype: 'I64' as const } : {}) }]));
    edit.tensors(t);
    writeFileSync(join(out, tensorsFile), serializeSafetensors(t));
  }
  return out;
}
function poison(t: Map<string, TensorToWrite>, key: string, value: number): void {
  const d = Float32Array.from(t.get(key)!.data);
  d[1] = value;
  t.set(key, { ...t.get(key)!, data: d });
}
const Q = 'encoder.layer.0.attention.self.query.weight';
const LORA_A = 'base_model.model.roberta.encoder.layer.0.attention.self.query.lora_A.weight';
const ckpt = (name: string, edit: Parameters<typeof variant>[4], file: string, message: string): Case => ({
  area: 'checkpoint', name, message: (d) => new RegExp(`${esc(join(d, 'm', file))}.*${message}`),
  setup: async (dir) => { const m = await variant(dir, 'tiny-roberta-random', 'config.json', 'model.safetensors', edit); return async () => loadModel(m); },
});
const adapter = (name: string, edit: Parameters<typeof variant>[4], file: string, message: string): Case => ({
  area: 'adapter', name, message: (d) => new RegExp(`${esc(join(d, 'm', file))}.*${message}`),
  setup: async (dir) => {
    const a = await variant(dir, 'peft/roberta-lora-seqcls', 'adapter_config.json', 'adapter_model.safetensors', edit);
    return async () => loadAdapter(a, model, {});
  },
});

const MODEL_CASES: Case[] = [
  ckpt('checkpoint: NaN weight', { tensors: (t) => poison(t, Q, NaN) }, 'model.safetensors', `tensor '${esc(Q)}' holds a non-finite value \\(NaN\\) at index 1`),
  ckpt('checkpoint: −Infinity weight', { tensors: (t) => poison(t, Q, -Infinity) }, 'model.safetensors', 'holds a non-finite value \\(-Infinity\\)'),
  ckpt('checkpoint: num_hidden_layers 1e9', { json: (c) => { c.num_hidden_layers = 1e9; } }, 'config.json', "field 'num_hidden_layers' is 1000000000, beyond the limit"),
  ckpt('checkpoint: config describes more than the file holds', { json: (c) => { c.num_hidden_layers = 200; } }, 'config.json', 'describes about .* parameters, but .*model\\.safetensors holds .* values; check num_hidden_layers'),
  { area: 'checkpoint', name: 'checkpoint: shard index naming ../', message: (d) => new RegExp(`${esc(join(d, 'm', 'model.safetensors.index.json'))}.*/weight_map/.* names '\\.\\./outside\\.safetensors', which is outside`),
    setup: async (dir) => {
      const m = await variant(dir, 'tiny-roberta-random', 'config.json', 'model.safetensors', {});
      rmSync(join(m, 'model.safetensors'));
      write(join(m, 'model.safetensors.index.json'), JSON.stringify({ metadata: {}, weight_map: { [Q]: '../outside.safetensors' } }));
      return async () => loadModel(m);
    } },
  adapter('adapter: NaN tensor', { tensors: (t) => poison(t, LORA_A, NaN) }, 'adapter_model.safetensors', `tensor '${esc(LORA_A)}' holds a non-finite value \\(NaN\\)`),
  adapter('adapter: unknown peft_type', { json: (c) => { c.peft_type = 'LORRA'; } }, 'adapter_config.json', "/peft_type 'LORRA' is not a method grasp-hil knows \\(did you mean 'LORA'\\?\\)"),
  adapter('adapter: unknown grasp_hil method', { json: (c) => { c.peft_type = 'GRASP'; c.grasp_hil = { method: 'gasp', options: {} }; } }, 'adapter_config.json', "/grasp_hil/method 'gasp' is not a registered method"),
  adapter('adapter: misspelt field', { json: (c) => { c.target_module = c.target_modules; } }, 'adapter_config.json', "/target_module is not a field of adapter_config\\.json \\(did you mean 'target_modules'\\?\\)"),
  adapter('adapter: negative rank', { json: (c) => { c.r = -1; } }, 'adapter_config.json', '/r must be an integer ≥ 1; got -1'),
  adapter('adapter: tensor of the wrong shape', { tensors: (t) => t.set(LORA_A, { shape: [4, 31], data: new Float32Array(124) }) }, 'adapter_model.safetensors', 'file has \\[4,31\\], this model needs \\[4,32\\]'),
];

const CASES = [...CLI_CASES, ...DATA_CASES, ...PROFILE_CASES, ...EXPERIMENT_CASES, ...MODEL_CASES];

describe('red team: every malformed input is a clear error before work, leaving nothing behind', () => {
  it('has at least 60 cases across every kind of input', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(60);
    for (const area of ['cli', 'data', 'profile', 'experiment', 'checkpoint', 'adapter']) expect(CASES.some((c) => c.area === area)).toBe(true);
  });

  CASES.forEach((c, i) => {
    it(`${c.area}: ${c.name}`, async () => {
      const dir = join(tmp, `case${i}`);
      mkdirSync(dir);
      const go = await c.setup(dir);
      const before = listing(tmp);
      const tensors = tf.memory().numTensors;
      const t0 = performance.now();
      const err = await go().then(() => null, (e: unknown) => e);
      const ms = performance.now() - t0;
      if (process.env.SHOW_MSG) console.log(`${c.name}: ${ms.toFixed(0)} ms: ${(err as Error | null)?.message?.slice(0, 400)}`);
      expect(err, 'expected an error').toBeInstanceOf(Error);
      expect(err instanceof UsageError ? 2 : 1).toBe(c.exit ?? 1);
      expect((err as Error).message).toMatch(typeof c.message === 'function' ? c.message(dir) : c.message);
      expect(ms).toBeLessThan(c.budget ?? 2000);
      expect(listing(tmp)).toEqual(before);
      expect(tf.memory().numTensors).toBe(tensors);
    }, 30_000);
  });
});

// ---------------------------------------------------------------- the real CLI, in child processes (≈ 4 s each, 13 s on a busy machine): one per exit code
interface ChildCase {
  name: string;
  args: (dir: string) => string[];
  code: 1 | 2;
  stderr: (dir: string) => RegExp;
}

const CHILD_CASES: ChildCase[] = [
  { name: 'train --seed abc', code: 1, args: (d) => [...TRAIN(d), '--seed', 'abc'],
    stderr: () => /^grasp-hil: --seed must be an integer in \[0, 4294967295\], got NaN \(not a number\)$/m },
  { name: 'params --rnak 4', code: 2, args: () => [...PARAMS, '--rnak', '4'],
    stderr: () => /^grasp-hil: unknown option for 'params': --rnak \(did you mean --rank\?\)$/m },
];

describe('red team through the real CLI: exit code, one clear line on stderr, nothing written', () => {
  CHILD_CASES.forEach((c, i) => {
    it(c.name, () => {
      const dir = join(tmp, `child${i}`);
      mkdirSync(dir);
      const args = c.args(dir);
      const before = listing(tmp);
      const t0 = performance.now();
      const r = runCli(args);
      if (process.env.SHOW_MSG) console.log(`${c.name}: ${(performance.now() - t0).toFixed(0)} ms: exit ${r.code}: ${r.stderr.slice(-400)}`);
      expect(r.code).toBe(c.code);
      expect(r.stderr).toMatch(c.stderr(dir));
      expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
      expect(r.stdout).toBe('');
      expect(performance.now() - t0).toBeLessThan(30_000);
      expect(listing(tmp)).toEqual(before);
    }, 60_000);
  });
});
