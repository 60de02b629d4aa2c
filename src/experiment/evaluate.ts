/**
 * Evaluate phase: merge → deploy → evaluate → one row.
 *
 *   merge     the adapter folded into deployable weights (cached per process and adapter)
 *   deploy    noise protocol: eval/noise.ts's perturbMerged with noiseStream(noise seed, σ), the same
 *             function and streams as `grasp-hil evaluate --noise`; hardware protocol: the Sites on a
 *             programmed chip (chip-cache.ts) read at t, everything else digital and merged; with the
 *             experiment's `chip`, the Sites on that chip driver instead (chip-driver.ts)
 *   calibrate hardware protocol with periphery.calibration: the chip's ranges set from N training
 *             examples (range-calibration.ts) before the evaluation set is read
 *   evaluate  predictions per example (evaluation-set order) and the task's metrics; hardware rows
 *             also count clipped DAC inputs and ADC outputs (clipRates; null where nothing can clip)
 *
 * noise and hardware rows keep predictions and labels for paired statistics; params rows keep the
 * learned parameter histograms pooled ('*') and per Site. A supplied adapter (`adapters` entry) loads
 * from its own folder, with the base-model check validation already passed; its rows carry no
 * training seed. Hardware rows record the compensation mode's name and the noise-scale point.
 */
import { estimateArea, estimateEnergy, type Periphery, type PeripheryOptions } from '../crossbar/index.js';
import { isGenerationTask } from '../data/index.js';
import { evaluateDetailed, perturbMerged } from '../eval/index.js';
import { selectSites, type Model } from '../model/index.js';
import { applyMerged, headParamNames, loadAdapter, loadParams, paramState, type MergedWeights, type NamedTensors } from '../peft/index.js';
import { parameterHistograms } from '../results/index.js';
import { calibrateChip, calibrationSet } from './range-calibration.js';
import { chipFor } from './chip-cache.js';
import { runCalibrate } from './calibrate.js';
import { onChipDriver } from './chip-driver.js';
import { decodeAndScore, decodingOf } from './generation.js';
import type { JobContext, JobRow } from './jobs.js';
import { peripheryWith, type EvalSpec } from './plan.js';
import { adapterDir, readTraining } from './train.js';

/** What a row says about the adapter it evaluates. */
interface AdapterFacts {
  method: string;
  label: string;
  options: Record<string, unknown>;
  trainableParams: number;
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

async function deployable(ctx: JobContext, spec: EvalSpec): Promise<Deployable> {
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

export async function runEvaluate(ctx: JobContext, spec: EvalSpec): Promise<JobRow> {
  const tMerge = performance.now();
  const d = await deployable(ctx, spec);
  const merge = performance.now() - tMerge;
  const base = {
    key: spec.key, inputsHash: spec.inputsHash, entryId: spec.entryId, targetProfile: spec.targetProfile, compareTo: ctx.exp.compareTo ?? null, method: d.record.method, methodLabel: d.record.label,
    methodOptions: d.record.options, trainableParams: d.record.trainableParams, task: ctx.res.task.id,
  };
  const train = spec.trainSeed === null ? {} : { train: spec.trainSeed };
  if (spec.kind === 'calibrate') return runCalibrate(ctx, spec);
  if (spec.kind === 'params') return { ...base, kind: 'params', histograms: parameterHistograms(d.state), seeds: train };
  const model = await baseModel(ctx);
  loadParams(model, d.head, `adapter ${spec.adapter} head`);
  const t0 = performance.now();
  if (spec.kind === 'noise') {
    const only = spec.sites ? new Set(selectSites(model, spec.sites).map((s) => s.name)) : null;
    const undo = applyMerged(model, perturbMerged(d.merged, spec.sigma, spec.noiseSeed, { relative: spec.relative, sites: only }));
    const program = performance.now() - t0;
    try {
      const { fields, ms } = measure(ctx, model);
      return {
        ...base, kind: 'noise', noiseSigma: spec.sigma, seeds: { ...train, noise: spec.noiseSeed }, ...fields,
        durationMs: performance.now() - t0, phaseMs: { merge, program, evaluate: ms },
      };
    } finally {
      undo();
    }
  }
  if (spec.chip) {
    // Hardware protocol on a chip driver (chip-driver.ts): the Sites' MVMs go to the chip.
    const onChip = new Set(selectSites(model, spec.sites).map((s) => s.name));
    const undo = applyMerged(model, { sites: new Map([...d.merged.sites].filter(([n]) => !onChip.has(n))), params: d.merged.params });
    try {
      const r = onChipDriver<ReturnType<typeof measure>['fields']>(ctx, spec, model, d.merged, () => measure(ctx, model));
      return {
        ...base, kind: 'hardware', profile: r.profile, t: spec.t, compensation: spec.compensation, periphery: null, sweep: null, chip: r.chip,
        seeds: { ...train, chip: spec.chipSeed }, ...r.fields,
        durationMs: performance.now() - t0, phaseMs: { merge, program: r.program, evaluate: r.ms },
      };
    } finally {
      undo();
    }
  }
  // Hardware protocol: the selected Sites run on the chip, everything else digital and merged.
  const p = peripheryWith(ctx.exp.periphery, spec.sweep);
  const chip = chipFor(spec, model, d.merged, p as PeripheryOptions);
  const onChip = new Set(chip.siteNames());
  const undoParams = applyMerged(model, { sites: new Map([...d.merged.sites].filter(([n]) => !onChip.has(n))), params: d.merged.params });
  const state = chip.at(spec.t, { compensation: spec.compensation, read: spec.readSeed });
  let detach: (() => void) | null = null;
  try {
    if (spec.calibrationExamples !== null) calibrateChip(state, model, d.merged, calibrationSet(ctx.res, spec.calibrationExamples), ctx.res.task.kind === 'regression');
    detach = state.attach(model);
    const clipping = canClip(state.periphery);
    if (clipping) state.trackClipping();
    const program = performance.now() - t0;
    const { fields, ms } = measure(ctx, model);
    const clipRates = clipping ? state.clipRates() : { dac: null, adc: null, perSite: Object.fromEntries(chip.siteNames().map((n) => [n, { dac: null, adc: null }])) };
    const tokens = ctx.res.evalSet.ids.reduce((n, ids) => n + ids.length, 0) / ctx.res.evalSet.ids.length;
    const e = estimateEnergy(chip, { tokens: Math.max(1, Math.round(tokens)) });
    return {
      ...base, kind: 'hardware', profile: spec.profile, t: spec.t, compensation: spec.compensation, periphery: p, sweep: spec.sweep,
      ...(spec.scales ? { scales: spec.scales } : {}),
      seeds: { ...train, chip: spec.chipSeed, read: spec.readSeed }, ...fields, clipRates, calibrationExamples: spec.calibrationExamples,
      energy: { totalJ: e.perInference.energy, latencyS: e.perInference.latency, areaM2: estimateArea(chip).total.area, ...e.perInference.breakdown },
      durationMs: performance.now() - t0, phaseMs: { merge, program, evaluate: ms },
    };
  } finally {
    detach?.();
    state.dispose();
    undoParams();
  }
}

/**
 * Whether an MVM of this periphery can clip: a fixed or calibrated DAC range, or an ADC bound (set,
 * implied by ADC bits, or calibrated). Only then are clips counted, because counting replaces the
 * WebAssembly kernels by the fused loops (same numbers, slower).
 */
function canClip(p: Periphery): boolean {
  return p.dac.range !== 'abs-max' || p.adc.bits !== null || p.adc.bound !== null || (p.calibration !== null && (p.calibration.dacPercentile !== null || p.calibration.adcPercentile !== null));
}
