/**
 * The work of a run, as jobs that any process (the main one or a worker) can execute from plain
 * JSON. Each job carries its own seeds; its result depends on nothing else, so the rows are the
 * same whatever the worker count or order.
 *
 *   train:    attach → (σ_target from the profile) → train → save adapter + training.json
 *   evaluate: load adapter → merge → deploy (noise protocol: perturbed weights; hardware protocol:
 *             program a chip, read it at t) → evaluate → one row
 *   device:   simulate devices of a profile at a few levels and t → one row of histograms
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { characterise, Chip, estimateEnergy, relativeSigmaTarget, sigmaTargetFromProfile, weightsOfSites, type PeripheryOptions } from '../crossbar/index.js';
import { loadProfile } from '../device/index.js';
import { evaluate } from '../eval/index.js';
import { selectSites, type Model, type WeightsBySite } from '../model/index.js';
import { applyMerged, attachMethod, cloneMerged, loadAdapter, loadParams, paramState, saveAdapter, type MergedWeights, type NamedTensors } from '../peft/index.js';
import { Rng } from '../tensor/index.js';
import { train } from '../train/index.js';
import type { DeviceSpec, EvalSpec, TrainSpec } from './plan.js';
import type { Resources } from './resources.js';
import type { Histogram, ResultRow } from './row.js';
import type { Experiment } from './schema.js';

export type Job =
  | { kind: 'train'; spec: TrainSpec }
  | { kind: 'evaluate'; spec: EvalSpec }
  | { kind: 'device'; spec: DeviceSpec };

/** What a train job leaves in adapters/<key>/training.json. */
export interface TrainingRecord {
  key: string;
  method: string;
  label: string;
  options: Record<string, unknown>;
  trainableParams: number;
  headParams: number;
  seconds: number;
  tokensPerSecond: number;
  steps: number;
  /** Metrics of the kept state on each evaluation split. */
  final: Record<string, Record<string, number>>;
  /** σ_target used (weight units; per Site when taken from a profile), or null. */
  sigmaTarget: number | Record<string, number> | null;
  /** Noise-aware adapters: mean σ/σ_target of the kept state, and the trainer's warning when off target. */
  sigma?: { meanRatio: number; warning: string | null };
}

/** Partial row a job produces; the runner adds provenance. */
export type JobRow = Omit<ResultRow, 'experiment' | 'experimentHash' | 'backend' | 'version' | 'gitCommit' | 'timestamp'>;

export interface JobContext {
  exp: Experiment;
  res: Resources;
  /** reports/<experiment>/ */
  outDir: string;
  progress: boolean;
}

export const adapterDir = (ctx: JobContext, key: string): string => join(ctx.outDir, 'adapters', key);

export function readTraining(ctx: JobContext, key: string): TrainingRecord | null {
  const f = join(adapterDir(ctx, key), 'training.json');
  return existsSync(f) ? (JSON.parse(readFileSync(f, 'utf8')) as TrainingRecord) : null;
}

// ---------------------------------------------------------------- train

async function runTrain(ctx: JobContext, spec: TrainSpec): Promise<TrainingRecord> {
  const done = readTraining(ctx, spec.key);
  if (done) return done;
  const model = await ctx.res.loadBase(spec.trainSeed);
  try {
    const options: Record<string, unknown> = { ...spec.options };
    if ('seed' in options === false && ['grasp', 'stochgrasp', 'grasp-weight'].includes(spec.method)) options.seed = spec.groupingSeed;
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
    const adapter = attachMethod(model, spec.method, options, new Rng(spec.groupingSeed, 'adapter'));
    const t = spec.training;
    const result = await train(
      { model, adapter, task: ctx.res.task, data: ctx.res.data, tokenizer: ctx.res.tokenizer },
      {
        epochs: t.epochs, maxSteps: t.maxSteps, batchSize: t.batchSize, lr: t.lr, headLr: t.headLr, weightDecay: t.weightDecay,
        warmupRatio: t.warmupRatio, clipNorm: t.clipNorm, evalEvery: t.evalEvery, maxLength: ctx.res.maxLength, seed: spec.trainSeed,
        progress: ctx.progress ? 'auto' : 'none',
      },
    );
    const dir = adapterDir(ctx, spec.key);
    await saveAdapter(dir, model, adapter, { head: result.headState, baseModel: ctx.res.modelDir, taskType: 'SEQ_CLS' });
    const record: TrainingRecord = {
      key: spec.key, method: spec.method, label: spec.label, options: { ...adapter.options }, trainableParams: result.trainableParams,
      headParams: result.headParams, seconds: result.seconds, tokensPerSecond: result.tokensPerSecond, steps: result.steps, final: result.final, sigmaTarget,
      ...(result.sigma ? { sigma: { meanRatio: result.sigma.meanRatio, warning: result.sigma.warning } } : {}),
    };
    adapter.detach();
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'training.json'), `${JSON.stringify(record, null, 2)}\n`);
    return record;
  } finally {
    model.dispose();
  }
}

// ---------------------------------------------------------------- evaluate

interface Deployable {
  merged: MergedWeights;
  head: NamedTensors;
  record: TrainingRecord;
  /** Learned parameter values by kind (γ, β, μ, σ, …) pooled over Sites, for histograms. */
  state: NamedTensors;
}

/** Per-process caches: the base model and each adapter's merged weights. */
interface EvalCache {
  model: Model | null;
  adapters: Map<string, Deployable>;
  chips: Map<string, Chip>;
}
const cache: EvalCache = { model: null, adapters: new Map(), chips: new Map() };

async function baseModel(ctx: JobContext): Promise<Model> {
  if (!cache.model) cache.model = await ctx.res.loadBase(0);
  return cache.model;
}

async function deployable(ctx: JobContext, key: string): Promise<Deployable> {
  const hit = cache.adapters.get(key);
  if (hit) return hit;
  const record = readTraining(ctx, key);
  if (!record) throw new Error(`adapter ${key} has not been trained (no ${join(adapterDir(ctx, key), 'training.json')})`);
  const model = await baseModel(ctx);
  const loaded = await loadAdapter(adapterDir(ctx, key), model);
  const merged = loaded.adapter.merge();
  const head = paramState(model, loaded.headParams);
  const state = loaded.adapter.state();
  loaded.adapter.detach();
  const d = { merged, head, record, state };
  cache.adapters.set(key, d);
  return d;
}

/** Adds N(0, σ²) (σ absolute, or relative to each Site's max |W|) to every merged Site's weights. */
function perturb(merged: MergedWeights, sigma: number, relative: boolean, sites: Set<string> | null, rng: Rng): MergedWeights {
  const out = cloneMerged(merged);
  if (sigma === 0) return out;
  for (const [name, w] of out.sites) {
    if (sites && !sites.has(name)) continue;
    let s = sigma;
    if (relative) {
      let m = 0;
      for (let i = 0; i < w.weight.length; i++) m = Math.max(m, Math.abs(w.weight[i]));
      s = sigma * m;
    }
    const r = rng.fork(name);
    for (let i = 0; i < w.weight.length; i++) w.weight[i] += s * r.normal();
  }
  return out;
}

function periphery(ctx: JobContext, sweep: Record<string, number | string | boolean> | null): PeripheryOptions {
  const p = JSON.parse(JSON.stringify(ctx.exp.periphery ?? {})) as Record<string, unknown>;
  for (const [path, value] of Object.entries(sweep ?? {})) {
    const keys = path.split('.');
    let o = p;
    for (const k of keys.slice(0, -1)) o = (o[k] ??= {}) as Record<string, unknown>;
    o[keys[keys.length - 1]] = value;
  }
  return p as PeripheryOptions;
}

function metricRow(ctx: JobContext, model: Model): { metricName: string; metric: number; metrics: Record<string, number> } {
  const metrics = evaluate(model, ctx.res.task, ctx.res.evalSet);
  const metricName = ctx.res.task.primaryMetric;
  return { metricName, metric: metrics[metricName], metrics };
}

function histogram(values: Float32Array, bins = 40): Histogram {
  let lo = Infinity, hi = -Infinity;
  for (const v of values) { if (v < lo) lo = v; if (v > hi) hi = v; }
  if (!(hi > lo)) { lo -= 0.5; hi += 0.5; }
  const counts = new Array(bins).fill(0);
  for (const v of values) counts[Math.min(bins - 1, Math.floor(((v - lo) / (hi - lo)) * bins))]++;
  return { edges: Array.from({ length: bins + 1 }, (_, i) => lo + ((hi - lo) * i) / bins), counts };
}

/**
 * Pools an adapter's saved tensors by parameter kind (the key's last segment, e.g. grasp_scale).
 * StochGRASP's stored ln σ (`…_log_sigma`) is pooled as σ itself, in weight units, under `…_sigma`.
 */
function paramHistograms(state: NamedTensors): Record<string, Histogram> {
  const pooled = new Map<string, number[]>();
  for (const [key, t] of state) {
    const stored = key.split('.').pop() as string;
    const logSigma = stored.endsWith('_log_sigma');
    const kind = logSigma ? stored.replace(/_log_sigma$/, '_sigma') : stored;
    const list = pooled.get(kind) ?? [];
    for (const v of t.data) list.push(logSigma ? Math.exp(v) : v);
    pooled.set(kind, list);
  }
  return Object.fromEntries([...pooled].map(([k, v]) => [k, histogram(Float32Array.from(v))]));
}

/** metricRow timed: the metric and the ms its forward passes took. */
function timedMetric(ctx: JobContext, model: Model): { m: ReturnType<typeof metricRow>; ms: number } {
  const t0 = performance.now();
  const m = metricRow(ctx, model);
  return { m, ms: performance.now() - t0 };
}

async function runEvaluate(ctx: JobContext, spec: EvalSpec): Promise<JobRow> {
  const tMerge = performance.now();
  const d = await deployable(ctx, spec.adapter);
  const merge = performance.now() - tMerge;
  const base = { key: spec.key, method: d.record.method, methodLabel: d.record.label, methodOptions: d.record.options, trainableParams: d.record.trainableParams, task: ctx.res.task.id };
  if (spec.kind === 'params') return { ...base, kind: 'params', histograms: { '*': paramHistograms(d.state) } };
  const model = await baseModel(ctx);
  loadParams(model, d.head, `adapter ${spec.adapter} head`);
  const t0 = performance.now();
  if (spec.kind === 'noise') {
    const only = spec.sites ? new Set(selectSites(model, spec.sites).map((s) => s.name)) : null;
    const deployed = perturb(d.merged, spec.sigma, spec.relative, only, new Rng(spec.noiseSeed, `noise/${spec.sigma}`));
    const undo = applyMerged(model, deployed);
    const program = performance.now() - t0;
    try {
      const { m, ms } = timedMetric(ctx, model);
      return {
        ...base, kind: 'noise', noiseSigma: spec.sigma, seeds: { noise: spec.noiseSeed }, ...m,
        durationMs: performance.now() - t0, phaseMs: { merge, program, evaluate: ms },
      };
    } finally {
      undo();
    }
  }
  // Hardware protocol: the selected Sites run on the chip, everything else digital and merged.
  const p = periphery(ctx, spec.sweep);
  const chipKey = chipOf(spec)!;
  let chip = cache.chips.get(chipKey);
  if (!chip) {
    const weights: WeightsBySite = new Map();
    for (const s of selectSites(model, spec.sites)) weights.set(s.name, d.merged.sites.get(s.name) ?? weightsOfSites([s]).get(s.name)!);
    chip = Chip.program(weights, spec.profile, p, { chip: spec.chipSeed, read: spec.readSeed });
    cache.chips.clear(); // one programmed chip at a time: jobs of the same chip come in a row
    cache.chips.set(chipKey, chip);
  }
  const undoParams = applyMerged(model, { sites: new Map([...d.merged.sites].filter(([n]) => !chip!.siteNames().includes(n))), params: d.merged.params });
  const state = chip.at(spec.t, { compensation: spec.compensation, read: spec.readSeed });
  const detach = state.attach(model);
  const program = performance.now() - t0;
  try {
    const { m, ms } = timedMetric(ctx, model);
    const tokens = ctx.res.evalSet.ids.reduce((n, ids) => n + ids.length, 0) / ctx.res.evalSet.ids.length;
    const e = estimateEnergy(chip, { tokens: Math.max(1, Math.round(tokens)) });
    return {
      ...base, kind: 'hardware', profile: spec.profile, t: spec.t, compensation: spec.compensation, periphery: p as Record<string, unknown>, sweep: spec.sweep,
      seeds: { chip: spec.chipSeed, read: spec.readSeed }, ...m,
      energy: { totalJ: e.perInference.energy, latencyS: e.perInference.latency, ...e.perInference.breakdown },
      durationMs: performance.now() - t0, phaseMs: { merge, program, evaluate: ms },
    };
  } finally {
    detach();
    state.dispose();
    undoParams();
  }
}

// ---------------------------------------------------------------- device

function runDevice(spec: DeviceSpec): JobRow {
  const device = loadProfile(spec.profile);
  const uS = device.gMax * 1e6;
  const histograms: Record<string, Record<string, Histogram>> = {};
  for (const g of spec.levels) {
    const c = characterise(device, g, spec.t, { samples: spec.samples, seed: spec.seed });
    histograms[`g=${g}`] = { conductance: histogram(c.atT.map((v) => v * uS)) };
  }
  return { key: spec.key, kind: 'device', profile: spec.profile, t: spec.t, histograms, seeds: { chip: spec.seed } };
}

/**
 * The programmed chip a hardware evaluation runs on (adapter, profile, chip seed, Sites, periphery
 * sweep); null for other evaluations. Each process keeps one chip (the cache below), and the worker pool
 * sends jobs of one chip to the worker that holds it.
 */
export function chipOf(spec: EvalSpec): string | null {
  return spec.kind === 'hardware' ? JSON.stringify([spec.adapter, spec.profile, spec.chipSeed, spec.sites, spec.sweep]) : null;
}

export async function runJob(ctx: JobContext, job: Job): Promise<JobRow | TrainingRecord> {
  if (job.kind === 'train') return runTrain(ctx, job.spec);
  if (job.kind === 'evaluate') return runEvaluate(ctx, job.spec);
  return runDevice(job.spec);
}
