import {
  encodeExamples, evaluate, evaluateWithNoise, getTask, initBackend, loadAdapter, loadCheckpoint, loadTokenizer, numOutputs, seededSubset,
} from '../../index.js';
import { printJson, withExamples, type Command } from '../command.js';

export const evaluateCommand: Command = {
  command: 'evaluate',
  describe: 'Evaluate a saved adapter on a task, optionally under injected weight noise',
  builder: (y) =>
    withExamples(
      y
        .option('model', { type: 'string', demandOption: true, describe: 'base model folder' })
        .option('adapter', { type: 'string', demandOption: true, describe: 'adapter folder, grasp-hil or Hugging Face PEFT (adapter_config.json + adapter_model.safetensors)' })
        .option('allow-base-mismatch', { type: 'boolean', default: false, describe: 'evaluate an adapter made for another base model' })
        .option('task', { type: 'string', demandOption: true })
        .option('data', { type: 'string', describe: 'task data folder (GLUE TSV files)' })
        .option('split', { type: 'string', describe: 'evaluation split (default: every split of the task)' })
        .option('max-length', { type: 'number', default: 128 })
        .option('examples', { type: 'number', describe: 'use a fixed seeded subset of n examples per split (the same as train --eval-examples)' })
        .option('noise', { type: 'number', array: true, describe: 'σ of N(0, σ²) added to the adapted Sites’ merged weights (repeatable)' })
        .option('relative', { type: 'boolean', default: false, describe: 'σ as a fraction of each Site’s max |W|' })
        .option('samples', { type: 'number', default: 3, describe: 'noise draws per σ' })
        .option('seed', { type: 'number', default: 0 }),
      [['grasp-hil evaluate --model models/tiny-roberta --adapter runs/grasp --task brown-genre --noise 0.01 0.02', 'clean and noisy accuracy']],
    ),
  handler: async (argv) => {
    await initBackend(argv.backend);
    const task = getTask(argv.task);
    const data = task.load({ dataDir: argv.data });
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
          rows.push({ split, sigma, relative: argv.relative, metrics: r.mean, draws: r.draws.length });
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
