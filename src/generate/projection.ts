/**
 * GPT-2's LM head for generation: logits = h · Eᵀ with E [vocab, hidden] the tied word embeddings
 * (`wte.weight`) or, with tie_word_embeddings false, `lm_head.weight` — the same product as the
 * model's own head (model/heads.ts), but with Eᵀ transposed once and kept.
 *
 * Why: on wasm every matMul whose right operand is a fresh tensor packs it into a new XNNPACK
 * operator. For GPT-2's 50257×768 table the head's per-call transpose + pack took ≈ 1.5 s per token;
 * with a kept Eᵀ one row costs ≈ 19 ms (node --import tsx bench/generate.ts). The copy is a snapshot:
 * build a new projection (a new Generator) after the table's weights change.
 */
import type { Decoder } from '../model/index.js';
import { tf } from '../tensor/index.js';

export class OutputProjection {
  private readonly tableT: tf.Tensor2D;

  constructor(model: Decoder) {
    const name = model.config.tieWordEmbeddings ? 'wte.weight' : 'lm_head.weight';
    // Inside tidy: under a view (trainable tokens) the table is a fresh tensor.
    this.tableT = tf.keep(tf.tidy(() => tf.transpose(model.params.get(name) as tf.Tensor2D)));
  }

  /** Logits of the last position of hidden [rows, seq, hidden] → Float32Array [rows·vocab]. */
  lastLogits(hidden: tf.Tensor3D): Float32Array {
    const logits = tf.tidy(() => {
      const [rows, seq, h] = hidden.shape;
      return tf.matMul(tf.reshape(tf.slice(hidden, [0, seq - 1, 0], [rows, 1, h]), [rows, h]) as tf.Tensor2D, this.tableT);
    });
    try {
      return Float32Array.from(logits.dataSync());
    } finally {
      logits.dispose();
    }
  }

  dispose(): void {
    this.tableT.dispose();
  }
}
