import { initBackend, pretrainTinyRoberta, TINY_ROBERTA_RECIPE } from '../../internal.js';
import { printJson, withExamples, type Command } from '../command.js';
import { checkFlags, COUNT, POSITIVE, SEED } from '../flags.js';

const R = TINY_ROBERTA_RECIPE;

export const pretrain: Command = {
  tensors: true,
  command: 'pretrain',
  describe: 'Pre-train the small RoBERTa that ships as models/tiny-roberta (masked-LM on the shipped corpora)',
  builder: (y) =>
    withExamples(
      y.option('out', { type: 'string', default: 'models/tiny-roberta', describe: 'output folder (HF layout: config.json, model.safetensors, tokenizer files)' })
        .option('vocab', { type: 'number', default: R.vocabSize, describe: 'BPE vocabulary size' })
        .option('hidden', { type: 'number', default: R.hiddenSize, describe: 'hidden size (width of every layer)' })
        .option('layers', { type: 'number', default: R.numLayers, describe: 'transformer layers' })
        .option('heads', { type: 'number', default: R.numHeads, describe: 'attention heads (must divide --hidden)' })
        .option('ffn', { type: 'number', default: R.intermediateSize, describe: 'intermediate (feed-forward) width' })
        .option('seq', { type: 'number', default: R.seqLength, describe: 'block length in tokens, <s> and </s> included' })
        .option('steps', { type: 'number', default: R.steps, describe: 'optimiser steps' })
        .option('batch', { type: 'number', default: R.batchSize, describe: 'blocks per step' })
        .option('lr', { type: 'number', default: R.lr, describe: 'peak learning rate of AdamW (warm-up, then linear decay)' })
        .option('seed', { type: 'number', default: R.seed, describe: 'seed of the initialisation, masking and data order' })
        .option('eval-every', { type: 'number', default: R.evalEvery, describe: 'steps between held-out masked-LM evaluations' })
        .option('init', { type: 'string', describe: 'continue from this saved model (weights and tokenizer) for --steps more steps' }),
      [
        ['grasp-hil pretrain', 'reproduce the shipped model (about 50 minutes on 2 cores with wasm)'],
        ['grasp-hil pretrain --out /tmp/tiny --steps 50', 'a quick trial run'],
        ['grasp-hil pretrain --init models/tiny-roberta --out /tmp/more --steps 2000 --seed 1', 'continue pre-training a saved model'],
      ],
    ),
  handler: async (argv) => {
    checkFlags(argv, {
      vocab: COUNT, hidden: COUNT, layers: COUNT, heads: COUNT, ffn: COUNT, seq: { integer: true, min: 3 }, steps: COUNT, batch: COUNT,
      lr: POSITIVE, seed: SEED, 'eval-every': COUNT,
    });
    await initBackend(argv.backend);
    const report = await pretrainTinyRoberta(String(argv.out), {
      vocabSize: argv.vocab, hiddenSize: argv.hidden, numLayers: argv.layers, numHeads: argv.heads, intermediateSize: argv.ffn,
      seqLength: argv.seq, steps: argv.steps, batchSize: argv.batch, lr: argv.lr, seed: argv.seed, evalEvery: argv['eval-every'], init: argv.init ?? null,
    }, argv.json ? 'none' : 'auto');
    if (argv.json) return printJson(report);
    const f = report.result.final;
    console.log(`saved ${argv.out}: ${report.trainBlocks} training blocks, ${report.result.steps} steps in ${report.result.seconds.toFixed(0)} s (${report.result.tokensPerSecond.toFixed(0)} tokens/s)`);
    console.log(`held-out masked-LM loss ${f.loss.toFixed(4)}, accuracy ${(f.accuracy * 100).toFixed(2)} %`);
  },
};
