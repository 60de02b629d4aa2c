/**
 * Fine-tuning loop for sequence classification and regression tasks.
 *
 *   encode (once) → for each epoch: shuffle (seeded) → steps → evaluate → keep the best state
 *   → restore the best state → final evaluation on every evaluation split
 *
 * A step: forward in training mode (dropout; the adapter's own sampling) → task loss + the
 * adapter's penalty → gradients of the adapter's variables and the task head only → global-norm
 * clipping → AdamW with warm-up + linear decay. Loss, penalty and gradient norm come back in one read;
 * a non-finite value stops training with the step, the values and what to try.
 *
 * With `hwa` (hwa.ts), each step also draws weight noise on the analog Sites before the forward pass
 * and clips the adapter's weight-like variables after the update; evaluation runs without noise. With
 * `hwa.inputRange` (input-range.ts) the analog Sites' inputs are also clipped to learned ranges during
 * the steps; the ranges take an SGD step after each update and come back as `inputRanges`.
 *
 * The trainer knows no method by name: it sees `Adapter.trainable()`, `penalty()` and `setMode()`.
 * Every line it prints goes through `log` when given (progress.ts); `signal` is checked before each step.
 * Frozen weights are never copied into variables. Every step runs in `tf.tidy`; the tensor count
 * after a step equals the count after the first one (checked when `checkMemory` is set).
 */
import { batchOrder, collate, encodeExamples, type EncodedSet, type TextTokenizer } from '../data/batch.js';
import { seededSubset, type Task, type TaskData } from '../data/task.js';
import { evaluate } from '../eval/evaluate.js';
import { headLogits, type Transformer } from '../model/index.js';
import { isNoiseAware, type Adapter, type NamedTensors, type SigmaSummary } from '../peft/adapter.js';
import { headParamNames, ParamTuning } from '../peft/param-tuning.js';
import { Rng, tensorCount, tf } from '../tensor/index.js';
import { adapterStep } from './adapter-step.js';
import { HardwareAwareTraining, resolveHwaOptions, type HwaOptions } from './hwa.js';
import { taskLoss } from './losses.js';
import { AdamW, type OptimParam } from './optim.js';
import { createProgress, type ProgressMode, type StepInfo } from './progress.js';
import { linearWarmupDecay, warmupSteps } from './schedule.js';

export interface TrainOptions {
  /** Epochs over the training set (default 3); ignored when maxSteps is set. */
  epochs?: number;
  /** Total optimiser steps; evaluation still runs at each epoch end and at the last step. */
  maxSteps?: number;
  batchSize?: number;
  /** Peak learning rate of the adapter's variables (default 1e-3). */
  lr?: number;
  /** Peak learning rate of the task head (default: lr). */
  headLr?: number;
  weightDecay?: number;
  warmupRatio?: number;
  /** Global gradient-norm limit; 0 disables clipping (default 1). */
  clipNorm?: number;
  /** Token limit per example, special tokens included (default 128). */
  maxLength?: number;
  seed?: number;
  /** Evaluate after every epoch (default) or only at the end. */
  evalEvery?: 'epoch' | 'end';
  evalBatchSize?: number;
  /** Use a fixed seeded subset of n training / evaluation examples (`seededSubset`, the runner's too). */
  trainExamples?: number;
  evalExamples?: number;
  /** Train the task head (default true when the model has one). */
  trainHead?: boolean;
  progress?: ProgressMode;
  /**
   * Where the trainer's lines go — step lines, evaluation lines, the σ warning (default: stderr, with a bar on a
   * terminal). With `log`, 'auto' and 'bar' become plain lines (a bar cannot be drawn through a line callback).
   */
  log?: (line: string) => void;
  /** Checked before every step: training stops with the signal's reason. */
  signal?: AbortSignal;
  /** Hardware-aware training: weight noise on the analog Sites each step, optional clipping (hwa.ts). */
  hwa?: HwaOptions;
  /** Throw when the tensor count grows between steps. */
  checkMemory?: boolean;
  onStep?: (info: StepInfo & { penalty: number; gradNorm: number; tensors: number }) => void;
  onEvaluate?: (result: EvalRecord) => void;
}

export interface EvalRecord {
  epoch: number;
  step: number;
  split: string;
  metrics: Record<string, number>;
}

export interface TrainResult {
  steps: number;
  epochs: number;
  /** Evaluations during training (the selection split). */
  history: EvalRecord[];
  /** The evaluation whose state was kept. */
  best: EvalRecord | null;
  /** Metrics of the kept state on every evaluation split. */
  final: Record<string, Record<string, number>>;
  lastLoss: number;
  tokensPerSecond: number;
  seconds: number;
  trainableParams: number;
  headParams: number;
  /** The trained head's parameters (checkpoint orientation), for saveAdapter's `head`. */
  headState: NamedTensors | null;
  /**
   * Noise-aware adapters (StochGRASP): the kept state's σ against σ_target, as the mean over Sites of
   * (each Site's element-weighted mean σ)/σ_target, with a warning when it is outside [0.5, 2] — the noise-aware
   * loss did not reach its target (too few steps, or λ too small for the penalty to outweigh the task's pull on σ).
   */
  sigma?: { meanRatio: number; warning: string | null; sites: SigmaSummary[] };
  /** With hwa.inputRange: the learned DAC input range per analog Site after the last step (input units). */
  inputRanges?: Record<string, number>;
}

const SIGMA_FLOOR = 1e-3;

/** σ/σ_target of a noise-aware adapter, averaged over Sites; undefined when it learns no σ. */
export function sigmaReport(adapter: Adapter): TrainResult['sigma'] | undefined {
  if (!isNoiseAware(adapter)) return undefined;
  const sites = adapter.sigmaSummary();
  // Targets below σ's initial range (an ideal device gives ≈ 1e-10) count as SIGMA_FLOOR: σ = exp(ln σ)
  // only approaches 0, and anything under 1e-3 is negligible next to trained weights.
  if (sites.length === 0) return undefined;
  const avg = (f: (s: SigmaSummary) => number) => sites.reduce((n, s) => n + f(s), 0) / sites.length;
  const meanRatio = avg((s) => s.mean / Math.max(s.target, SIGMA_FLOOR));
  const mean = avg((s) => s.mean), target = avg((s) => s.target);
  const warning = meanRatio < 0.5 || meanRatio > 2
    ? `σ ended at ${mean.toPrecision(3)} on average against σ_target ${target.toPrecision(3)} (ratio ${meanRatio.toFixed(2)}): the noise-aware loss did not reach its target; train longer (σ needs about |σ_target − 0.003|/lr optimiser steps at full learning rate) or raise λ`
    : null;
  return { meanRatio, warning, sites };
}

export interface TrainSetup {
  model: Transformer;
  adapter: Adapter;
  task: Task;
  data: TaskData;
  tokenizer: TextTokenizer;
}

export { TrainingDivergedError } from './adapter-step.js';

function snapshot(adapter: Adapter, head: ParamTuning | null): { adapter: NamedTensors; head: NamedTensors | null } {
  return { adapter: adapter.state(), head: head ? head.state() : null };
}

export async function train(setup: TrainSetup, options: TrainOptions = {}): Promise<TrainResult> {
  const { model, adapter, task, tokenizer } = setup;
  if (!model.head) throw new Error('train: the model has no task head; build or load it with a sequence-classification head');
  const regression = task.kind === 'regression';
  const expected = regression ? 1 : task.labels.length;
  if (model.head.outFeatures !== expected) {
    throw new Error(`train: the head has ${model.head.outFeatures} outputs, task ${task.id} needs ${expected}; build the head with numLabels ${expected}`);
  }
  const o = {
    epochs: options.epochs ?? 3, batchSize: options.batchSize ?? 16, lr: options.lr ?? 1e-3, weightDecay: options.weightDecay ?? 0.01,
    warmupRatio: options.warmupRatio ?? 0.06, clipNorm: options.clipNorm ?? 1, maxLength: options.maxLength ?? 128, seed: options.seed ?? 0,
  };
  const headLr = options.headLr ?? o.lr;
  if (options.hwa) resolveHwaOptions(options.hwa); // bad options fail before encoding

  // Encode once.
  const trainExamples = seededSubset(setup.data.train, options.trainExamples, `${task.id}/train`);
  if (trainExamples.length === 0) throw new Error(`train: task ${task.id} has no training examples`);
  const trainSet = encodeExamples(tokenizer, trainExamples, o.maxLength);
  const evalSets = new Map<string, EncodedSet>();
  for (const [split, ex] of Object.entries(setup.data.evaluation)) {
    const part = seededSubset(ex, options.evalExamples, `${task.id}/${split}`);
    if (part.length) evalSets.set(split, encodeExamples(tokenizer, part, o.maxLength));
  }
  const selectSplit = [...evalSets.keys()][0] ?? null;

  // Variables: the adapter's and the head's; nothing else.
  const trainHead = options.trainHead ?? true;
  const head = trainHead ? new ParamTuning('head', model, headParamNames(model), {}) : null;
  const params: OptimParam[] = [
    ...adapter.trainable().map((t) => ({ variable: t.variable, decay: t.decay, lrScale: t.lrScale ?? 1 })),
    ...(head ? head.trainable().map((t) => ({ variable: t.variable, decay: t.decay, lrScale: headLr / o.lr })) : []),
  ];
  const vars = params.map((p) => p.variable);
  const adapterVars = adapter.trainable();
  const optimizer = new AdamW(params, { weightDecay: o.weightDecay });

  const stepsPerEpoch = Math.ceil(trainSet.ids.length / o.batchSize);
  const total = options.maxSteps ?? o.epochs * stepsPerEpoch;
  const epochs = Math.ceil(total / stepsPerEpoch);
  const warmup = warmupSteps(total, o.warmupRatio);
  const rng = new Rng(o.seed, 'train');
  const progress = createProgress(total, options.progress ?? 'auto', options.log ?? process.stderr);
  const history: EvalRecord[] = [];
  let best: EvalRecord | null = null;
  let bestState: ReturnType<typeof snapshot> | null = null;
  let step = 0, lastLoss = NaN, tokens = 0, baseline = -1;
  const started = Date.now();

  const runEval = (epoch: number) => {
    if (!selectSplit) return;
    adapter.setMode({ kind: 'eval' });
    const metrics = evaluate(model, task, evalSets.get(selectSplit)!, { batchSize: options.evalBatchSize ?? 32 });
    const rec: EvalRecord = { epoch, step, split: selectSplit, metrics };
    history.push(rec);
    options.onEvaluate?.(rec);
    progress.log(`epoch ${epoch} step ${step} ${selectSplit}: ${Object.entries(metrics).map(([k, v]) => `${k} ${v.toFixed(4)}`).join(' ')}`);
    const score = metrics[task.primaryMetric];
    if (best === null || (Number.isFinite(score) && !(score <= best.metrics[task.primaryMetric]))) {
      best = rec;
      bestState = snapshot(adapter, head);
    }
  };

  // Noise hooks on the analog Sites, removed in `finally`.
  const hwa = options.hwa ? new HardwareAwareTraining(model, options.hwa) : null;
  try {
    for (let epoch = 1; epoch <= epochs && step < total; epoch++) {
      for (const rows of batchOrder(trainSet.ids.length, o.batchSize, rng.fork(`epoch${epoch}`))) {
        if (step >= total) break;
        options.signal?.throwIfAborted();
        const stepRng = rng.fork(`step${step}`);
        const lr = linearWarmupDecay(step, total, warmup, o.lr);
        const batch = collate(trainSet, rows, regression);
        let loss = 0, penalty = 0, norm = 0;
        try {
          adapter.setMode({ kind: 'train', rng: stepRng.fork('adapter') });
          hwa?.beginStep(stepRng.fork('hwa'));
          ({ loss, penalty, norm } = adapterStep({
            vars, optimizer, adapter, lr, clipNorm: o.clipNorm, step, epoch, check: 'the data and labels',
            loss: () => taskLoss(headLogits(model as Parameters<typeof headLogits>[0], batch.inputs, { training: true, rng: stepRng.fork('dropout') }), batch.labels, task.kind),
            extraVars: hwa?.rangeVariables(),
            afterStep: (grads) => {
              hwa?.clip(adapterVars);
              hwa?.update(grads, lr);
            },
          }));
        } finally {
          hwa?.endStep();
          batch.dispose();
        }
        step++;
        lastLoss = loss;
        tokens += batch.tokens;
        const count = tensorCount();
        if (baseline < 0) baseline = count;
        else if (options.checkMemory && count > baseline) throw new Error(`train: tensor count grew from ${baseline} to ${count} at step ${step} (a leak)`);
        const info = { step, total, epoch, loss, lr, tokensPerSecond: tokens / ((Date.now() - started) / 1000) };
        progress.update(info);
        options.onStep?.({ ...info, penalty, gradNorm: norm, tensors: count });
      }
      if ((options.evalEvery ?? 'epoch') === 'epoch' || step >= total) runEval(epoch);
    }
    adapter.setMode({ kind: 'eval' });
    if (bestState) {
      const s = bestState as ReturnType<typeof snapshot>;
      adapter.loadState(s.adapter, 'best state');
      if (head && s.head) head.loadState(s.head, 'best state');
    }
    const final: Record<string, Record<string, number>> = {};
    for (const [split, set] of evalSets) final[split] = evaluate(model, task, set, { batchSize: options.evalBatchSize ?? 32 });
    const seconds = (Date.now() - started) / 1000;
    const sigma = sigmaReport(adapter);
    const inputRanges = hwa?.learnedRanges() ?? null;
    if (sigma?.warning && (options.progress ?? 'auto') !== 'none') (options.log ?? ((l: string) => console.error(l)))(`train: warning: ${sigma.warning}`);
    return {
      steps: step, epochs, history, best, final, lastLoss,
      tokensPerSecond: tokens / seconds, seconds,
      trainableParams: adapter.parameterCount(), headParams: head ? head.parameterCount() : 0,
      headState: head ? head.state() : null,
      ...(sigma ? { sigma } : {}),
      ...(inputRanges ? { inputRanges } : {}),
    };
  } finally {
    progress.stop();
    hwa?.detach();
    optimizer.dispose();
    // The head keeps its trained values: refreeze without restoring.
    head?.commit();
  }
}
