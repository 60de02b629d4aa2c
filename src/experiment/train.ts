/**
 * Train phase: attach the method → (σ_target per Site from the profile) → train → save.
 *
 * The adapter folder reports/<name>/adapters/<key>/ appears whole or not at all: the adapter files
 * and training.json are written into adapters/<key>.partial-<pid>/, which is then renamed to its
 * key. A training.json that does not parse (damaged outside grasp-hil) is an error naming the file
 * and telling to delete the folder; it is never taken as "not trained" silently.
 *
 * Streams: head initialisation from the training seed ('head-init'), adapter initialisation and
 * grouping from the grouping seed ('adapter'), batches and StochGRASP draws from the training seed.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { relativeSigmaTarget, sigmaTargetFromProfile, weightsOfSites, type PeripheryOptions } from '../crossbar/index.js';
import { parseJsonText } from '../io/index.js';
import { selectSites } from '../model/index.js';
import { attachMethod, getMethod, saveAdapter, splitTokensOption } from '../peft/index.js';
import { Rng } from '../tensor/index.js';
import { isGenerationTask } from '../data/index.js';
import { frequentTargetTokens, resolveHwaOptions, saveInputRanges, train, trainGeneration, type TrainOptions } from '../train/index.js';
import { writeJsonAtomic } from './atomic.js';
import type { JobContext, TrainingRecord } from './job-context.js';
import type { TrainSpec } from './plan.js';

/** What a train job leaves in adapters/<key>/training.json. */
export type { TrainingRecord } from './job-context.js';

export const adapterDir = (outDir: string, key: string): string => join(outDir, 'adapters', key);

/** The record of a trained adapter, or null when it has not been trained. */
export function readTraining(outDir: string, key: string): TrainingRecord | null {
  const dir = adapterDir(outDir, key);
  const f = join(dir, 'training.json');
  if (!existsSync(f)) return null;
  try {
    return parseJsonText(readFileSync(f, 'utf8'), f) as TrainingRecord;
  } catch (e) {
    throw new Error(`${(e as Error).message} (incomplete or corrupted); delete the folder ${dir} and run again to retrain this adapter`);
  }
}

/** Whether a method groups its inputs with a seed (GRASP-like): it documents a `seed` option in the PEFT registry. */
export function takesGroupingSeed(method: string): boolean {
  return 'seed' in getMethod(method).optionDocs;
}

export async function runTrain(ctx: JobContext, spec: TrainSpec): Promise<TrainingRecord> {
  const done = readTraining(ctx.outDir, spec.key);
  if (done) return done;
  const model = await ctx.res.loadBase(spec.trainSeed);
  try {
    const options: Record<string, unknown> = { ...spec.options };
    if (!('seed' in options) && takesGroupingSeed(spec.method)) options.seed = spec.groupingSeed;
    let sigmaTarget: TrainingRecord['sigmaTarget'] = null;
    if (spec.sigmaTarget !== null) {
      if (typeof spec.sigmaTarget === 'number') sigmaTarget = spec.sigmaTarget;
      else if ('relative' in spec.sigmaTarget) {
        sigmaTarget = relativeSigmaTarget(weightsOfSites(selectSites(model, String(options.sites ?? 'all-linear'))), spec.sigmaTarget.relative);
      } else {
        // σ_target per Site: the random part of the chip's error on the Sites this method adapts,
        // programmed on the profile and read at t (the base weights are what the adapter starts from).
        const sites = selectSites(model, String(options.sites ?? 'all-linear'));
        const r = sigmaTargetFromProfile(weightsOfSites(sites), spec.sigmaTarget.profile, {
          t: spec.sigmaTarget.t,
          compensation: spec.sigmaTarget.compensation,
          periphery: (ctx.exp.periphery ?? {}) as PeripheryOptions,
          seeds: 0,
        });
        sigmaTarget = r.sites;
      }
      options.sigmaTarget = sigmaTarget;
    }
    const task = ctx.res.task;
    const tokens = splitTokensOption(options).tokens;
    if (tokens && !Array.isArray(tokens)) {
      // trainableTokens { fromTargets: N }: the N most frequent tokens of the training targets.
      if (!isGenerationTask(task)) throw new Error(`method ${spec.label}: trainableTokens.fromTargets needs a generation task; ${task.id} has labels — list token ids instead`);
      options.trainableTokens = frequentTargetTokens(ctx.res.tokenizer, ctx.res.data.train, ctx.res.maxLength, tokens.fromTargets);
    }
    const adapter = attachMethod(model, spec.method, options, new Rng(spec.groupingSeed, 'adapter'));
    const t = spec.training;
    // Generation tasks: causal-LM loss on the target tokens (train/generation-trainer.ts); label tasks: the head's loss.
    const fit = isGenerationTask(task)
      ? (o: TrainOptions) => trainGeneration({ model, adapter, task, data: ctx.res.data, tokenizer: ctx.res.tokenizer }, o)
      : (o: TrainOptions) => train({ model, adapter, task, data: ctx.res.data, tokenizer: ctx.res.tokenizer }, o);
    const result = await fit(
      {
        epochs: t.epochs, maxSteps: t.maxSteps, batchSize: t.batchSize, lr: t.lr, headLr: t.headLr, weightDecay: t.weightDecay,
        warmupRatio: t.warmupRatio, clipNorm: t.clipNorm, evalEvery: t.evalEvery, hwa: t.hwa, maxLength: ctx.res.maxLength, seed: spec.trainSeed,
        progress: ctx.progress ? 'auto' : 'none', log: ctx.log, signal: ctx.signal,
        ...(ctx.emit ? { onStep: (i) => ctx.emit?.({ type: 'trainStep', key: spec.key, label: spec.label, step: i.step, total: i.total, epoch: i.epoch, loss: i.loss, penalty: i.penalty, gradNorm: i.gradNorm, lr: i.lr, tokensPerSecond: i.tokensPerSecond }) } : {}),
      },
    );
    const dir = adapterDir(ctx.outDir, spec.key);
    const partial = `${dir}.partial-${process.pid}`;
    rmSync(partial, { recursive: true, force: true });
    mkdirSync(partial, { recursive: true });
    await saveAdapter(partial, model, adapter, { head: result.headState, baseModel: ctx.res.modelDir, taskType: isGenerationTask(task) ? 'CAUSAL_LM' : 'SEQ_CLS' });
    // Learned DAC input ranges (training.hwa.inputRange) beside the adapter, for periphery.calibration.dac 'learned'.
    if (result.inputRanges) await saveInputRanges(partial, result.inputRanges);
    const record: TrainingRecord = {
      key: spec.key, method: spec.method, label: spec.label, options: { ...adapter.options }, trainableParams: result.trainableParams,
      headParams: result.headParams, seconds: result.seconds, tokensPerSecond: result.tokensPerSecond, steps: result.steps, final: result.final, sigmaTarget,
      ...(result.sigma ? { sigma: { meanRatio: result.sigma.meanRatio, warning: result.sigma.warning } } : {}),
      ...(t.hwa ? { hwa: resolveHwaOptions(t.hwa) } : {}),
    };
    adapter.detach();
    writeJsonAtomic(join(partial, 'training.json'), record);
    // A folder without training.json is what an interrupted older run left: it holds no complete state.
    rmSync(dir, { recursive: true, force: true });
    renameSync(partial, dir);
    return record;
  } finally {
    model.dispose();
  }
}
