/**
 * Masked-language-model pre-training of an encoder with an LM head (RoBERTa recipe):
 *
 *   pack (once): tokenize every text without specials, join documents with </s>, cut into blocks
 *                of maxLength − 2 tokens wrapped as <s> … </s> (RoBERTa's FULL-SENTENCES packing)
 *   each step:   dynamic masking — every non-special token is chosen with probability 15 %;
 *                of those 80 % become <mask>, 10 % a random token, 10 % stay — then the loss is the
 *                cross-entropy over the chosen positions only.
 *
 * Efficiency: the chosen positions' hidden states are picked from [batch·seq, hidden] BEFORE the
 * LM head, so the vocabulary projection runs on M ≈ 0.15·batch·seq rows instead of all of them.
 * The pick is `embed` (gather forward, ScatterNd backward), which has a gradient on wasm where
 * gather's own (UnsortedSegmentSum) does not. The decoder is tied to the word embeddings (the
 * model's LM head). Every parameter trains (AdamW, warm-up + linear decay, clipping); at the end
 * the model keeps the trained values.
 */
import type { TaskInput } from '../data/task.js';
import { type Transformer } from '../model/index.js';
import { ParamTuning } from '../peft/param-tuning.js';
import { embed, Rng, tensorCount, tf } from '../tensor/index.js';
import { crossEntropy } from './losses.js';
import { AdamW } from './optim.js';
import { createProgress, type ProgressMode, type StepInfo } from './progress.js';
import { linearWarmupDecay, warmupSteps } from './schedule.js';
import { TrainingDivergedError } from './trainer.js';

/** What pre-training needs from a tokenizer (structurally the io/tokenizer `Tokenizer`). */
export interface MlmTokenizer {
  readonly vocabSize: number;
  readonly padId: number;
  readonly maskId: number | undefined;
  readonly clsId: number | undefined;
  readonly sepId: number | undefined;
  readonly specialIds: ReadonlySet<number>;
  encodeBatch(inputs: ReadonlyArray<TaskInput>, options?: { addSpecialTokens?: boolean }): { inputIds: number[][] };
}

export interface PretrainOptions {
  /** Optimiser steps (default: epochs over the packed blocks). */
  steps?: number;
  epochs?: number;
  batchSize?: number;
  /** Block length including <s> and </s> (default 128). */
  maxLength?: number;
  lr?: number;
  weightDecay?: number;
  warmupRatio?: number;
  clipNorm?: number;
  /** Share of tokens chosen for prediction (default 0.15). */
  maskProbability?: number;
  seed?: number;
  progress?: ProgressMode;
  checkMemory?: boolean;
  onStep?: (info: StepInfo & { masked: number; tensors: number }) => void;
}

export interface PretrainResult {
  steps: number;
  blocks: number;
  lastLoss: number;
  /** Mean loss of each epoch (or of the run when shorter than an epoch). */
  epochLosses: number[];
  tokensPerSecond: number;
  seconds: number;
}

/** Packs texts into blocks of `maxLength` ids: <s> … </s>. */
export function packBlocks(tokenizer: MlmTokenizer, texts: readonly string[], maxLength: number): Int32Array[] {
  const cls = tokenizer.clsId, sep = tokenizer.sepId;
  if (cls === undefined || sep === undefined) throw new Error('pretrain: the tokenizer needs <s>/[CLS] and </s>/[SEP] tokens');
  if (maxLength < 8) throw new Error(`pretrain: maxLength ${maxLength} is too short (≥ 8)`);
  const body = maxLength - 2;
  const stream: number[] = [];
  for (let s = 0; s < texts.length; s += 256) {
    const enc = tokenizer.encodeBatch(texts.slice(s, s + 256), { addSpecialTokens: false });
    for (const ids of enc.inputIds) if (ids.length) stream.push(...ids, sep);
  }
  const blocks: Int32Array[] = [];
  for (let at = 0; at + body <= stream.length || (at < stream.length && blocks.length === 0); at += body) {
    const piece = stream.slice(at, at + body);
    blocks.push(Int32Array.from([cls, ...piece, sep]));
  }
  return blocks;
}

interface MaskedBatch {
  inputIds: tf.Tensor2D;
  attentionMask: tf.Tensor2D;
  positions: tf.Tensor1D;
  labels: tf.Tensor1D;
  masked: number;
  tokens: number;
  dispose(): void;
}

/** Dynamic 80/10/10 masking of a batch of blocks (padded to the longest). */
export function maskBatch(blocks: readonly Int32Array[], tokenizer: MlmTokenizer, probability: number, rng: Rng): MaskedBatch {
  const maskId = tokenizer.maskId;
  if (maskId === undefined) throw new Error('pretrain: the tokenizer has no mask token');
  const b = blocks.length;
  const len = Math.max(...blocks.map((x) => x.length));
  const ids = new Int32Array(b * len).fill(tokenizer.padId);
  const att = new Float32Array(b * len);
  const positions: number[] = [];
  const labels: number[] = [];
  let tokens = 0;
  blocks.forEach((block, r) => {
    for (let t = 0; t < block.length; t++) {
      const id = block[t];
      const at = r * len + t;
      ids[at] = id;
      att[at] = 1;
      tokens++;
      if (tokenizer.specialIds.has(id) || rng.uniform() >= probability) continue;
      positions.push(at);
      labels.push(id);
      const u = rng.uniform();
      if (u < 0.8) ids[at] = maskId;
      else if (u < 0.9) ids[at] = rng.int(tokenizer.vocabSize);
    }
  });
  if (positions.length === 0) {
    // Always predict at least one token: the first non-special one.
    const at = blocks[0].findIndex((id) => !tokenizer.specialIds.has(id));
    if (at < 0) throw new Error('pretrain: a block holds only special tokens');
    positions.push(at);
    labels.push(ids[at]);
    ids[at] = maskId;
  }
  const inputIds = tf.tensor2d(ids, [b, len], 'int32');
  const attentionMask = tf.tensor2d(att, [b, len]);
  const pos = tf.tensor1d(Int32Array.from(positions), 'int32');
  const lab = tf.tensor1d(Int32Array.from(labels), 'int32');
  return {
    inputIds, attentionMask, positions: pos, labels: lab, masked: positions.length, tokens,
    dispose() {
      inputIds.dispose();
      attentionMask.dispose();
      pos.dispose();
      lab.dispose();
    },
  };
}

/** Pre-trains every parameter of `model` (an encoder with an LM head) on `texts`. */
export async function pretrain(model: Transformer, tokenizer: MlmTokenizer, texts: readonly string[], options: PretrainOptions = {}): Promise<PretrainResult> {
  const head = model.head;
  if (!head || head.kind !== 'lm') throw new Error('pretrain: the model needs an LM head (build it with head: "lm")');
  if (model.family !== 'encoder') throw new Error('pretrain: masked-LM pre-training is for encoders (BERT/RoBERTa)');
  const o = {
    batchSize: options.batchSize ?? 32, maxLength: options.maxLength ?? 128, lr: options.lr ?? 5e-4, weightDecay: options.weightDecay ?? 0.01,
    warmupRatio: options.warmupRatio ?? 0.06, clipNorm: options.clipNorm ?? 1, p: options.maskProbability ?? 0.15, seed: options.seed ?? 0,
  };
  const blocks = packBlocks(tokenizer, texts, o.maxLength);
  const perEpoch = Math.ceil(blocks.length / o.batchSize);
  const total = options.steps ?? (options.epochs ?? 1) * perEpoch;
  const epochs = Math.ceil(total / perEpoch);
  const tuning = new ParamTuning('pretrain', model, model.params.names(), {});
  const params = tuning.trainable().map((t) => ({ variable: t.variable, decay: t.decay }));
  const vars = params.map((p) => p.variable);
  const optimizer = new AdamW(params, { weightDecay: o.weightDecay });
  const warmup = warmupSteps(total, o.warmupRatio);
  const rng = new Rng(o.seed, 'pretrain');
  const progress = createProgress(total, options.progress ?? 'auto');
  const epochLosses: number[] = [];
  let step = 0, lastLoss = NaN, tokens = 0, baseline = -1;
  const started = Date.now();
  const H = model.config.hiddenSize;
  try {
    for (let epoch = 1; epoch <= epochs && step < total; epoch++) {
      const order = rng.fork(`epoch${epoch}`).permutation(blocks.length);
      let sum = 0, n = 0;
      for (let s = 0; s < order.length && step < total; s += o.batchSize) {
        const stepRng = rng.fork(`step${step}`);
        const batch = maskBatch(Array.from(order.subarray(s, s + o.batchSize), (i) => blocks[i]), tokenizer, o.p, stepRng.fork('mask'));
        const lr = linearWarmupDecay(step, total, warmup, o.lr);
        let loss = 0, norm = 0;
        try {
          tf.tidy(() => {
            const { value, grads } = tf.variableGrads(() => {
              const hidden = model.forward({ inputIds: batch.inputIds, attentionMask: batch.attentionMask }, { training: true, rng: stepRng.fork('dropout') });
              const rows = embed(tf.reshape(hidden, [-1, H]) as tf.Tensor2D, batch.positions, true);
              const logits = head.forward(tf.reshape(rows, [1, batch.masked, H]) as tf.Tensor3D, { inputIds: batch.inputIds });
              return crossEntropy(logits, batch.labels);
            }, vars);
            const sq = tf.addN(vars.map((v) => tf.sum(tf.square(grads[v.name]))));
            const values = tf.stack([value, sq]).dataSync();
            [loss, norm] = [values[0], Math.sqrt(values[1])];
            if (!Number.isFinite(loss) || !Number.isFinite(norm)) {
              throw new TrainingDivergedError(`pretrain: step ${step + 1} gave loss ${loss} and gradient norm ${norm} at learning rate ${lr.toExponential(3)}; lower the learning rate`);
            }
            optimizer.step(grads, lr, o.clipNorm > 0 && norm > o.clipNorm ? o.clipNorm / norm : 1);
          });
        } finally {
          batch.dispose();
        }
        step++;
        lastLoss = loss;
        sum += loss;
        n++;
        tokens += batch.tokens;
        const count = tensorCount();
        if (baseline < 0) baseline = count;
        else if (options.checkMemory && count > baseline) throw new Error(`pretrain: tensor count grew from ${baseline} to ${count} at step ${step}`);
        const info = { step, total, epoch, loss, lr, tokensPerSecond: tokens / ((Date.now() - started) / 1000) };
        progress.update(info);
        options.onStep?.({ ...info, masked: batch.masked, tensors: count });
      }
      epochLosses.push(sum / Math.max(1, n));
    }
  } finally {
    progress.stop();
    optimizer.dispose();
    tuning.commit();
  }
  const seconds = (Date.now() - started) / 1000;
  return { steps: step, blocks: blocks.length, lastLoss, epochLosses, tokensPerSecond: tokens / seconds, seconds };
}
