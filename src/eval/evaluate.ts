/**
 * Evaluation loops: run a model with a head over encoded examples in batches, turn outputs into
 * predictions (argmax, or the score for regression) and compute the task's metrics. What the
 * weights are (base, adapted, merged, perturbed, on a simulated chip) is decided by whoever set up
 * the model; this module does not know.
 */
import type { EncodedSet } from '../data/batch.js';
import { batchOrder, collate } from '../data/batch.js';
import type { Task } from '../data/task.js';
import { headLogits, type Transformer } from '../model/index.js';
import { tf } from '../tensor/index.js';
import { computeMetrics } from './metrics.js';

export interface PredictOptions {
  batchSize?: number;
}

/** Predictions for every example of `set`: class index (argmax) or score. */
export function predict(model: Transformer, set: EncodedSet, regression: boolean, options: PredictOptions = {}): Float32Array {
  const out = new Float32Array(set.ids.length);
  // Sorting by length keeps padding small; predictions go back to their positions.
  const order = Array.from({ length: set.ids.length }, (_, i) => i).sort((a, b) => set.ids[a].length - set.ids[b].length);
  const bs = options.batchSize ?? 32;
  for (const rows of batchOrder(order.length, bs, null)) {
    const idx = rows.map((r) => order[r]);
    const batch = collate(set, idx, regression);
    try {
      const values = tf.tidy(() => {
        const y = headLogits(model as Parameters<typeof headLogits>[0], batch.inputs);
        return regression ? tf.reshape(y, [-1]) : tf.argMax(y, -1);
      });
      const data = values.dataSync();
      values.dispose();
      idx.forEach((ex, i) => (out[ex] = data[i]));
    } finally {
      batch.dispose();
    }
  }
  return out;
}

/** The task's metrics on `set` and the predictions they were computed from (set order). */
export function evaluateDetailed(model: Transformer, task: Task, set: EncodedSet, options: PredictOptions = {}): { metrics: Record<string, number>; predictions: Float32Array } {
  const predictions = predict(model, set, task.kind === 'regression', options);
  return { metrics: computeMetrics(task.metrics, predictions, set.labels), predictions };
}

/** The task's metrics on `set`. */
export function evaluate(model: Transformer, task: Task, set: EncodedSet, options: PredictOptions = {}): Record<string, number> {
  return evaluateDetailed(model, task, set, options).metrics;
}
