/**
 * A fingerprint of the base model an adapter was trained on, recorded at save time
 * (`grasp_hil.base_hash`) and compared on load, so an adapter applied to another checkpoint of the
 * same shapes is refused instead of giving quietly wrong numbers.
 *
 *   hash = sha256 over the base parameters in name order, each as
 *          name, '\0', shape joined by 'x', '\0', float32 bytes (store orientation, little-endian)
 *
 * Left out: the task head (trained with every method) and parameters the adapter itself saves
 * (BitFit biases, full fine-tuning), whose values differ between save and load by design. Frozen
 * tensors are immutable, so each one's digest is cached by tensor; a repeated load hashes nothing.
 * Measured (`node --import tsx bench/adapter-io.ts`, roberta-base shape, 124.6 M base parameters):
 * 2.9 s the first time in a process, 5 ms once the digests are cached.
 */
import { createHash } from 'node:crypto';
import type { Transformer } from '../model/index.js';
import type { tf } from '../tensor/index.js';
import { baseParamNames } from './param-tuning.js';

const digests = new WeakMap<tf.Tensor, string>();

function digestOf(name: string, t: tf.Tensor, cache: boolean): string {
  const hit = cache ? digests.get(t) : undefined;
  if (hit) return hit;
  const data = t.dataSync() as Float32Array;
  const h = createHash('sha256');
  h.update(`${name}\0${t.shape.join('x')}\0`);
  h.update(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  const d = h.digest('hex');
  if (cache) digests.set(t, d);
  return d;
}

/** `sha256:<hex>` of the model's base weights, leaving out `exclude` (parameter names). */
export function baseWeightsHash(model: Transformer, exclude: ReadonlySet<string> = new Set()): string {
  const h = createHash('sha256');
  for (const name of baseParamNames(model)) {
    if (exclude.has(name)) continue;
    // The stored value: an adapter's view (trainable tokens) is not part of the base.
    h.update(`${name}:${digestOf(name, model.params.stored(name), !model.params.trainable().has(name))}\n`);
  }
  return `sha256:${h.digest('hex')}`;
}
