/**
 * PEFT fine-tuning of a GPT-2 decoder on a data-to-text task with the causal-LM loss on the target
 * tokens only (clm.ts `promptTargetBatch`; the MR prompt is masked out of the loss).
 *
 *   pairs   every training MR × each of its references → (prompt ids, target ids + eos), truncated
 *           so that prompt + target ≤ maxLength (the target is cut, the prompt kept)
 *   epochs  shuffle pairs (stream `train/epoch<k>`) → steps → held-out target loss on the first
 *           evaluation split (≤ 64 MRs × first reference) → keep the state with the lowest loss
 *   step    adapter.setMode(train, `train/step<k>/adapter`) → loss + adapter penalty (StochGRASP's σ
 *           term) → gradients of the adapter's variables only → global-norm clipping → AdamW with
 *           warm-up + linear decay; dropout from `train/step<k>/dropout`
 *
 * Prompt format (`generationPrompt`, shared with the evaluate phase): `<MR> ||` then the target
 * ` <reference><|endoftext|>` — the LoRA paper's E2E layout with a plain-text separator.
 * The LM head is tied to the frozen word embeddings: nothing but the adapter trains. Every step runs
 * in `tf.tidy`; the tensor count after each step equals the first step's (checked with `checkMemory`).
 */
import { batchOrder } from '../data/batch.js';
import { seededSubset, type Example, type GenerationTask, type TaskData } from '../data/task.js';
import type { Model } from '../model/index.js';
import type { Adapter } from '../peft/adapter.js';
import { Rng, tensorCount, tf } from '../tensor/index.js';
import { evaluateClm, promptTargetBatch, clmLoss, type ClmBatch } from './clm.js';
import { AdamW, type OptimParam } from './optim.js';
import { createProgress } from './progress.js';
import { linearWarmupDecay, warmupSteps } from './schedule.js';
import { adapterStep } from './adapter-step.js';
import { sigmaReport, type EvalRecord, type TrainOptions, type TrainResult } from './trainer.js';

/** What generation training needs of a tokenizer (the io/tokenizer `Tokenizer` satisfies it). */
export interface GenerationTokenizer {
  encode(text: string, pair?: string, options?: { addSpecialTokens?: boolean }): { ids: number[] };
  decode(ids: readonly number[], options?: { skipSpecialTokens?: boolean }): string;
  readonly eosId: number | undefined;
}

/** The prompt text of an MR (the evaluate phase generates after it). */
export const generationPrompt = (mr: string): string => `${mr} ||`;

/** Prompt ids of an example, cut to at most `maxPrompt` tokens (the end kept, so the separator stays). */
export function promptIds(tok: GenerationTokenizer, ex: Example, maxPrompt: number): number[] {
  const ids = tok.encode(generationPrompt(String(ex.input)), undefined, { addSpecialTokens: false }).ids;
  return ids.length > maxPrompt ? ids.slice(ids.length - maxPrompt) : ids;
}

export interface PromptTarget {
  prompt: number[];
  target: number[];
}

/** One (prompt, target + eos) pair per reference of each example, prompt + target ≤ maxLength tokens. */
export function encodePairs(tok: GenerationTokenizer, examples: readonly Example[], maxLength: number, firstOnly = false): PromptTarget[] {
  const eos = tok.eosId;
  if (eos === undefined) throw new Error('generation training: the tokenizer has no eos (<|endoftext|>) token');
  const out: PromptTarget[] = [];
  for (const ex of examples) {
    const refs = ex.references ?? [];
    if (refs.length === 0) throw new Error(`generation training: example ${ex.source ?? String(ex.input)} has no reference texts`);
    const prompt = promptIds(tok, ex, Math.max(1, maxLength - 8));
    for (const ref of firstOnly ? refs.slice(0, 1) : refs) {
      const target = [...tok.encode(` ${ref}`, undefined, { addSpecialTokens: false }).ids, eos].slice(0, maxLength - prompt.length);
      out.push({ prompt, target });
    }
  }
  return out;
}

export interface GenerationTrainSetup {
  model: Model;
  adapter: Adapter;
  task: GenerationTask;
  data: TaskData;
  tokenizer: GenerationTokenizer;
}

const EVAL_MRS = 64;

/** Fine-tunes `adapter` on the task's pairs; returns what `train` returns (metrics: loss, perplexity). */
export async function trainGeneration(setup: GenerationTrainSetup, options: TrainOptions = {}): Promise<TrainResult> {
  const { model, adapter, task, tokenizer } = setup;
  if (model.family !== 'decoder' || model.head?.kind !== 'lm') {
    throw new Error(`train: task ${task.id} generates text and needs a GPT-2 decoder with an LM head (e.g. models/tiny-gpt2)`);
  }
  if (options.hwa) throw new Error(`train: hardware-aware training (training.hwa) is not available for generation task ${task.id}`);
  const o = {
    epochs: options.epochs ?? 3, batchSize: options.batchSize ?? 16, lr: options.lr ?? 1e-3, weightDecay: options.weightDecay ?? 0.01,
    warmupRatio: options.warmupRatio ?? 0.06, clipNorm: options.clipNorm ?? 1, maxLength: Math.min(options.maxLength ?? 128, model.config.maxPositions), seed: options.seed ?? 0,
  };
  const trainExamples = seededSubset(setup.data.train, options.trainExamples, `${task.id}/train`);
  const pairs = encodePairs(tokenizer, trainExamples, o.maxLength);
  if (pairs.length === 0) throw new Error(`train: task ${task.id} has no training examples`);
  const eos = tokenizer.eosId as number;
  const [selectSplit, selectExamples] = Object.entries(setup.data.evaluation)[0] ?? [null, []];
  const heldPairs = selectSplit ? encodePairs(tokenizer, seededSubset(selectExamples, Math.min(options.evalExamples ?? EVAL_MRS, EVAL_MRS), `${task.id}/${selectSplit}`), o.maxLength, true) : [];
  const heldBatches: ClmBatch[] = [];
  for (let s = 0; s < heldPairs.length; s += 16) heldBatches.push(promptTargetBatch(heldPairs.slice(s, s + 16), eos));

  const params: OptimParam[] = adapter.trainable().map((t) => ({ variable: t.variable, decay: t.decay, lrScale: t.lrScale ?? 1 }));
  const vars = params.map((p) => p.variable);
  const optimizer = new AdamW(params, { weightDecay: o.weightDecay });
  const stepsPerEpoch = Math.ceil(pairs.length / o.batchSize);
  const total = options.maxSteps ?? o.epochs * stepsPerEpoch;
  const epochs = Math.ceil(total / stepsPerEpoch);
  const warmup = warmupSteps(total, o.warmupRatio);
  const rng = new Rng(o.seed, 'train');
  const progress = createProgress(total, options.progress ?? 'auto');
  const history: EvalRecord[] = [];
  let best: EvalRecord | null = null;
  let bestState: ReturnType<Adapter['state']> | null = null;
  let step = 0, lastLoss = NaN, tokens = 0, baseline = -1;
  const started = Date.now();

  const heldOut = (): Record<string, number> => {
    adapter.setMode({ kind: 'eval' });
    const e = evaluateClm(model, heldBatches, step);
    return { loss: e.loss, perplexity: e.perplexity, accuracy: e.accuracy };
  };
  const runEval = (epoch: number) => {
    if (!selectSplit || heldBatches.length === 0) return;
    const metrics = heldOut();
    const rec: EvalRecord = { epoch, step, split: selectSplit, metrics };
    history.push(rec);
    options.onEvaluate?.(rec);
    progress.log(`epoch ${epoch} step ${step} ${selectSplit}: target loss ${metrics.loss.toFixed(4)} (perplexity ${metrics.perplexity.toFixed(2)})`);
    if (best === null || metrics.loss < best.metrics.loss) {
      best = rec;
      bestState = adapter.state();
    }
  };

  try {
    for (let epoch = 1; epoch <= epochs && step < total; epoch++) {
      for (const rows of batchOrder(pairs.length, o.batchSize, rng.fork(`epoch${epoch}`))) {
        if (step >= total) break;
        const stepRng = rng.fork(`step${step}`);
        const lr = linearWarmupDecay(step, total, warmup, o.lr);
        const batch = promptTargetBatch(rows.map((i) => pairs[i]), eos);
        adapter.setMode({ kind: 'train', rng: stepRng.fork('adapter') });
        const { loss, penalty, norm } = adapterStep({
          vars, optimizer, adapter, lr, clipNorm: o.clipNorm, step, epoch, check: 'the data',
          loss: () => clmLoss(model, batch, true, stepRng.fork('dropout')),
        });
        step++;
        lastLoss = loss;
        for (const i of rows) tokens += pairs[i].prompt.length + pairs[i].target.length;
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
    if (bestState) adapter.loadState(bestState, 'best state');
    const final: Record<string, Record<string, number>> = selectSplit && heldBatches.length ? { [selectSplit]: heldOut() } : {};
    const seconds = (Date.now() - started) / 1000;
    const sigma = sigmaReport(adapter);
    if (sigma?.warning && (options.progress ?? 'auto') !== 'none') console.error(`train: warning: ${sigma.warning}`);
    return {
      steps: step, epochs, history, best, final, lastLoss, tokensPerSecond: tokens / seconds, seconds,
      trainableParams: adapter.parameterCount(), headParams: 0, headState: null, ...(sigma ? { sigma } : {}),
    };
  } finally {
    progress.stop();
    optimizer.dispose();
  }
}
