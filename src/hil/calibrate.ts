/**
 * Chip-in-the-loop calibration of a periphery-held adapter (GRASP's γ/β; optionally the task head).
 *
 *   check inputs → attach the chip innermost with straight-through gradients (periphery-grasp.ts)
 *   → S steps: batch (seeded order) → forward through the adapter's digital transform and the
 *     programmed, drifted, noisy tiles → task loss → gradients through the digital weights →
 *     global-norm clipping → AdamW at a constant learning rate → detach
 *
 * The forward value is the chip's; the backward pass uses the Site's digital W (dx = dy·Wᵀ), the
 * straight-through / physics-aware training scheme. The adapter learns to compensate this chip's
 * systematic errors (drift, offsets) on N calibration examples. No dropout (the chip's read noise is
 * the only randomness in the forward pass).
 *
 * Streams: batch order `Rng(seed, 'calibrate').fork('epoch<e>')`; read noise from the ChipState's
 * read stream (a fresh `chip.at(t, { read })` reproduces a run). Every step runs in `tf.tidy`; the
 * tensor count after a step equals the count after the first (checked when `checkMemory` is set).
 * Counts: chip MVM calls and vectors (`MvmCounts`), wall time in seconds.
 */
import type { ChipState } from '../crossbar/index.js';
import { batchOrder, collate, type EncodedSet } from '../data/index.js';
import { headLogits, type Transformer } from '../model/index.js';
import { headParamNames, ParamTuning, type Adapter, type NamedTensors } from '../peft/index.js';
import { Rng, tensorCount, tf } from '../tensor/index.js';
import { AdamW, taskLoss, type OptimParam } from '../train/index.js';
import { attachChip, type ChipAttachment, type MvmCounts } from './periphery-grasp.js';

export interface CalibrateSetup {
  /** The model with the adapter attached (its hooks run in front of the chip). */
  model: Transformer;
  adapter: Adapter;
  /** The programmed chip at the deployment time t (in-process)… */
  state?: ChipState;
  /** …or any chip: attaches it innermost with straight-through gradients (e.g. model-on-chip.ts attachSites on a driver). */
  attach?: () => ChipAttachment;
  /** Loss of the task head. */
  kind: 'classification' | 'regression';
  /** The calibration examples (e.g. N seeded examples of the task's training split). */
  examples: EncodedSet;
}

export interface CalibrateOptions {
  /** Optimiser steps (≥ 1). */
  steps: number;
  /** Examples per step (default min(16, N)). */
  batchSize?: number;
  /** Learning rate of the adapter's variables (default 1e-2). */
  lr?: number;
  /** Learning rate of the task head (default lr/10). */
  headLr?: number;
  /** Train the task head too (default false; the head is digital, so its new values take effect at once). */
  trainHead?: boolean;
  /** Global gradient-norm limit; 0 disables clipping (default 1). */
  clipNorm?: number;
  /** Seed of the batch order (default 0). */
  seed?: number;
  /** Throw when the tensor count grows between steps. */
  checkMemory?: boolean;
  onStep?: (info: { step: number; steps: number; loss: number; gradNorm: number; tensors: number }) => void;
}

export interface CalibrateResult {
  steps: number;
  /** Training loss of each step's batch, through the chip, before that step's update. */
  losses: number[];
  mvm: MvmCounts;
  seconds: number;
  /** The trained head's parameters (checkpoint orientation) when trainHead, for saveAdapter's `head`. */
  headState: NamedTensors | null;
}

function checkOptions(setup: CalibrateSetup, o: CalibrateOptions): void {
  const bad = (field: string, v: unknown, want: string) => new Error(`calibrate: ${field} must be ${want}, got ${String(v)}`);
  if (!Number.isInteger(o.steps) || o.steps < 1) throw bad('steps', o.steps, 'an integer ≥ 1');
  if (o.batchSize !== undefined && (!Number.isInteger(o.batchSize) || o.batchSize < 1)) throw bad('batchSize', o.batchSize, 'an integer ≥ 1');
  for (const k of ['lr', 'headLr'] as const) if (o[k] !== undefined && !(Number.isFinite(o[k]) && o[k]! > 0)) throw bad(k, o[k], 'a finite number > 0');
  if (o.clipNorm !== undefined && !(Number.isFinite(o.clipNorm) && o.clipNorm >= 0)) throw bad('clipNorm', o.clipNorm, 'a finite number ≥ 0 (0: no clipping)');
  if (!setup.state === !setup.attach) throw new Error('calibrate: give the chip as either `state` (in-process) or `attach` (a chip driver), not both or neither');
  if (setup.examples.ids.length === 0) throw new Error('calibrate: no calibration examples; pass N ≥ 1 examples of the task\'s training split');
  if (!setup.model.head) throw new Error('calibrate: the model has no task head; load it with a sequence-classification head');
  if (setup.adapter.trainable().length === 0) throw new Error(`calibrate: adapter '${setup.adapter.method}' has nothing to train`);
}

/** Trains the adapter (and optionally the head) with forward passes through the chip; see the file header. */
export function calibrateOnChip(setup: CalibrateSetup, options: CalibrateOptions): CalibrateResult {
  checkOptions(setup, options);
  const { model, adapter, state, kind, examples } = setup;
  const n = examples.ids.length;
  const batchSize = Math.min(options.batchSize ?? 16, n);
  const lr = options.lr ?? 1e-2;
  const clipNorm = options.clipNorm ?? 1;
  const head = options.trainHead ? new ParamTuning('calibrate-head', model, headParamNames(model), {}) : null;
  const params: OptimParam[] = [
    ...adapter.trainable().map((t) => ({ variable: t.variable, decay: false, lrScale: t.lrScale ?? 1 })),
    ...(head ? head.trainable().map((t) => ({ variable: t.variable, decay: false, lrScale: (options.headLr ?? lr / 10) / lr })) : []),
  ];
  const vars = params.map((p) => p.variable);
  const optimizer = new AdamW(params, { weightDecay: 0 });
  const attachment = setup.attach ? setup.attach() : attachChip(state!, model, { straightThrough: true });
  const rng = new Rng(options.seed ?? 0, 'calibrate');
  const losses: number[] = [];
  const started = performance.now();
  let baseline = -1;
  adapter.setMode({ kind: 'eval' });
  try {
    for (let epoch = 1; losses.length < options.steps; epoch++) {
      for (const rows of batchOrder(n, batchSize, rng.fork(`epoch${epoch}`))) {
        if (losses.length >= options.steps) break;
        const batch = collate(examples, rows, kind === 'regression');
        let loss = 0, norm = 0;
        try {
          tf.tidy(() => {
            const { value, grads } = tf.variableGrads(() => taskLoss(headLogits(model as Parameters<typeof headLogits>[0], batch.inputs), batch.labels, kind), vars);
            const sq = tf.addN(vars.map((v) => tf.sum(tf.square(grads[v.name]))));
            const values = tf.stack([value, sq]).dataSync();
            [loss, norm] = [values[0], Math.sqrt(values[1])];
            if (!Number.isFinite(loss) || !Number.isFinite(norm)) {
              throw new Error(`calibrate: step ${losses.length + 1} gave loss ${loss} and gradient norm ${norm} at learning rate ${lr}; lower the learning rate or check the chip's outputs (DAC/ADC ranges)`);
            }
            optimizer.step(grads, lr, clipNorm > 0 && norm > clipNorm ? clipNorm / norm : 1);
          });
        } finally {
          batch.dispose();
        }
        losses.push(loss);
        const count = tensorCount();
        if (baseline < 0) baseline = count;
        else if (options.checkMemory && count > baseline) throw new Error(`calibrate: tensor count grew from ${baseline} to ${count} at step ${losses.length} (a leak)`);
        options.onStep?.({ step: losses.length, steps: options.steps, loss, gradNorm: norm, tensors: count });
      }
    }
    const headState = head ? head.state() : null;
    return { steps: losses.length, losses, mvm: { ...attachment.mvm }, seconds: (performance.now() - started) / 1000, headState };
  } finally {
    attachment.detach();
    optimizer.dispose();
    head?.commit(); // the head keeps its trained values
  }
}
