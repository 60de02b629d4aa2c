/**
 * Validation of model inputs and the position ids `transformers` would compute for them.
 *
 * Runs once per forward call: one read of the ids (and token types) to check them against the
 * vocabulary, which costs far less than the embedding lookup it protects — an out-of-range id would
 * otherwise gather garbage or zeros silently on some backends.
 */
import { checkIds, tf } from '../tensor/index.js';
import { maxSequenceLength, type TransformerConfig } from './config.js';
import type { ModelInputs } from './types.js';

export interface CheckedInputs {
  batch: number;
  seq: number;
  /** Position ids [batch·seq], row-major. */
  positions: Int32Array;
}

function checkCompanion(name: string, t: tf.Tensor | undefined, shape: number[], what: string): void {
  if (t === undefined) return;
  if (t.rank !== 2 || t.shape[0] !== shape[0] || t.shape[1] !== shape[1]) {
    throw new Error(`${what}: ${name} has shape [${t.shape}], inputIds has [${shape}]; they must match`);
  }
}

/** RoBERTa's `create_position_ids_from_input_ids`: cumsum(ids ≠ pad)·(ids ≠ pad) + pad. */
export function robertaPositionIds(ids: ArrayLike<number>, batch: number, seq: number, pad: number): Int32Array {
  const out = new Int32Array(batch * seq);
  for (let b = 0; b < batch; b++) {
    let count = 0;
    for (let t = 0; t < seq; t++) {
      const i = b * seq + t;
      if (ids[i] !== pad) out[i] = ++count + pad;
      else out[i] = pad;
    }
  }
  return out;
}

/**
 * Checks shapes, dtypes and id ranges of `inputs` against `config`, and returns the position ids
 * (given, or as `transformers` derives them). `what` names the caller in errors.
 */
export function checkInputs(inputs: ModelInputs, config: TransformerConfig, what: string): CheckedInputs {
  const ids = inputs.inputIds;
  if (!ids || ids.rank !== 2) throw new Error(`${what}: inputIds must be a [batch, seq] tensor, got shape [${ids?.shape}]`);
  if (ids.dtype !== 'int32') throw new Error(`${what}: inputIds must be int32, got ${ids.dtype}`);
  const [batch, seq] = ids.shape;
  if (batch === 0 || seq === 0) throw new Error(`${what}: inputIds is empty (shape [${ids.shape}])`);
  checkCompanion('attentionMask', inputs.attentionMask, ids.shape, what);
  checkCompanion('tokenTypeIds', inputs.tokenTypeIds, ids.shape, what);
  checkCompanion('positionIds', inputs.positionIds, ids.shape, what);
  const idData = ids.dataSync();
  checkIds(idData, config.vocabSize, `${what}: inputIds`);
  if (inputs.tokenTypeIds) {
    if (config.family === 'decoder') throw new Error(`${what}: ${config.architecture} has no token-type embeddings; omit tokenTypeIds`);
    if (inputs.tokenTypeIds.dtype !== 'int32') throw new Error(`${what}: tokenTypeIds must be int32, got ${inputs.tokenTypeIds.dtype}`);
    checkIds(inputs.tokenTypeIds.dataSync(), config.typeVocabSize, `${what}: tokenTypeIds (type_vocab_size ${config.typeVocabSize})`);
  }
  let positions: Int32Array;
  if (inputs.positionIds) {
    if (inputs.positionIds.dtype !== 'int32') throw new Error(`${what}: positionIds must be int32, got ${inputs.positionIds.dtype}`);
    positions = Int32Array.from(inputs.positionIds.dataSync());
    checkIds(positions, config.maxPositions, `${what}: positionIds (max positions ${config.maxPositions})`);
  } else {
    if (config.architecture === 'roberta') {
      positions = robertaPositionIds(idData, batch, seq, config.padTokenId ?? 0);
    } else {
      positions = new Int32Array(batch * seq);
      for (let b = 0; b < batch; b++) for (let t = 0; t < seq; t++) positions[b * seq + t] = t;
    }
    let top = 0;
    for (let i = 0; i < positions.length; i++) top = Math.max(top, positions[i]);
    if (top >= config.maxPositions) {
      throw new Error(`${what}: sequence length ${seq} exceeds the model's maximum ${maxSequenceLength(config)} (from max positions ${config.maxPositions}); truncate the input`);
    }
  }
  return { batch, seq, positions };
}
