/**
 * The recipe of the shipped decoder `models/tiny-gpt2`: a small GPT-2-layout model (pre-LN blocks,
 * fused c_attn, Conv1D weights [in, out], tied LM head, gelu_new) pre-trained with the causal-LM loss
 * by grasp-hil's own trainer (clm.ts) on the text of the shipped corpora's training splits (Brown
 * training documents + SpamAssassin training messages; validation/test text is never seen).
 * Reproduce with `grasp-hil pretrain --preset tiny-gpt2`.
 *
 *   corpus → byte-level BPE with `<|endoftext|>` (trained here) → GPT-2 config → random init
 *   (N(0, 0.02), seed stream 'pretrain/init') → causal LM → save (f16) + tokenizer + PRETRAINING.json
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brownSplits, spamSplits } from '../data/index.js';
import { saveModel } from '../io/index.js';
import { trainByteLevelBpe } from '../io/tokenizer/index.js';
import { createModel, parseConfig } from '../model/index.js';
import { Rng } from '../tensor/index.js';
import { packClmBlocks, pretrainClm, type ClmResult } from './clm.js';
import type { PretrainRecipe } from './pretrain-recipe.js';
import type { PretrainCheckpointing } from './pretrain-checkpoint.js';
import type { ProgressMode } from './progress.js';

export const TINY_GPT2_RECIPE: PretrainRecipe = {
  vocabSize: 2048,
  hiddenSize: 96,
  numLayers: 2,
  numHeads: 4,
  intermediateSize: 384,
  seqLength: 96,
  steps: 500,
  batchSize: 16,
  lr: 3e-3,
  seed: 0,
  evalEvery: 100,
};

export interface ClmPretrainReport {
  recipe: PretrainRecipe;
  tokenizerSeconds: number;
  trainBlocks: number;
  heldOutBlocks: number;
  result: ClmResult;
}

function corpusTexts(split: 'train' | 'validation'): string[] {
  return [...brownSplits()[split].map((e) => e.input as string), ...spamSplits()[split].map((e) => e.input as string)];
}

/** Runs the recipe; writes config.json, model.safetensors (f16), tokenizer files and PRETRAINING.json to `outDir`. */
export async function pretrainTinyGpt2(outDir: string, recipe: PretrainRecipe = TINY_GPT2_RECIPE, progress: ProgressMode = 'auto', checkpoint?: PretrainCheckpointing): Promise<ClmPretrainReport> {
  if (recipe.init) throw new Error('pretrain --preset tiny-gpt2: --init is not supported for the decoder recipe; start from scratch');
  const trainTexts = corpusTexts('train');
  const heldTexts = corpusTexts('validation');
  const t0 = performance.now();
  const tokenizer = trainByteLevelBpe(trainTexts, { vocabSize: recipe.vocabSize, specialTokens: ['<|endoftext|>'], modelMaxLength: recipe.seqLength });
  const tokenizerSeconds = (performance.now() - t0) / 1000;
  const eos = tokenizer.eosId;
  const config = parseConfig({
    architectures: ['GPT2LMHeadModel'],
    model_type: 'gpt2',
    vocab_size: tokenizer.vocabSize,
    n_embd: recipe.hiddenSize,
    n_layer: recipe.numLayers,
    n_head: recipe.numHeads,
    n_inner: recipe.intermediateSize,
    n_positions: recipe.seqLength,
    n_ctx: recipe.seqLength,
    activation_function: 'gelu_new',
    resid_pdrop: 0.1,
    embd_pdrop: 0.1,
    attn_pdrop: 0.1,
    layer_norm_epsilon: 1e-5,
    initializer_range: 0.02,
    bos_token_id: eos,
    eos_token_id: eos,
    scale_attn_weights: true,
  }, 'pretrain recipe tiny-gpt2');
  const model = createModel(config, new Rng(recipe.seed, 'pretrain/init'), { head: 'lm' });
  try {
    const train = packClmBlocks(tokenizer, trainTexts, recipe.seqLength);
    const held = packClmBlocks(tokenizer, heldTexts, recipe.seqLength);
    const result = await pretrainClm(model, train, held, { steps: recipe.steps, batchSize: recipe.batchSize, lr: recipe.lr, seed: recipe.seed, evalEvery: recipe.evalEvery, progress, checkpoint });
    mkdirSync(outDir, { recursive: true });
    await saveModel(model, outDir, { dtype: 'F16' });
    tokenizer.save(outDir);
    const report: ClmPretrainReport = { recipe, tokenizerSeconds, trainBlocks: train.length, heldOutBlocks: held.length, result };
    writeFileSync(join(outDir, 'PRETRAINING.json'), `${JSON.stringify(report, null, 2)}\n`);
    return report;
  } finally {
    model.dispose();
  }
}
