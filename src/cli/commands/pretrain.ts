import { getPretrainPreset, initBackend, PRETRAIN_PRESETS, type PretrainRecipe } from '../../internal.js';
import { printJson, withExamples, type Command } from '../command.js';
import { checkFlags, COUNT, POSITIVE, SEED } from '../flags.js';

const PRESETS = Object.keys(PRETRAIN_PRESETS);
const fromPreset = 'default: the preset\'s recipe';

export const pretrain: Command = {
  tensors: true,
  command: 'pretrain',
  describe: 'Pre-train a shipped model: tiny-roberta or deep-roberta (masked-LM), tiny-gpt2 (causal LM), on the shipped corpora',
  builder: (y) =>
    withExamples(
      y.option('preset', { type: 'string', choices: PRESETS, default: 'tiny-roberta', describe: `the recipe: ${PRESETS.map((p) => `${p} (${PRETRAIN_PRESETS[p].describe})`).join('; ')}` })
        .option('out', { type: 'string', describe: "output folder (HF layout: config.json, model.safetensors, tokenizer files); default: the preset's models/<preset>" })
        .option('vocab', { type: 'number', describe: `BPE vocabulary size (${fromPreset})` })
        .option('hidden', { type: 'number', describe: `hidden size, the width of every layer (${fromPreset})` })
        .option('layers', { type: 'number', describe: `transformer layers (${fromPreset})` })
        .option('heads', { type: 'number', describe: `attention heads, must divide --hidden (${fromPreset})` })
        .option('ffn', { type: 'number', describe: `intermediate (feed-forward) width (${fromPreset})` })
        .option('seq', { type: 'number', describe: `block length in tokens, specials included; tiny-gpt2: also its positions (${fromPreset})` })
        .option('steps', { type: 'number', describe: `optimiser steps (${fromPreset})` })
        .option('batch', { type: 'number', describe: `blocks per step (${fromPreset})` })
        .option('lr', { type: 'number', describe: `peak learning rate of AdamW, warm-up then linear decay (${fromPreset})` })
        .option('mask', { type: 'number', describe: `share of tokens chosen for prediction in each training batch, 80/10/10 mask/random/keep; the held-out evaluation always uses 0.15 (${fromPreset})` })
        .option('position-init', { type: 'string', choices: ['normal', 'sinusoidal'], describe: `a fresh model's position embeddings: normal as transformers initialises them, or a sin/cos table of the same std (${fromPreset})` })
        .option('seed', { type: 'number', describe: `seed of the initialisation, masking and data order (${fromPreset})` })
        .option('eval-every', { type: 'number', describe: `steps between held-out evaluations (${fromPreset})` })
        .option('workers', { type: 'number', describe: `threads computing each batch's micro-batches, at most the recipe's micro-batches (${fromPreset}); the weights do not depend on it` })
        .option('init', { type: 'string', describe: 'tiny-roberta: continue from this saved model (weights and tokenizer) for --steps more steps' })
        .option('checkpoint', { type: 'string', describe: 'checkpoint folder: the run saves weights, optimiser state, data order and stream positions there, and resumes from it when it already holds a checkpoint of the same recipe (the result is the same as a run that never stopped)' })
        .option('checkpoint-every', { type: 'number', describe: 'steps between checkpoints (default: the recipe\'s --eval-every); one is also written after the last step' }),
      [
        ['grasp-hil pretrain', 'reproduce the shipped tiny-roberta (about 50 minutes on 2 cores with wasm)'],
        ['grasp-hil pretrain --preset deep-roberta', 'reproduce the shipped 8-layer deep-roberta (both cores)'],
        ['grasp-hil pretrain --preset tiny-gpt2', 'reproduce the shipped tiny-gpt2 decoder (causal LM)'],
        ['grasp-hil pretrain --out /tmp/tiny --steps 50', 'a quick trial run'],
        ['grasp-hil pretrain --init models/tiny-roberta --out /tmp/more --steps 2000 --seed 1', 'continue pre-training a saved model'],
        ['grasp-hil pretrain --preset deep-roberta --out /tmp/deep --checkpoint /tmp/deep-ckpt', 'stoppable: run the same command again to continue where it stopped'],
      ],
    ),
  handler: async (argv) => {
    checkFlags(argv, {
      vocab: COUNT, hidden: COUNT, layers: COUNT, heads: COUNT, ffn: COUNT, seq: { integer: true, min: 3 }, steps: COUNT, batch: COUNT,
      lr: POSITIVE, mask: { above: 0, max: 0.9 }, seed: SEED, 'eval-every': COUNT, workers: COUNT, 'checkpoint-every': COUNT,
    });
    const preset = getPretrainPreset(String(argv.preset));
    const R = preset.recipe;
    const recipe: PretrainRecipe = {
      vocabSize: argv.vocab ?? R.vocabSize, hiddenSize: argv.hidden ?? R.hiddenSize, numLayers: argv.layers ?? R.numLayers, numHeads: argv.heads ?? R.numHeads,
      intermediateSize: argv.ffn ?? R.intermediateSize, seqLength: argv.seq ?? R.seqLength, steps: argv.steps ?? R.steps, batchSize: argv.batch ?? R.batchSize,
      lr: argv.lr ?? R.lr, seed: argv.seed ?? R.seed, evalEvery: argv['eval-every'] ?? R.evalEvery, init: argv.init ?? null,
      dropout: R.dropout, microBatches: R.microBatches, workers: argv.workers ?? R.workers,
      maskProbability: argv.mask ?? R.maskProbability, positionInit: (argv['position-init'] as PretrainRecipe['positionInit']) ?? R.positionInit,
    };
    await initBackend(argv.backend);
    const out = String(argv.out ?? preset.out);
    const checkpoint = argv.checkpoint ? { dir: String(argv.checkpoint), every: argv['checkpoint-every'] ?? recipe.evalEvery } : undefined;
    if (!checkpoint && argv['checkpoint-every'] !== undefined) throw new Error('--checkpoint-every needs --checkpoint <folder>');
    const { report, summary } = await preset.run(out, recipe, argv.json ? 'none' : 'auto', checkpoint);
    if (argv.json) return printJson(report);
    console.log(`saved ${out}: ${summary}`);
  },
};
