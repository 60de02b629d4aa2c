/**
 * Masked-language-model pre-training (RoBERTa recipe, Liu et al. 2019): every parameter trains;
 * text is tokenised, concatenated and cut into full-length blocks (`<s> … </s>`); each batch is
 * masked afresh (dynamic masking): 15 % of the non-special tokens are chosen, of which 80 % become
 * `<mask>`, 10 % a random token and 10 % stay; the loss is cross-entropy over the chosen tokens only.
 *
 * Efficiency: the vocabulary projection is applied only to the chosen positions. Their hidden
 * states are picked with `embed` (a gather whose gradient is a ScatterNd, registered on wasm)
 * before the LM head, so a step costs the encoder plus 15 % of the full-vocabulary projection.
 */
import type { Model } from '../model/index.js';
import { embed, Rng, tf } from '../tensor/index.js';
import { crossEntropy, lossAndHits } from './losses.js';
import { pretrainLoop, type PretrainRun } from './pretrain-loop.js';
import type { PretrainCheckpointing } from './pretrain-checkpoint.js';
import type { ProgressMode } from './progress.js';

/** What MLM needs of a tokenizer (the io/tokenizer `Tokenizer` satisfies it). */
export interface MlmTokenizer {
  encode(text: string, pair?: string, options?: { addSpecialTokens?: boolean }): { ids: number[] };
  readonly vocabSize: number;
  readonly maskId: number | undefined;
  readonly bosId: number | undefined;
  readonly eosId: number | undefined;
  readonly padId: number;
  readonly specialIds: ReadonlySet<number> | readonly number[];
}

export interface MlmOptions {
  /** Optimiser steps. */
  steps: number;
  batchSize?: number;
  /** Block length including `<s>` and `</s>` (≤ the model's maximum). */
  seqLength?: number;
  lr?: number;
  weightDecay?: number;
  warmupRatio?: number;
  clipNorm?: number;
  maskProbability?: number;
  seed?: number;
  /** Evaluate on the held-out blocks every this many steps (and at the end). */
  evalEvery?: number;
  /** At most this many held-out blocks per evaluation. */
  evalBlocks?: number;
  progress?: ProgressMode;
  /** Called after each evaluation. */
  onEval?: (record: MlmEval) => void;
  /** Cut each batch into this many equal micro-batches, each with its own dropout stream (default 1: the whole batch at once). */
  microBatches?: number;
  /** Threads computing micro-batches in parallel (≤ microBatches; default 1). Results do not depend on it. */
  workers?: number;
  /** Called after each step with its loss and the engine's live tensor count. */
  onStep?: (info: { step: number; loss: number; tensors: number }) => void;
  /** Checkpoint every `every` steps to `dir`, and resume from it when it holds one (pretrain-checkpoint.ts). */
  checkpoint?: PretrainCheckpointing;
  /** More settings a checkpoint must match to be resumed (e.g. how the caller initialised the model). */
  checkpointSettings?: Record<string, string | number>;
}

export interface MlmEval {
  step: number;
  /** Mean cross-entropy (nats) over masked tokens, and the accuracy of predicting them. */
  loss: number;
  accuracy: number;
  maskedTokens: number;
}

export type MlmResult = PretrainRun<MlmEval>;

/** Tokenises texts, concatenates them and cuts blocks of `seqLength` (specials included). */
export function makeBlocks(tokenizer: MlmTokenizer, texts: readonly string[], seqLength: number): Int32Array[] {
  const bos = need(tokenizer.bosId, 'bos (<s>)'), eos = need(tokenizer.eosId, 'eos (</s>)');
  const body = seqLength - 2;
  const blocks: Int32Array[] = [];
  let cur: number[] = [];
  for (const t of texts) {
    const ids = tokenizer.encode(t, undefined, { addSpecialTokens: false }).ids;
    for (const id of ids) {
      cur.push(id);
      if (cur.length === body) {
        blocks.push(Int32Array.from([bos, ...cur, eos]));
        cur = [];
      }
    }
  }
  return blocks;
}

function need(v: number | undefined, what: string): number {
  if (v === undefined) throw new Error(`MLM pre-training: the tokenizer has no ${what} token`);
  return v;
}

export interface MaskedBatch {
  /** [rows·length] row-major. */
  inputIds: Int32Array;
  rows: number;
  length: number;
  /** Flat positions (b·L + t) of the chosen tokens and their original ids. */
  positions: Int32Array;
  labels: Int32Array;
}

/** RoBERTa's dynamic masking of `blocks` (never masks specials; at least one token per batch). */
export function maskBlocks(blocks: readonly Int32Array[], tok: MlmTokenizer, rng: Rng, p = 0.15): MaskedBatch {
  const L = blocks[0].length;
  const specials = new Set<number>(tok.specialIds as Iterable<number>);
  const mask = need(tok.maskId, 'mask (<mask>)');
  const inputIds = new Int32Array(blocks.length * L);
  const pos: number[] = [];
  const labels: number[] = [];
  blocks.forEach((b, i) => inputIds.set(b, i * L));
  for (let i = 0; i < inputIds.length; i++) {
    const id = inputIds[i];
    if (specials.has(id) || rng.uniform() >= p) continue;
    pos.push(i);
    labels.push(id);
    const r = rng.uniform();
    if (r < 0.8) inputIds[i] = mask;
    else if (r < 0.9) {
      let rand = rng.int(tok.vocabSize);
      while (specials.has(rand)) rand = rng.int(tok.vocabSize);
      inputIds[i] = rand;
    }
  }
  if (pos.length === 0) {
    const i = 1; // first body token of the first block
    pos.push(i);
    labels.push(inputIds[i]);
    inputIds[i] = mask;
  }
  return { inputIds, rows: blocks.length, length: L, positions: Int32Array.from(pos), labels: Int32Array.from(labels) };
}

/** Logits over the vocabulary for the chosen positions only: [M, vocab]. */
function maskedLogits(model: Model, batch: MaskedBatch, training: boolean, rng: Rng | undefined): tf.Tensor2D {
  const B = batch.rows, L = batch.length;
  const head = model.head;
  if (!head || head.kind !== 'lm') throw new Error('MLM pre-training needs a model with an LM head (createModel(config, rng, { head: "lm" }))');
  const inputIds = tf.tensor2d(batch.inputIds, [B, L], 'int32');
  const hidden = model.forward({ inputIds }, { training, rng });
  const H = hidden.shape[2];
  const rows = embed(tf.reshape(hidden, [B * L, H]) as tf.Tensor2D, tf.tensor1d(batch.positions, 'int32'), true);
  const M = batch.positions.length;
  return tf.reshape(head.forward(tf.reshape(rows, [1, M, H]) as tf.Tensor3D, { inputIds }, { training, rng }), [M, -1]) as tf.Tensor2D;
}

/** Loss and accuracy over held-out blocks, masked with a fixed seed (the same masks every time). */
export function evaluateMlm(model: Model, tok: MlmTokenizer, blocks: readonly Int32Array[], batchSize: number, seed: number, step = 0): MlmEval {
  const rng = new Rng(seed, 'mlm/eval-masks');
  let lossSum = 0, correct = 0, n = 0;
  for (let s = 0; s < blocks.length; s += batchSize) {
    const part = blocks.slice(s, s + batchSize);
    const batch = maskBlocks(part, tok, rng);
    const { loss, hits } = tf.tidy(() => lossAndHits(maskedLogits(model, batch, false, undefined), batch.labels));
    lossSum += loss;
    correct += hits;
    n += batch.labels.length;
  }
  return { step, loss: lossSum / n, accuracy: correct / n, maskedTokens: n };
}

/** Mean cross-entropy over the batch's chosen tokens, with dropout (call inside tf.tidy or variableGrads). */
export function mlmLoss(model: Model, batch: MaskedBatch, dropout: Rng): tf.Scalar {
  return crossEntropy(maskedLogits(model, batch, true, dropout), tf.tensor1d(batch.labels, 'int32'));
}

/**
 * Pre-trains every parameter of `model` (which must carry an LM head) on `train` blocks, evaluating
 * on `heldOut` blocks. Seeded: the same seed, data and backend give the same weights.
 */
export async function pretrainMlm(model: Model, tok: MlmTokenizer, train: Int32Array[], heldOut: Int32Array[], options: MlmOptions): Promise<MlmResult> {
  const o = {
    batchSize: 32, lr: 5e-4, weightDecay: 0.01, warmupRatio: 0.06, clipNorm: 1, maskProbability: 0.15, seed: 0,
    evalEvery: 0, evalBlocks: 256, progress: 'auto' as ProgressMode, ...options,
  };
  if (!(o.maskProbability > 0 && o.maskProbability < 1)) throw new Error(`MLM pre-training: maskProbability must be in (0, 1), got ${o.maskProbability}`);
  const maskRng = new Rng(o.seed, 'mlm').fork('masks');
  const evalSet = heldOut.slice(0, o.evalBlocks);
  // No decay on biases and LayerNorm weights, as in BERT/RoBERTa. Every batch holds batchSize blocks.
  return pretrainLoop(model, train, o, {
    name: 'MLM pre-training', kind: 'mlm', stream: 'mlm', noDecay: /bias$|LayerNorm|layer_norm|ln_/,
    batch: (blocks) => maskBlocks(blocks, tok, maskRng, o.maskProbability),
    loss: (batch, dropout) => mlmLoss(model, batch, dropout),
    evaluate: (step) => evaluateMlm(model, tok, evalSet, o.batchSize, o.seed, step),
    streams: { masks: maskRng },
    settings: { maskProbability: o.maskProbability, evalBlocks: o.evalBlocks, ...o.checkpointSettings },
    describe: (rec) => `held-out masked-LM loss ${rec.loss.toFixed(4)}, accuracy ${(rec.accuracy * 100).toFixed(2)} % over ${rec.maskedTokens} masked tokens`,
    onEval: o.onEval,
  });
}
