/**
 * Embedding lookup with a gradient that works on wasm.
 *
 * `tf.gather`'s gradient is UnsortedSegmentSum, which the wasm backend does not register. Here the
 * gradient is a ScatterNd, which sums the rows of repeated ids (as TensorFlow's scatter_nd does) and
 * is registered on every backend.
 */
import { tf } from './engine.js';
import { customOp } from './custom.js';
import { heapMemory, onceOnWasm, registerHeapKernel } from './wasm-heap.js';

const GATHER = 'GraspHilGatherRows';

/**
 * table[ids] for a float32 table [vocab, dim] and int32 ids [n]. On wasm, tf.gather took ≈ 12 µs
 * per row (24 ms for a 32 × 64 batch, three lookups per forward pass: a sixth of an evaluation
 * forward on the shipped model); here the rows are copied on the heap. Ids outside the table throw.
 */
function gatherRows(table: tf.Tensor2D, ids: tf.Tensor1D): tf.Tensor2D {
  if (tf.getBackend() !== 'wasm' || table.dtype !== 'float32' || !registerGather()) return tf.gather(table, ids);
  return tf.engine().runKernel(GATHER, { table, ids }, {}) as tf.Tensor2D;
}

const registerGather = onceOnWasm(() =>
  registerHeapKernel(GATHER, ['table', 'ids'], ([[, dim], [n]]) => [[n, dim]], (backend, [table, ids, out], [[vocab, dim], [n]]) => {
    const buffer = heapMemory(backend).buffer;
    const heap = new Float32Array(buffer);
    const rows = new Int32Array(buffer, ids, n);
    const [t, o] = [table / 4, out / 4];
    for (let i = 0; i < n; i++) {
      const id = rows[i];
      if (!(id >= 0 && id < vocab)) throw new Error(`embed: id ${id} at position ${i} is outside the table [0, ${vocab})`);
      const [src, dst] = [t + id * dim, o + i * dim];
      for (let j = 0; j < dim; j++) heap[dst + j] = heap[src + j];
    }
  }));

/**
 * Rows of `table` [vocab, dim] at `ids` (int32, any shape) → [...ids.shape, dim].
 * When `trainable` is false the table gets no gradient (no scatter is computed).
 */
export function embed(table: tf.Tensor2D, ids: tf.Tensor, trainable: boolean): tf.Tensor {
  if (ids.dtype !== 'int32') throw new Error(`embed: ids must be int32, got ${ids.dtype}`);
  const [vocab, dim] = table.shape;
  const flat = tf.reshape(ids, [-1]) as tf.Tensor1D;
  const shape = [...ids.shape, dim];
  if (!trainable) return tf.reshape(gatherRows(table, flat), shape);
  const rows = customOp((inputs, save) => {
    // The ids go through `save`: the caller's `flat` may be disposed (end of a tidy scope, as in
    // tf.variableGrads) before the backward pass runs.
    save([flat]);
    return {
      value: gatherRows(inputs[0] as tf.Tensor2D, flat),
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
