/**
 * Causal-language-model loss and pre-training (GPT-2 recipe, Radford et al. 2019).
 *
 *   batch   rows of token ids, right-padded; `positions` lists the flat positions b·L + t whose
 *           NEXT token (t + 1) is a target, `labels` those next tokens
 *   loss    hidden = decoder(ids, mask) → pick hidden rows at `positions` (a gather with a ScatterNd
 *           gradient, registered on wasm) → LM head (tied ·wteᵀ) → mean cross-entropy over the picks
 *
 * Pre-training: every position of a full block predicts the next token (texts joined with
 * `<|endoftext|>` after each, cut into blocks of `seqLength`). Fine-tuning on data-to-text
 * (`promptTargetBatch`): only the positions that predict target tokens count — the prompt (the
 * meaning representation) is masked out of the loss, as in the LoRA paper's E2E recipe.
 *
 * The vocabulary projection runs only on the picked rows, so a fine-tuning step pays for the target
 * tokens' projections, not the prompt's. Every step runs in `tf.tidy`. Streams: `clm/order` (block
 * order), `clm/dropout`; the same seed and data give the same weights.
 */
import type { Model } from '../model/index.js';
import { embed, Rng, tf } from '../tensor/index.js';
import { crossEntropy, lossAndHits } from './losses.js';
import { pretrainLoop, type PretrainRun } from './pretrain-loop.js';
import type { PretrainCheckpointing } from './pretrain-checkpoint.js';
import type { ProgressMode } from './progress.js';

/** What causal-LM training needs of a tokenizer (the io/tokenizer `Tokenizer` satisfies it). */
export interface ClmTokenizer {
  encode(text: string, pair?: string, options?: { addSpecialTokens?: boolean }): { ids: number[] };
  readonly eosId: number | undefined;
}

/** Rows of ids with the positions that predict a target and the targets. */
export interface ClmBatch {
  /** [rows·length] row-major, right-padded with `pad`. */
  inputIds: Int32Array;
  /** 1 for real tokens, 0 for padding, [rows·length]. */
  attentionMask: Float32Array;
  rows: number;
  length: number;
  /** Flat positions b·length + t whose next token is a target. */
  positions: Int32Array;
  /** The target token id for each position. */
  labels: Int32Array;
}

/** Texts → token ids, `<|endoftext|>` after each, concatenated and cut into blocks of `seqLength`. */
export function packClmBlocks(tokenizer: ClmTokenizer, texts: readonly string[], seqLength: number): Int32Array[] {
  const eos = tokenizer.eosId;
  if (eos === undefined) throw new Error('causal-LM pre-training: the tokenizer has no eos (<|endoftext|>) token');
  const blocks: Int32Array[] = [];
  let cur: number[] = [];
  for (const t of texts) {
    for (const id of [...tokenizer.encode(t, undefined, { addSpecialTokens: false }).ids, eos]) {
      cur.push(id);
      if (cur.length === seqLength) {
        blocks.push(Int32Array.from(cur));
        cur = [];
      }
    }
  }
  return blocks;
}

/** Full blocks of one length: every position but the last predicts the next token. */
export function blockBatch(blocks: readonly Int32Array[]): ClmBatch {
  const L = blocks[0].length;
  const inputIds = new Int32Array(blocks.length * L);
  const positions = new Int32Array(blocks.length * (L - 1));
  const labels = new Int32Array(blocks.length * (L - 1));
  let k = 0;
  blocks.forEach((b, r) => {
    if (b.length !== L) throw new Error(`blockBatch: block ${r} has ${b.length} tokens, block 0 has ${L}`);
    inputIds.set(b, r * L);
    for (let t = 0; t + 1 < L; t++, k++) {
      positions[k] = r * L + t;
      labels[k] = b[t + 1];
    }
  });
  return { inputIds, attentionMask: new Float32Array(blocks.length * L).fill(1), rows: blocks.length, length: L, positions, labels };
}

/**
 * Prompt + target rows, right-padded with `pad`: the loss counts only the target tokens (each is
 * predicted from the position before it, the last prompt token predicting the first target token).
 */
export function promptTargetBatch(rows: ReadonlyArray<{ prompt: ArrayLike<number>; target: ArrayLike<number> }>, pad: number): ClmBatch {
  let L = 1;
  for (const r of rows) {
    if (r.prompt.length < 1) throw new Error('promptTargetBatch: a row has an empty prompt (the first target token needs a position to be predicted from)');
    L = Math.max(L, r.prompt.length + r.target.length);
  }
  const inputIds = new Int32Array(rows.length * L).fill(pad);
  const attentionMask = new Float32Array(rows.length * L);
  const pos: number[] = [], lab: number[] = [];
  rows.forEach((r, b) => {
    const p = r.prompt.length, n = p + r.target.length;
    inputIds.set(Array.from(r.prompt), b * L);
    inputIds.set(Array.from(r.target), b * L + p);
    attentionMask.fill(1, b * L, b * L + n);
    for (let j = 0; j < r.target.length; j++) {
      pos.push(b * L + p - 1 + j);
      lab.push(r.target[j]);
    }
  });
  if (pos.length === 0) throw new Error('promptTargetBatch: no target tokens in the batch');
  return { inputIds, attentionMask, rows: rows.length, length: L, positions: Int32Array.from(pos), labels: Int32Array.from(lab) };
}

/** Logits [targets, vocab] at the batch's picked positions (call inside tf.tidy). */
export function clmLogits(model: Model, batch: ClmBatch, training: boolean, rng?: Rng): tf.Tensor2D {
  const head = model.head;
  if (!head || head.kind !== 'lm' || model.family !== 'decoder') {
    throw new Error('causal-LM training needs a GPT-2 decoder with an LM head (loadModel(dir, { withHead: "lm" }))');
  }
  const inputIds = tf.tensor2d(batch.inputIds, [batch.rows, batch.length], 'int32');
  const attentionMask = tf.tensor2d(batch.attentionMask, [batch.rows, batch.length]);
  const hidden = model.forward({ inputIds, attentionMask }, { training, rng });
  const H = hidden.shape[2];
  const rows = embed(tf.reshape(hidden, [batch.rows * batch.length, H]) as tf.Tensor2D, tf.tensor1d(batch.positions, 'int32'), true);
  const M = batch.positions.length;
  return tf.reshape(head.forward(tf.reshape(rows, [1, M, H]) as tf.Tensor3D, { inputIds }, { training, rng }), [M, -1]) as tf.Tensor2D;
}

/** Mean cross-entropy (nats) over the batch's targets (call inside tf.tidy or variableGrads). */
export function clmLoss(model: Model, batch: ClmBatch, training: boolean, rng?: Rng): tf.Scalar {
  return crossEntropy(clmLogits(model, batch, training, rng), tf.tensor1d(batch.labels, 'int32'));
}

export interface ClmEval {
  step: number;
  /** Mean cross-entropy (nats) per target token, its exp (perplexity) and next-token accuracy. */
  loss: number;
  perplexity: number;
  accuracy: number;
  tokens: number;
}

/** Loss, perplexity and next-token accuracy over batches (no dropout). */
export function evaluateClm(model: Model, batches: readonly ClmBatch[], step = 0): ClmEval {
  let lossSum = 0, correct = 0, n = 0;
  for (const batch of batches) {
    const { loss, hits } = tf.tidy(() => lossAndHits(clmLogits(model, batch, false), batch.labels));
    lossSum += loss;
    correct += hits;
    n += batch.labels.length;
  }
  return { step, loss: lossSum / n, perplexity: Math.exp(lossSum / n), accuracy: correct / n, tokens: n };
}

export interface ClmOptions {
  steps: number;
  batchSize?: number;
  lr?: number;
  weightDecay?: number;
  warmupRatio?: number;
  clipNorm?: number;
  seed?: number;
  /** Held-out evaluation every this many steps (and at the end); 0: only at the end. */
  evalEvery?: number;
  /** At most this many held-out blocks per evaluation. */
  evalBlocks?: number;
  progress?: ProgressMode;
  /** Micro-batches per batch and threads computing them (pretrain-team.ts); default 1 and 1. */
  microBatches?: number;
  workers?: number;
  onEval?: (record: ClmEval) => void;
  onStep?: (info: { step: number; loss: number; tensors: number }) => void;
  /** Checkpoint every `every` steps to `dir`, and resume from it when it holds one (pretrain-checkpoint.ts). */
  checkpoint?: PretrainCheckpointing;
}

export type ClmResult = PretrainRun<ClmEval>;

/**
 * Pre-trains every parameter of a GPT-2 `model` (with its LM head) on `train` blocks, evaluating on
 * `heldOut` blocks. AdamW (β₂ 0.98, ε 1e-6), no decay on biases and LayerNorms, warm-up then linear
 * decay, global-norm clipping.
 */
export function pretrainClm(model: Model, train: Int32Array[], heldOut: Int32Array[], options: ClmOptions): Promise<ClmResult> {
  const o = {
    batchSize: 16, lr: 1e-3, weightDecay: 0.01, warmupRatio: 0.06, clipNorm: 1, seed: 0, evalEvery: 0, evalBlocks: 128,
    progress: 'auto' as ProgressMode, ...options,
  };
  const evalBatches: ClmBatch[] = [];
  const held = heldOut.slice(0, o.evalBlocks);
  for (let s = 0; s < held.length; s += o.batchSize) evalBatches.push(blockBatch(held.slice(s, s + o.batchSize)));
  return pretrainLoop(model, train, o, {
    name: 'causal-LM pre-training', kind: 'clm', stream: 'clm', noDecay: /bias$|ln_/,
    batch: blockBatch,
    loss: (batch, dropout) => clmLoss(model, batch, true, dropout),
    evaluate: (step) => evaluateClm(model, evalBatches, step),
    settings: { evalBlocks: o.evalBlocks },
    describe: (rec) => `held-out loss ${rec.loss.toFixed(4)} (perplexity ${rec.perplexity.toFixed(1)}), next-token accuracy ${(rec.accuracy * 100).toFixed(2)} % over ${rec.tokens} tokens`,
    onEval: o.onEval,
  });
}
