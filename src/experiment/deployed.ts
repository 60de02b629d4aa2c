/**
 * What an evaluation deploys, cached per process: the base model (of one model folder and head size)
 * and each adapter's merged weights, head and learned values; and `measure`, the forward passes over
 * the evaluation set that every protocol ends with (evaluate.ts, calibrate.ts, chip-driver.ts).
 */
import { isGenerationTask } from '../data/index.js';
import { evaluateDetailed } from '../eval/index.js';
import type { Model } from '../model/index.js';
import { headParamNames, loadAdapter, paramState, type MergedWeights, type NamedTensors } from '../peft/index.js';
import { decodeAndScore, decodingOf } from './generation.js';
import type { JobContext } from './job-context.js';
import type { EvalSpec } from './plan.js';
import { adapterDir, readTraining } from './train.js';

/** What a row says about the adapter it evaluates. */
interface AdapterFacts {
  method: string;
  label: string;
  options: Record<string, unknown>;
  trainableParams: number;
  /** The σ_target a trained noise-aware adapter trained toward (training.json); absent for supplied adapters. */
  sigmaTarget?: number | Record<string, number> | null;
}

interface Deployable {
  merged: MergedWeights;
  head: NamedTensors;
  record: AdapterFacts;
  /** Learned parameter values (γ, β, μ, ρ, …) by `<Site>.<kind>`, for histograms. */
  state: NamedTensors;
}

/**
 * Per-process caches: the base model (of one model folder and head size), its head as loaded (for
 * supplied adapters that bring none), and each adapter's merged weights.
 */
const cache: { model: Model | null; modelKey: string; baseHead: NamedTensors; adapters: Map<string, Deployable> } = { model: null, modelKey: '', baseHead: new Map(), adapters: new Map() };

export async function baseModel(ctx: JobContext): Promise<Model> {
  const key = JSON.stringify([ctx.res.modelDir, 'labels' in ctx.res.task ? ctx.res.task.labels.length : 0, ctx.res.task.kind]);
  if (cache.model && cache.modelKey !== key) {
    cache.model.dispose();
    cache.model = null;
    cache.adapters.clear();
  }
  if (!cache.model) {
    cache.model = await ctx.res.loadBase(0);
    cache.modelKey = key;
    cache.baseHead = paramState(cache.model, headParamNames(cache.model));
  }
  return cache.model;
}

export async function deployable(ctx: JobContext, spec: EvalSpec): Promise<Deployable> {
  const key = spec.adapter;
  const hit = cache.adapters.get(key);
  if (hit) return hit;
  const model = await baseModel(ctx);
  const trained = spec.supplied ? null : readTraining(ctx.outDir, key);
  if (!spec.supplied && !trained) throw new Error(`adapter ${key} has not been trained (no training.json in ${adapterDir(ctx.outDir, key)})`);
  const dir = spec.supplied ? spec.supplied.path : adapterDir(ctx.outDir, key);
  const loaded = await loadAdapter(dir, model, { baseModel: ctx.res.modelDir, allowBaseMismatch: spec.supplied?.allowBaseMismatch ?? false });
  const record: AdapterFacts = trained ?? {
    method: loaded.adapter.method, label: spec.supplied!.label, options: { ...loaded.adapter.options }, trainableParams: loaded.adapter.parameterCount(),
  };
  const merged = loaded.adapter.merge();
  // A supplied adapter without a head runs with the base model's head as loaded (seed 0), not the last adapter's.
  const head = loaded.headParams.length ? paramState(model, loaded.headParams) : cache.baseHead;
  const state = loaded.adapter.state();
  loaded.adapter.detach();
  const d = { merged, head, record, state };
  cache.adapters.set(key, d);
  return d;
}

/**
 * Metrics, predictions and labels on the evaluation set, and the ms the forward passes took.
 * Generation tasks: the decoded hypotheses and the NLG metrics instead (generation.ts).
 */
export function measure(ctx: JobContext, model: Model) {
  const t0 = performance.now();
  const task = ctx.res.task;
  if (isGenerationTask(task)) {
    const g = decodeAndScore(model, ctx.res.tokenizer, ctx.res.evalExamples, decodingOf(ctx.exp));
    return {
      fields: {
        metricName: task.primaryMetric, metric: g.metrics[task.primaryMetric], metrics: g.metrics as Record<string, number>, hypotheses: g.hypotheses,
        items: ctx.res.evalExamples.map((e, i) => e.source ?? String(i)), generatedTokens: g.generatedTokens,
      },
      ms: performance.now() - t0,
    };
  }
  const { metrics, predictions } = evaluateDetailed(model, task, ctx.res.evalSet);
  const metricName = task.primaryMetric;
  return {
    fields: { metricName, metric: metrics[metricName], metrics, predictions: Array.from(predictions), labels: Array.from(ctx.res.evalSet.labels) },
    ms: performance.now() - t0,
  };
}
