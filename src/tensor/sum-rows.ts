/**
 * Σ over the rows of m [..., D] → [1, D]: the batch reduction behind every bias, scale and shift
 * gradient of the hand-written linear ops.
 *
 * wasm's Sum reduces only the innermost axis, so a reduction over axis 0 first transposes the whole
 * [N, D] matrix, and that 2-D transpose is slow. Reshaping to [N/f, f, D] and reducing axis 1, then
 * axis 0 of the much smaller [N/f, D], is much faster; a matMul against a ones row (XNNPACK packs
 * the fresh right operand on every call) sits between. `node --import tsx bench/linear.ts`
 * measures all three (ms, N = 512, each with a fresh input copy): D = 512 0.31 / 0.81 / 1.8,
 * D = 3072 2.0 / 4.9 / 11.5 (chunked / matMul / Sum over axis 0); at D = 128 all are 0.3–0.5.
 */
import { tf } from './engine.js';

/** Chunk size of the first reduction: measured best at 8–16 rows. */
const CHUNKS = [16, 8, 4, 2];

export function sumRows(m: tf.Tensor): tf.Tensor2D {
  const d = m.shape[m.rank - 1];
  const n = m.size / d;
  const f = CHUNKS.find((c) => n % c === 0 && n > c);
  if (f === undefined) return tf.reshape(tf.sum(m.rank === 2 ? m : tf.reshape(m, [n, d]), 0), [1, d]);
  return tf.reshape(tf.sum(tf.sum(tf.reshape(m, [n / f, f, d]), 1), 0), [1, d]);
}
