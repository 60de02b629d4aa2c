/**
 * The recipe of the shipped model `models/tiny-roberta`: a small RoBERTa pre-trained with masked-LM
 * by grasp-hil's own trainer on the text of the shipped corpora's training splits (Brown corpus
 * training documents + SpamAssassin training messages; validation/test text is never seen, so the
 * built-in tasks' evaluation text stays unseen). Reproduce with `grasp-hil pretrain` (defaults below).
 *
 *   corpus → byte-level BPE (trained here) → config → random init → MLM → save (f16) + tokenizer
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brownSplits, spamSplits } from '../data/index.js';
import { loadModel, saveModel } from '../io/index.js';
import { loadTokenizer, trainByteLevelBpe, type Tokenizer } from '../io/tokenizer/index.js';
import { createModel, parseConfig, type TransformerConfig } from '../model/index.js';
import { Rng, tf } from '../tensor/index.js';
import { makeBlocks, pretrainMlm, type MlmResult, type MlmTokenizer } from './mlm.js';
import type { PretrainCheckpointing } from './pretrain-checkpoint.js';
import type { ProgressMode } from './progress.js';

export interface PretrainRecipe {
  vocabSize: number;
  hiddenSize: number;
  numLayers: number;
  numHeads: number;
  intermediateSize: number;
  /** Block length in tokens, `<s>` and `</s>` included. */
  seqLength: number;
  steps: number;
  batchSize: number;
  lr: number;
  seed: number;
  evalEvery: number;
  /** Continue from this saved model (its weights and tokenizer) instead of starting fresh. */
  init?: string | null;
  /**
   * Dropout while pre-training (default 0.1, RoBERTa's). The saved config.json always carries 0.1,
   * the fine-tuning dropout; budget-limited pre-training often does better without (Geiping &
   * Goldstein 2023, "Cramming").
   */
  dropout?: number;
  /** Equal micro-batches per batch, each with its own dropout stream (default 1); fixes the numbers. */
  microBatches?: number;
  /** Threads computing the micro-batches (≤ microBatches; default 1); does not change the numbers. */
  workers?: number;
  /**
   * Share of ordinary tokens chosen for prediction in each training batch (default 0.15, RoBERTa's;
   * 80/10/10 mask/random/keep either way). The held-out evaluation always masks 15 %.
   */
  maskProbability?: number;
  /**
   * How a fresh model's position embeddings start (ignored with `init`): 'normal' (default), as
   * `transformers` initialises them, or 'sinusoidal', Vaswani et al.'s sin/cos table scaled to the
   * same root-mean-square value (initializer_range) with the padding row 0. The architecture is unchanged
   * (learned absolute positions); only their starting values differ.
   */
  positionInit?: 'normal' | 'sinusoidal';
}

export const TINY_ROBERTA_RECIPE: PretrainRecipe = {
  vocabSize: 8192,
  hiddenSize: 128,
  numLayers: 4,
  numHeads: 4,
  intermediateSize: 512,
  seqLength: 128,
  steps: 1200,
  batchSize: 16,
  lr: 1e-3,
  seed: 0,
  evalEvery: 200,
};

/**
 * An 8-layer RoBERTa on which analog noise compounds over depth (models/deep-roberta): the
 * tokenizer of tiny-roberta (same text, same size), twice the layers, 4,000 steps of 32 blocks
 * (6.6 epochs) without dropout, on two threads with exact gradient averaging. 40 % of the tokens are
 * chosen for prediction and positions start sinusoidal: with RoBERTa's 15 % and normal positions its
 * attention stayed uniform and held-out accuracy stopped at 13.4 % (docs/models.md).
 */
export const DEEP_ROBERTA_RECIPE: PretrainRecipe = {
  ...TINY_ROBERTA_RECIPE,
  numLayers: 8,
  steps: 4000,
  batchSize: 32,
  lr: 2e-3,
  evalEvery: 250,
  dropout: 0,
  microBatches: 2,
  workers: 2,
  maskProbability: 0.4,
  positionInit: 'sinusoidal',
};

const FINE_TUNING_DROPOUT = 0.1;
const POSITIONS = 'embeddings.position_embeddings.weight';

/**
 * Position table [rows, dim]: row p holds sin(p·ω_i), cos(p·ω_i) in columns 2i, 2i+1 with
 * ω_i = 10000^(−2i/dim) (Vaswani et al. 2017), times rms·√2 so that its root-mean-square value is
 * `rms` (sin² + cos² = 1); row `padRow` is 0, as RoBERTa's padding position.
 */
export function sinusoidalPositions(rows: number, dim: number, rms: number, padRow: number | null): tf.Tensor2D {
  if (dim % 2 !== 0) throw new Error(`sinusoidal positions need an even hidden size, got ${dim}`);
  const data = new Float32Array(rows * dim);
  const a = rms * Math.SQRT2;
  for (let p = 0; p < rows; p++) {
    if (p === padRow) continue;
    for (let i = 0; i < dim / 2; i++) {
      const w = 10000 ** ((-2 * i) / dim);
      data[p * dim + 2 * i] = a * Math.sin(p * w);
      data[p * dim + 2 * i + 1] = a * Math.cos(p * w);
    }
  }
  return tf.tensor2d(data, [rows, dim]);
}

export interface PretrainReport {
  recipe: PretrainRecipe;
  /** Earlier runs this one continued (from the init model's PRETRAINING.json), oldest first. */
  previous: PretrainReport[];
  tokenizerSeconds: number;
  trainBlocks: number;
  heldOutBlocks: number;
  result: MlmResult;
}

/** The pre-training text of a split: Brown documents, then SpamAssassin messages. */
export function corpusTexts(split: 'train' | 'validation'): string[] {
  return [...brownSplits()[split].map((e) => e.input as string), ...spamSplits()[split].map((e) => e.input as string)];
}

function asMlmTokenizer(t: Tokenizer): MlmTokenizer {
  return t as unknown as MlmTokenizer;
}

/**
 * The RoBERTa config a recipe trains: its sizes, the tokenizer's vocabulary size and special ids,
 * positions for its block length, and its pre-training dropout (RoBERTa's 0.1 unless set).
 */
export function recipeConfig(recipe: PretrainRecipe, tokenizer: Pick<Tokenizer, 'vocabSize' | 'padId' | 'bosId' | 'eosId'>): TransformerConfig {
  return parseConfig({
    architectures: ['RobertaForMaskedLM'],
    model_type: 'roberta',
    vocab_size: tokenizer.vocabSize,
    hidden_size: recipe.hiddenSize,
    num_hidden_layers: recipe.numLayers,
    num_attention_heads: recipe.numHeads,
    intermediate_size: recipe.intermediateSize,
    hidden_act: 'gelu',
    hidden_dropout_prob: recipe.dropout ?? FINE_TUNING_DROPOUT,
    attention_probs_dropout_prob: recipe.dropout ?? FINE_TUNING_DROPOUT,
    max_position_embeddings: recipe.seqLength + 2,
    type_vocab_size: 1,
    initializer_range: 0.02,
    layer_norm_eps: 1e-5,
    pad_token_id: tokenizer.padId,
    bos_token_id: tokenizer.bosId,
    eos_token_id: tokenizer.eosId,
  }, 'pretrain recipe');
}

/** Runs the recipe and writes config.json, model.safetensors (f16), tokenizer files and PRETRAINING.json to `outDir`. */
export async function pretrainTinyRoberta(outDir: string, recipe: PretrainRecipe = TINY_ROBERTA_RECIPE, progress: ProgressMode = 'auto', checkpoint?: PretrainCheckpointing): Promise<PretrainReport> {
  const trainTexts = corpusTexts('train');
  const heldTexts = corpusTexts('validation');
  const t0 = performance.now();
  const tokenizer = recipe.init ? loadTokenizer(recipe.init) : trainByteLevelBpe(trainTexts, { vocabSize: recipe.vocabSize, modelMaxLength: recipe.seqLength });
  const tokenizerSeconds = (performance.now() - t0) / 1000;
  const tok = asMlmTokenizer(tokenizer);
  const previousFile = recipe.init ? join(recipe.init, 'PRETRAINING.json') : null;
  const previous: PretrainReport[] = [];
  if (previousFile && existsSync(previousFile)) {
    const p = JSON.parse(readFileSync(previousFile, 'utf8')) as PretrainReport;
    previous.push(...(p.previous ?? []), { ...p, previous: [] });
  }
  const config = recipeConfig(recipe, tokenizer);
  const model = recipe.init ? await loadModel(recipe.init, { withHead: 'lm' }) : createModel(config, new Rng(recipe.seed, 'pretrain/init'), { head: 'lm' });
  if (!recipe.init && recipe.positionInit === 'sinusoidal') {
    model.params.set(POSITIONS, sinusoidalPositions(config.maxPositions, config.hiddenSize, config.initializerRange, config.padTokenId));
  }
  try {
    const train = makeBlocks(tok, trainTexts, recipe.seqLength);
    const held = makeBlocks(tok, heldTexts, recipe.seqLength);
    const result = await pretrainMlm(model, tok, train, held, {
      steps: recipe.steps, batchSize: recipe.batchSize, seqLength: recipe.seqLength, lr: recipe.lr, seed: recipe.seed,
      evalEvery: recipe.evalEvery, progress, microBatches: recipe.microBatches, workers: recipe.workers, checkpoint,
      ...(recipe.maskProbability !== undefined ? { maskProbability: recipe.maskProbability } : {}),
      ...(recipe.positionInit && !recipe.init ? { checkpointSettings: { positionInit: recipe.positionInit } } : {}),
    });
    mkdirSync(outDir, { recursive: true });
    await saveModel(model, outDir, { dtype: 'F16' });
    if ((recipe.dropout ?? FINE_TUNING_DROPOUT) !== FINE_TUNING_DROPOUT) {
      const file = join(outDir, 'config.json');
      const saved = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
      writeFileSync(file, `${JSON.stringify({ ...saved, hidden_dropout_prob: FINE_TUNING_DROPOUT, attention_probs_dropout_prob: FINE_TUNING_DROPOUT }, null, 2)}\n`);
    }
    tokenizer.save(outDir);
    const report: PretrainReport = { recipe, previous, tokenizerSeconds, trainBlocks: train.length, heldOutBlocks: held.length, result };
    writeFileSync(join(outDir, 'PRETRAINING.json'), `${JSON.stringify(report, null, 2)}\n`);
    return report;
  } finally {
    model.dispose();
  }
}
