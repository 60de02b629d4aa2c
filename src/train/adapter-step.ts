/**
 * One optimiser step of an adapter (and head) trainer, shared by the label-task trainer (trainer.ts)
 * and the generation trainer (generation-trainer.ts):
 *
 *   L = task loss + the adapter's penalty (StochGRASP's σ term; none for other methods)
 *   g = ∂L/∂vars,  ‖g‖ = √Σ g²,  one read-back of (L, penalty, ‖g‖)
 *   non-finite L or ‖g‖ → TrainingDivergedError naming the step, epoch and learning rate
 *   AdamW step with the gradients scaled by clipNorm/‖g‖ when ‖g‖ > clipNorm (clipNorm > 0)
 *
 * Everything runs in one tf.tidy; `afterStep` (e.g. hardware-aware weight clipping) runs inside it.
 * `extraVars` (hardware-aware training's learned input ranges) are differentiated in the same pass but
 * stay out of ‖g‖ and AdamW; their gradients reach `afterStep`, which updates them.
 */
import type { Adapter } from '../peft/adapter.js';
import { tf } from '../tensor/index.js';
import type { AdamW } from './optim.js';

/** A step whose loss or gradient norm is not finite: training stops instead of writing NaNs. */
export class TrainingDivergedError extends Error {}

export interface AdapterStep {
  vars: tf.Variable[];
  optimizer: AdamW;
  adapter: Adapter;
  /** The task loss, computed inside the gradient scope. */
  loss: () => tf.Scalar;
  lr: number;
  clipNorm: number;
  /** 0-based step and 1-based epoch, for the divergence message. */
  step: number;
  epoch: number;
  /** What the divergence message tells the user to check besides the learning rate and clipping. */
  check: string;
  /** Variables differentiated with `vars` but left out of the norm and the optimiser (default none). */
  extraVars?: tf.Variable[];
  /** Runs after the optimiser step, inside the step's tidy, with every gradient (extraVars' too). */
  afterStep?: (grads: tf.NamedTensorMap) => void;
}

export function adapterStep(s: AdapterStep): { loss: number; penalty: number; norm: number } {
  let loss = 0, penalty = 0, norm = 0;
  tf.tidy(() => {
    // The penalty's value leaves variableGrads' scope through keep (disposed below).
    let penValue: tf.Tensor | null = null;
    const { value, grads } = tf.variableGrads(() => {
      const l = s.loss();
      const pen = s.adapter.penalty?.() ?? null;
      if (pen) penValue = tf.keep(tf.clone(pen));
      return (pen ? tf.add(l, pen) : l) as tf.Scalar;
    }, s.extraVars?.length ? [...s.vars, ...s.extraVars] : s.vars);
    const sq = tf.addN(s.vars.map((v) => tf.sum(tf.square(grads[v.name]))));
    const values = tf.stack([value, penValue ?? tf.scalar(0), sq]).dataSync();
    (penValue as tf.Tensor | null)?.dispose();
    [loss, penalty, norm] = [values[0], values[1], Math.sqrt(values[2])];
    if (!Number.isFinite(loss) || !Number.isFinite(norm)) {
      throw new TrainingDivergedError(
        `train: step ${s.step + 1} (epoch ${s.epoch}) gave loss ${loss} (penalty ${penalty}) and gradient norm ${norm} at learning rate ${s.lr.toExponential(3)}; ` +
          `training stopped. Lower the learning rate, enable clipping (clipNorm) or check ${s.check}.`,
      );
    }
    s.optimizer.step(grads, s.lr, s.clipNorm > 0 && norm > s.clipNorm ? s.clipNorm / norm : 1);
    s.afterStep?.(grads);
  });
  return { loss, penalty, norm };
}
