/**
 * Key/value cache of a decoder: per block, the keys and values of every position seen so far,
 * K and V [rows, heads, length, headDim] (after splitHeads, before attention).
 *
 * `Decoder.forwardCached` reads it and returns a new cache one step longer (the concatenation of the
 * old keys with the new ones); the caller disposes the old cache. A step then costs one token's forward
 * against `length` cached keys: O(length) per token instead of O(length²) for recomputing the prefix.
 * Beam search reorders rows (`select`) when beams are re-ranked, as `transformers`' `reorder_cache`.
 *
 * The cache owns its tensors: `dispose()` frees them, and no tf.tidy scope may hold them.
 */
import { tf } from '../tensor/index.js';

export interface LayerKv {
  k: tf.Tensor4D;
  v: tf.Tensor4D;
}

export class KvCache {
  constructor(readonly layers: readonly LayerKv[]) {
    if (layers.length === 0) throw new Error('KvCache: no layers');
  }

  /** Rows (batch × beams). */
  get rows(): number {
    return this.layers[0].k.shape[0];
  }

  /** Cached positions per row. */
  get length(): number {
    return this.layers[0].k.shape[2];
  }

  /** A cache whose row r is this cache's row `rows[r]` (rows may repeat); this cache is left intact. */
  select(rows: ArrayLike<number>): KvCache {
    const n = this.rows;
    for (let i = 0; i < rows.length; i++) {
      if (!Number.isInteger(rows[i]) || rows[i] < 0 || rows[i] >= n) throw new Error(`KvCache.select: row ${rows[i]} outside 0..${n - 1}`);
    }
    const layers = tf.tidy(() => {
      const idx = tf.tensor1d(Int32Array.from(rows), 'int32');
      return this.layers.map(({ k, v }) => ({ k: tf.gather(k, idx, 0), v: tf.gather(v, idx, 0) }));
    });
    return new KvCache(layers);
  }

  /** The cache's tensors (for tf.tidy return values and counting). */
  tensors(): tf.Tensor[] {
    return this.layers.flatMap(({ k, v }) => [k, v]);
  }

  dispose(): void {
    tf.dispose(this.tensors());
  }
}
