/** A typed front for `tf.customGrad`, whose own typing mixes tensors and the save function. */
import { tf } from './engine.js';

export interface CustomOpResult {
  value: tf.Tensor;
  /** Gradients for each input, in order, given dy and the tensors passed to `save`. */
  gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.Tensor[];
}

/**
 * Builds an op with a hand-written gradient. `body(inputs, save)` computes the value; gradients
 * are returned for every input in order.
 */
export function customOp(body: (inputs: tf.Tensor[], save: tf.GradSaveFunc) => CustomOpResult): (...inputs: tf.Tensor[]) => tf.Tensor {
  const f = tf.customGrad(((...args: unknown[]) => {
    const save = args[args.length - 1] as tf.GradSaveFunc;
    const inputs = args.slice(0, -1) as tf.Tensor[];
    const r = body(inputs, save);
    return { value: r.value, gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => r.gradFunc(dy as tf.Tensor, saved) };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return (...inputs: tf.Tensor[]) => (f as unknown as (...a: tf.Tensor[]) => tf.Tensor)(...inputs);
}
