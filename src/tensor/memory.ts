/** Memory helpers: tensor counts and ownership checks. */
import { tf } from './engine.js';

/** Number of live tensors in the engine. */
export function tensorCount(): number {
  return tf.memory().numTensors;
}

/** Disposes every tensor in a record or array (ignores nulls). */
export function disposeAll(items: Iterable<tf.Tensor | null | undefined> | Record<string, tf.Tensor | null | undefined>): void {
  const values = Symbol.iterator in Object(items) ? (items as Iterable<tf.Tensor | null | undefined>) : Object.values(items);
  for (const t of values) if (t && !t.isDisposed) t.dispose();
}

/** Copies a tensor to a Float32Array synchronously. */
export function toFloat32(t: tf.Tensor): Float32Array {
  const d = t.dataSync();
  return d instanceof Float32Array ? d : Float32Array.from(d as ArrayLike<number>);
}
