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
import { perturbMerged, weightStdOf } from '../eval/index.js';
import { selectSites } from '../model/index.js';
import { applyMerged, loadParams } from '../peft/index.js';
import { parameterHistograms } from '../results/index.js';
import { calibrateChip, calibrationSet, learnedDacRanges } from './range-calibration.js';
import { chipFor } from './chip-cache.js';
import { runCalibrate } from './calibrate.js';
import { baseModel, deployable, measure } from './deployed.js';
import { onChipDriver } from './chip-driver.js';
import type { JobContext, JobRow } from './job-context.js';
import { peripheryWith, type EvalSpec } from './plan.js';
import { adapterDir } from './train.js';

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
  if (spec.kind === 'params') {
    const target = d.record.sigmaTarget ?? null;
    return { ...base, kind: 'params', histograms: parameterHistograms(d.state), ...(target !== null ? { sigmaTarget: target } : {}), seeds: train };
  }
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
        ...base, kind: 'noise', noiseSigma: spec.sigma, ...(spec.relative ? {} : { weightStd: weightStdOf(d.merged.sites, only) }), seeds: { ...train, noise: spec.noiseSeed }, ...fields,
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
    if (spec.calibrationExamples !== null) {
      // calibration.dac 'learned': the DAC ranges are the adapter's learned input ranges (input_ranges.json).
      const learned = state.periphery.calibration?.dac === 'learned' ? learnedDacRanges(spec.supplied ? spec.supplied.path : adapterDir(ctx.outDir, spec.adapter), chip.siteNames()) : undefined;
      calibrateChip(state, model, d.merged, calibrationSet(ctx.res, spec.calibrationExamples), ctx.res.task.kind === 'regression', learned);
    }
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
 * implied by ADC bits, or calibrated). Only then are clips counted (elsewhere the rate is null: the
 * periphery cannot clip).
 */
function canClip(p: Periphery): boolean {
  return p.dac.range !== 'abs-max' || p.adc.bits !== null || p.adc.bound !== null || (p.calibration !== null && (p.calibration.dacPercentile !== null || p.calibration.adcPercentile !== null || p.calibration.dac === 'learned'));
}
