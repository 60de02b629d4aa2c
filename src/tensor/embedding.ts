/**
 * Embedding lookup with a gradient that works on wasm.
 *
 * `tf.gather`'s gradient is UnsortedSegmentSum, which the wasm backend does not register. Here the
 * gradient is a ScatterNd, which sums the rows of repeated ids (as TensorFlow's scatter_nd does) and
 * is registered on every backend.
 */
import { tf } from './engine.js';
import { customOp } from './custom.js';

/**
 * Rows of `table` [vocab, dim] at `ids` (int32, any shape) → [...ids.shape, dim].
 * When `trainable` is false the table gets no gradient (no scatter is computed).
 */
export function embed(table: tf.Tensor2D, ids: tf.Tensor, trainable: boolean): tf.Tensor {
  if (ids.dtype !== 'int32') throw new Error(`embed: ids must be int32, got ${ids.dtype}`);
  const [vocab, dim] = table.shape;
  const flat = tf.reshape(ids, [-1]) as tf.Tensor1D;
  const shape = [...ids.shape, dim];
  if (!trainable) return tf.reshape(tf.gather(table, flat), shape);
  const rows = customOp((inputs, save) => {
    // The ids go through `save`: the caller's `flat` may be disposed (end of a tidy scope, as in
    // tf.variableGrads) before the backward pass runs.
    save([flat]);
    return {
      value: tf.gather(inputs[0], flat),
      gradFunc: (dy, [ids]) => [tf.scatterND(tf.reshape(ids, [-1, 1]), dy, [vocab, dim])],
    };
  })(table);
  return tf.reshape(rows, shape);
}

/** Throws, naming the source, when an id is outside [0, vocab). */
export function checkIds(ids: ArrayLike<number>, vocab: number, source: string): void {
  for (let i = 0; i < ids.length; i++) {
    const v = ids[i];
    if (!Number.isInteger(v) || v < 0 || v >= vocab) {
      throw new Error(`${source}: token id ${v} at position ${i} is outside the vocabulary [0, ${vocab})`);
    }
  }
}
