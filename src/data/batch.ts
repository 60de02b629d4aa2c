/**
 * Batching: examples are tokenized once (no padding), then each batch is padded to its longest
 * row and turned into tensors. Shuffling takes an explicit `Rng`.
 */
import type { ModelInputs } from '../model/index.js';
import { Rng, tf } from '../tensor/index.js';
import type { Example, TaskInput } from './task.js';

/** What batching needs from a tokenizer (structurally the io/tokenizer `Tokenizer`). */
export interface TextTokenizer {
  readonly padId: number;
  encodeBatch(
    inputs: ReadonlyArray<TaskInput>,
    options?: { maxLength?: number; truncation?: boolean | 'longest_first'; padding?: boolean | 'longest' | 'max_length' },
  ): { inputIds: number[][]; attentionMask: number[][]; tokenTypeIds: number[][] };
}

/** Tokenized examples, one row each, unpadded. */
export interface EncodedSet {
  ids: Int32Array[];
  typeIds: Int32Array[];
  /** Class index or score per example. */
  labels: Float32Array;
  padId: number;
}

/** Tokenizes every example once, truncating to `maxLength` tokens (specials included). */
export function encodeExamples(tokenizer: TextTokenizer, examples: readonly Example[], maxLength: number): EncodedSet {
  const ids: Int32Array[] = [];
  const typeIds: Int32Array[] = [];
  const chunk = 512;
  for (let s = 0; s < examples.length; s += chunk) {
    const part = examples.slice(s, s + chunk);
    const enc = tokenizer.encodeBatch(part.map((e) => e.input), { maxLength, truncation: true, padding: false });
    for (let i = 0; i < part.length; i++) {
      ids.push(Int32Array.from(enc.inputIds[i]));
      typeIds.push(Int32Array.from(enc.tokenTypeIds[i] ?? enc.inputIds[i].map(() => 0)));
    }
  }
  return { ids, typeIds, labels: Float32Array.from(examples.map((e) => e.label)), padId: tokenizer.padId };
}

export interface Batch {
  inputs: ModelInputs;
  /** int32 class ids [batch] for classification, float32 scores for regression. */
  labels: tf.Tensor1D;
  size: number;
  /** Non-padding tokens in the batch. */
  tokens: number;
  /** Padded length of the rows. */
  length: number;
  dispose(): void;
}

/** Pads the rows `indices` of `set` to their longest length and makes tensors. */
export function collate(set: EncodedSet, indices: readonly number[], regression: boolean): Batch {
  const b = indices.length;
  let len = 1;
  for (const i of indices) len = Math.max(len, set.ids[i].length);
  const ids = new Int32Array(b * len).fill(set.padId);
  const types = new Int32Array(b * len);
  const mask = new Float32Array(b * len);
  const labels = new Float32Array(b);
  let tokens = 0;
  indices.forEach((ex, r) => {
    const row = set.ids[ex];
    ids.set(row, r * len);
    types.set(set.typeIds[ex], r * len);
    mask.fill(1, r * len, r * len + row.length);
    tokens += row.length;
    labels[r] = set.labels[ex];
  });
  const inputs: ModelInputs = {
    inputIds: tf.tensor2d(ids, [b, len], 'int32'),
    attentionMask: tf.tensor2d(mask, [b, len]),
    tokenTypeIds: tf.tensor2d(types, [b, len], 'int32'),
  };
  const lab = regression ? tf.tensor1d(labels) : tf.tensor1d(Int32Array.from(labels), 'int32');
  return {
    inputs,
    labels: lab,
    size: b,
    tokens,
    length: len,
    dispose() {
      inputs.inputIds.dispose();
      inputs.attentionMask?.dispose();
      inputs.tokenTypeIds?.dispose();
      lab.dispose();
    },
  };
}

/** Batches of example indices: shuffled with `rng` (or in order when null); the last may be short. */
export function batchOrder(n: number, batchSize: number, rng: Rng | null): number[][] {
  if (!(batchSize >= 1)) throw new Error(`batch size must be ≥ 1, got ${batchSize}`);
  const order = rng ? Array.from(rng.permutation(n)) : Array.from({ length: n }, (_, i) => i);
  const out: number[][] = [];
  for (let s = 0; s < n; s += batchSize) out.push(order.slice(s, s + batchSize));
  return out;
}
