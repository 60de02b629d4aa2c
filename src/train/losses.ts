/**
 * Task losses. Classification: mean cross-entropy of logits [batch, classes] against int32 labels.
 * Regression: mean squared error of the single output against float labels. Masked LM: mean
 * cross-entropy over the masked positions only. (StochGRASP's noise-aware σ penalty is the
 * adapter's `penalty()`, added by the trainer; see peft/stochgrasp.ts.)
 */
import { tf } from '../tensor/index.js';

/** −mean log softmax(logits)[label]; logits [n, classes], labels int32 [n]. */
export function crossEntropy(logits: tf.Tensor, labels: tf.Tensor1D): tf.Scalar {
  const classes = logits.shape[logits.rank - 1];
  const flat = tf.reshape(logits, [-1, classes]) as tf.Tensor2D;
  const onehot = tf.oneHot(labels, classes);
  return tf.neg(tf.div(tf.sum(tf.mul(onehot, tf.logSoftmax(flat))), flat.shape[0])) as tf.Scalar;
}

/** Summed cross-entropy and correct argmax count of logits [n, classes] against int32 labels, read back (for held-out evaluation). */
export function lossAndHits(logits: tf.Tensor2D, labels: Int32Array): { loss: number; hits: number } {
  return tf.tidy(() => {
    const l = tf.tensor1d(labels, 'int32');
    const [loss, hits] = tf.stack([
      tf.mul(crossEntropy(logits, l), labels.length),
      tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), l), 'float32')),
    ]).dataSync();
    return { loss, hits };
  });
}

/** mean (prediction − label)²; predictions [n, 1] or [n]. */
export function meanSquaredError(predictions: tf.Tensor, labels: tf.Tensor1D): tf.Scalar {
  return tf.mean(tf.square(tf.sub(tf.reshape(predictions, [-1]), labels))) as tf.Scalar;
}

/** The task loss for a head's output. */
export function taskLoss(output: tf.Tensor, labels: tf.Tensor1D, kind: 'classification' | 'regression'): tf.Scalar {
  return kind === 'regression' ? meanSquaredError(output, labels) : crossEntropy(output, labels);
}
