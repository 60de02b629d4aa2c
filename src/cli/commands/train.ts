import {
  attachMethod, taskFromArg, initBackend, loadModel, loadTokenizer, numOutputs, Rng, saveAdapter, train, type LocalTaskType,
} from '../../internal.js';
import { printJson, withExamples, type Command } from '../command.js';
import { checkFlags, checkRowsFlag, COUNT, FINITE, FRACTION, NONNEG, POSITIVE, SEED, type FlagRule } from '../flags.js';
import { methodOptions } from './method-options.js';

/** Every numeric flag of `train`, checked before anything loads. */
export const TRAIN_FLAGS: Record<string, FlagRule> = {
  k: COUNT, rank: COUNT, alpha: FINITE, epochs: COUNT, 'max-steps': COUNT, 'batch-size': COUNT, lr: POSITIVE, 'head-lr': POSITIVE,
  'weight-decay': NONNEG, 'warmup-ratio': FRACTION, 'clip-norm': NONNEG, 'max-length': { integer: true, min: 3 },
  'train-examples': COUNT, 'eval-examples': COUNT, seed: SEED,
};

export const trainCommand: Command = {
  tensors: true,
  command: 'train',
  describe: 'Fine-tune a model on a task with a PEFT method and save the adapter',
  builder: (y) =>
    withExamples(
      y
        .option('model', { type: 'string', demandOption: true, describe: 'model folder (config.json, weights, tokenizer)' })
        .option('task', { type: 'string', demandOption: true, describe: 'task id (cola, sst2, mrpc, stsb, qqp, mnli, qnli, rte, brown-genre, spam) or a local task folder (train.tsv, dev.tsv/test.tsv with sentence and label columns)' })
        .option('data', { type: 'string', describe: 'task data folder (GLUE TSV files)' })
        .option('task-type', { type: 'string', choices: ['classification', 'regression'], describe: 'a local task folder\'s labels: classes (default) or real-valued scores (regression: one output, Pearson/Spearman)' })
        .option('method', { type: 'string', demandOption: true, describe: 'grasp | stochgrasp | grasp-weight | lora | bitfit | ia3 | red | full | top-k' })
        .option('k', { type: 'number', describe: 'groups per Site (GRASP family); blocks for top-k' })
        .option('rows', { type: 'string', describe: "row groups (StochGRASP, grasp-weight): a count or 'all'" })
        .option('sites', { type: 'string', describe: "Site selector: all-linear | kvff2 | ff2 | qv | suffixes | /regex/ (default: the method's)" })
        .option('rank', { type: 'number', describe: 'LoRA rank r (default 8)' })
        .option('alpha', { type: 'number', describe: 'LoRA scaling α; the update is (α/r)·B·A (default 2r)' })
        .option('option', { type: 'string', array: true, describe: 'any method option as key=value (repeatable), e.g. lambda=0.05' })
        .option('epochs', { type: 'number', default: 3, describe: 'passes over the training set' })
        .option('max-steps', { type: 'number', describe: 'total steps (overrides epochs)' })
        .option('batch-size', { type: 'number', default: 16, describe: 'examples per step' })
        .option('lr', { type: 'number', default: 1e-3, describe: 'peak learning rate of AdamW (warm-up, then linear decay to 0)' })
        .option('head-lr', { type: 'number', describe: 'learning rate of the task head (default: --lr)' })
        .option('weight-decay', { type: 'number', default: 0.01, describe: 'AdamW decoupled weight decay (not on biases and LayerNorm)' })
        .option('warmup-ratio', { type: 'number', default: 0.06, describe: 'fraction of the steps spent warming up the learning rate' })
        .option('clip-norm', { type: 'number', default: 1, describe: 'global gradient-norm clip (0: none)' })
        .option('max-length', { type: 'number', default: 128, describe: 'tokens per example, special tokens included (longer ones are truncated)' })
        .option('train-examples', { type: 'number', describe: 'use a fixed seeded subset of n training examples' })
        .option('eval-examples', { type: 'number', describe: 'use a fixed seeded subset of n evaluation examples per split' })
        .option('seed', { type: 'number', default: 0, describe: 'seed of the adapter initialisation, data order, dropout and noise streams' })
        .option('out', { type: 'string', demandOption: true, describe: 'adapter folder to write' }),
      [
        ['grasp-hil train --model models/tiny-roberta --task brown-genre --method grasp --k 32 --out runs/grasp', 'GRASP on Brown genres'],
        ['grasp-hil train --model roberta-base --task sst2 --data glue_data --method lora --rank 8 --lr 5e-4 --out runs/lora', 'LoRA on SST-2'],
      ],
    ),
  handler: async (argv) => {
    checkFlags(argv, TRAIN_FLAGS);
    checkRowsFlag(argv.rows);
    await initBackend(argv.backend);
    const { task, data } = taskFromArg(argv.task, argv.data, argv['task-type'] as LocalTaskType | undefined);
    const model = await loadModel(argv.model, { withHead: 'sequence-classification', numLabels: numOutputs(task) });
    const tokenizer = loadTokenizer(argv.model);
    const adapter = attachMethod(model, argv.method, methodOptions(argv), new Rng(argv.seed, 'init'));
    const result = await train({ model, adapter, task, data, tokenizer }, {
      epochs: argv.epochs, maxSteps: argv['max-steps'], batchSize: argv['batch-size'], lr: argv.lr, headLr: argv['head-lr'],
      weightDecay: argv['weight-decay'], warmupRatio: argv['warmup-ratio'], clipNorm: argv['clip-norm'], maxLength: argv['max-length'],
      trainExamples: argv['train-examples'], evalExamples: argv['eval-examples'], seed: argv.seed, progress: argv.json ? 'none' : 'auto',
    });
    await saveAdapter(argv.out, model, adapter, { head: result.headState, baseModel: argv.model, taskType: 'SEQ_CLS' });
    const summary = {
      method: adapter.method, task: task.id, trainable: result.trainableParams, head: result.headParams, steps: result.steps,
      best: result.best, final: result.final, tokensPerSecond: result.tokensPerSecond, seconds: result.seconds, adapter: argv.out,
      ...(result.sigma ? { sigma: { meanRatio: result.sigma.meanRatio, warning: result.sigma.warning } } : {}),
    };
    if (argv.json) return printJson(summary);
    for (const [split, m] of Object.entries(result.final)) {
      console.log(`${split}: ${Object.entries(m).map(([k, v]) => `${k} ${v.toFixed(4)}`).join('  ')}`);
    }
    console.log(`trainable ${result.trainableParams} (+ head ${result.headParams}), ${result.steps} steps, ${Math.round(result.tokensPerSecond)} tokens/s; adapter saved to ${argv.out}`);
  },
};
