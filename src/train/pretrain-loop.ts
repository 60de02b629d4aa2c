/**
 * The loop both pre-training objectives share (mlm.ts: masked LM; clm.ts: causal LM): every
 * parameter of the model trains, AdamW (β₂ 0.98, ε 1e-6, no decay on the parameters `noDecay`
 * matches), warm-up then linear decay, global-norm clipping.
 *
 *   per step  batchSize blocks from a shuffled order (reshuffled when the next batch would run past
 *             the end) → the objective's batch → loss, gradients, ‖g‖ → non-finite: an error naming
 *             the step → clipped AdamW step → progress, onStep
 *   held-out  every `evalEvery` steps (0: none) and after the last one
 *
 * Streams (Rng(seed, stream)): 'order' shuffles, 'dropout' is the model's dropout; an objective's
 * own randomness (MLM's masks) forks from `rng` by name.
 */
import type { Model } from '../model/index.js';
import { Rng, tensorCount, tf } from '../tensor/index.js';
import { AdamW } from './optim.js';
import { createProgress, type ProgressMode } from './progress.js';
import { linearWarmupDecay, warmupSteps } from './schedule.js';

export interface PretrainSettings {
  steps: number;
  batchSize: number;
  lr: number;
  weightDecay: number;
  warmupRatio: number;
  clipNorm: number;
  seed: number;
  evalEvery: number;
  progress: ProgressMode;
  onStep?: (info: { step: number; loss: number; tensors: number }) => void;
}

export interface PretrainObjective<B, E> {
  /** 'MLM pre-training', in messages. */
  name: string;
  /** The root stream's name. */
  stream: string;
  /** Parameter names without weight decay (biases, LayerNorms). */
  noDecay: RegExp;
  /** The step's batch from its blocks. */
  batch(blocks: Int32Array[]): B;
  /** The batch's loss, inside the gradient scope. */
  loss(batch: B, dropout: Rng): tf.Scalar;
  /** Held-out evaluation after `step`, and its progress line. */
  evaluate(step: number): E;
  describe(record: E): string;
  onEval?: (record: E) => void;
}

export interface PretrainRun<E> {
  steps: number;
  seconds: number;
  tokensPerSecond: number;
  history: E[];
  final: E;
  trainBlocks: number;
  trainTokens: number;
}

export function pretrainLoop<B, E>(model: Model, train: Int32Array[], o: PretrainSettings, objective: PretrainObjective<B, E>): PretrainRun<E> {
  if (train.length < o.batchSize) throw new Error(`${objective.name}: ${train.length} training blocks, fewer than one batch of ${o.batchSize}`);
  const L = train[0].length;
  for (const name of model.params.names()) model.params.setTrainable(name, true);
  const vars = [...model.params.trainable()];
  const optim = new AdamW(vars.map(([name, variable]) => ({ variable, decay: !objective.noDecay.test(name) })), { weightDecay: o.weightDecay, beta2: 0.98, eps: 1e-6 });
  const rng = new Rng(o.seed, objective.stream);
  const order = rng.fork('order');
  const dropoutRng = rng.fork('dropout');
  const history: E[] = [];
  const progress = createProgress(o.steps, o.progress);
  const warm = warmupSteps(o.steps, o.warmupRatio);
  let perm = order.permutation(train.length);
  let cursor = 0;
  const t0 = performance.now();
  try {
    for (let step = 1; step <= o.steps; step++) {
      if (cursor + o.batchSize > perm.length) {
        perm = order.permutation(train.length);
        cursor = 0;
      }
      const batch = objective.batch(Array.from(perm.subarray(cursor, cursor + o.batchSize), (i) => train[i]));
      cursor += o.batchSize;
      const lr = linearWarmupDecay(step, o.steps, warm, o.lr);
      const loss = tf.tidy(() => {
        const { value, grads } = tf.variableGrads(() => objective.loss(batch, dropoutRng), vars.map(([, v]) => v));
        const sq = tf.addN(Object.values(grads).map((g) => tf.sum(tf.square(g))));
        const [lossValue, sqValue] = tf.stack([value, sq]).dataSync();
        const norm = Math.sqrt(sqValue);
        if (!Number.isFinite(lossValue) || !Number.isFinite(norm)) {
          throw new Error(`${objective.name} diverged at step ${step} (loss ${lossValue}, gradient norm ${norm}); lower lr (now ${o.lr}) or check the data`);
        }
        optim.step(grads, lr, o.clipNorm > 0 && norm > o.clipNorm ? o.clipNorm / norm : 1);
        return lossValue;
      });
      progress.update({ step, total: o.steps, epoch: Math.floor(((step - 1) * o.batchSize) / train.length) + 1, loss, lr, tokensPerSecond: (step * o.batchSize * L) / ((performance.now() - t0) / 1000) });
      o.onStep?.({ step, loss, tensors: tensorCount() });
      if ((o.evalEvery > 0 && step % o.evalEvery === 0) || step === o.steps) {
        const rec = objective.evaluate(step);
        history.push(rec);
        progress.log(`step ${step}: ${objective.describe(rec)}`);
        objective.onEval?.(rec);
      }
    }
  } finally {
    progress.stop();
    optim.dispose();
    for (const [name] of vars) model.params.setTrainable(name, false);
  }
  const seconds = (performance.now() - t0) / 1000;
  return { steps: o.steps, seconds, tokensPerSecond: (o.steps * o.batchSize * L) / seconds, history, final: history[history.length - 1], trainBlocks: train.length, trainTokens: train.length * L };
}
