import {
  encodeExamples, evaluate, evaluateWithNoise, taskFromArg, initBackend, loadAdapter, loadCheckpoint, loadTokenizer, numOutputs, seededSubset, type LocalTaskType,
} from '../../internal.js';
import { printJson, withExamples, type Command } from '../command.js';

export const evaluateCommand: Command = {
  tensors: true,
  command: 'evaluate',
  describe: 'Evaluate a saved adapter on a task, optionally under injected weight noise',
  builder: (y) =>
    withExamples(
      y
        .option('model', { type: 'string', demandOption: true, describe: 'base model folder' })
        .option('adapter', { type: 'string', demandOption: true, describe: 'adapter folder, grasp-hil or Hugging Face PEFT (adapter_config.json + adapter_model.safetensors)' })
        .option('allow-base-mismatch', { type: 'boolean', default: false, describe: 'evaluate an adapter made for another base model' })
        .option('task', { type: 'string', demandOption: true, describe: 'task id (a GLUE task with --data, brown-genre, spam) or a local task folder (train.tsv, dev.tsv/test.tsv with sentence and label columns)' })
        .option('data', { type: 'string', describe: 'task data folder (GLUE TSV files)' })
        .option('task-type', { type: 'string', choices: ['classification', 'regression'], describe: 'a local task folder\'s labels: classes (default) or real-valued scores (regression: one output, Pearson/Spearman)' })
        .option('split', { type: 'string', describe: 'evaluation split (default: every split of the task)' })
        .option('max-length', { type: 'number', default: 128, describe: 'tokens per example, special tokens included' })
        .option('examples', { type: 'number', describe: 'use a fixed seeded subset of n examples per split (the same as train --eval-examples)' })
        .option('noise', { type: 'number', array: true, describe: 'σ of N(0, σ²) added to the adapted Sites’ merged weights (repeatable)' })
        .option('relative', { type: 'boolean', default: false, describe: 'σ as a fraction of each Site’s max |W|' })
        .option('samples', { type: 'number', default: 3, describe: 'noise draws per σ; draw i uses noise seed --seed + i' })
        .option('seed', { type: 'number', default: 0, describe: 'noise seed of the first draw (integer); the same seed as an experiment row gives that row\'s numbers' }),
      [
        ['grasp-hil evaluate --model models/tiny-roberta --adapter runs/grasp --task brown-genre --noise 0.01 0.02', 'clean and noisy accuracy'],
        ['grasp-hil evaluate --model models/tiny-roberta --adapter reports/quickstart/adapters/<key> --task brown-genre --split test --examples 256 --max-length 64 --noise 0.02 --seed 1 --samples 1', 'reproduces the quickstart row noise/<key>/σ=0.02/seed=1'],
      ],
    ),
  handler: async (argv) => {
    checkNoiseFlags(argv as { noise?: unknown; samples?: unknown; seed?: unknown; examples?: unknown });
    await initBackend(argv.backend);
    const { task, data } = taskFromArg(argv.task, argv.data, argv['task-type'] as LocalTaskType | undefined);
    const { model, report } = await loadCheckpoint(argv.model, { withHead: 'sequence-classification', numLabels: numOutputs(task) });
    const tokenizer = loadTokenizer(argv.model);
    const { adapter, headParams } = await loadAdapter(argv.adapter, model, {
      baseModel: argv.model, allowBaseMismatch: argv['allow-base-mismatch'], onWarning: (m) => console.error(`warning: ${m}`),
    });
    if (!headParams.length && report.initialised.length) {
      throw new Error(`${argv.adapter}: the adapter holds no classification head (modules_to_save) and ${argv.model} has none; evaluate needs a trained head`);
    }
    const splits = argv.split ? [argv.split] : Object.keys(data.evaluation);
    const rows: Record<string, unknown>[] = [];
    const sets = new Map<string, ReturnType<typeof encodeExamples>>();
    for (const split of splits) {
      const ex = data.evaluation[split];
      if (!ex) throw new Error(`task ${task.id} has no split '${split}'; splits: ${Object.keys(data.evaluation).join(', ')}`);
      sets.set(split, encodeExamples(tokenizer, seededSubset(ex, argv.examples, `${task.id}/${split}`), argv['max-length']));
      rows.push({ split, sigma: 0, metrics: evaluate(model, task, sets.get(split)!) });
    }
    if (argv.noise?.length) {
      const merged = adapter.merge();
      adapter.detach();
      for (const sigma of argv.noise as number[]) {
        for (const split of splits) {
          const r = evaluateWithNoise(model, merged, task, sets.get(split)!, { sigma, relative: argv.relative, samples: argv.samples, seed: argv.seed });
          rows.push({ split, sigma, relative: argv.relative, metrics: r.mean, draws: r.draws.length, seeds: r.detail.map((d) => d.seed), predictions: r.detail.map((d) => Array.from(d.predictions)) });
        }
      }
    }
    if (argv.json) return printJson(rows);
    for (const r of rows) {
      const m = r.metrics as Record<string, number>;
      console.log(`${r.split} σ=${r.sigma}: ${Object.entries(m).map(([k, v]) => `${k} ${v.toFixed(4)}`).join('  ')}`);
    }
  },
};

/** The numeric flags of the noise protocol, checked before anything loads. */
function checkNoiseFlags(argv: { noise?: unknown; samples?: unknown; seed?: unknown; examples?: unknown }): void {
  const bad = (flag: string, v: unknown, want: string) => new Error(`--${flag} must be ${want}, got ${String(v)}`);
  for (const s of (argv.noise as number[] | undefined) ?? []) if (!Number.isFinite(s) || s < 0) throw bad('noise', s, 'a finite σ ≥ 0 (weight units, or a fraction of max |W| with --relative)');
  if (!Number.isInteger(argv.samples) || (argv.samples as number) < 1) throw bad('samples', argv.samples, 'an integer ≥ 1');
  if (!Number.isSafeInteger(argv.seed)) throw bad('seed', argv.seed, 'an integer');
  if (argv.examples !== undefined && (!Number.isInteger(argv.examples) || (argv.examples as number) < 1)) throw bad('examples', argv.examples, 'an integer ≥ 1 (omit it to use the whole split)');
}
