/**
 * Calibrate phase of a hardware evaluation whose periphery sets `calibration` (CrossSim's percentile
 * calibration; src/crossbar/calibration.ts): set each chip Site's DAC input ranges and ADC bounds
 * from calibration inputs before the evaluation set is read at t.
 *
 *   subset    N examples of the task's training split (the run's training subset), a fixed seeded
 *             choice: seededSubset(train, N, '<task>/calibration'), i.e. the permutation of
 *             Rng(0, 'subset/<task>/calibration'); N = evaluation.hardware.calibrationExamples (64)
 *   profile   the digital model with the adapter merged on every Site (the chip's Sites too) runs
 *             the N examples with the evaluation's batching (eval/predict: sorted by length, 32 per
 *             batch); a hook on each chip Site records the Site's inputs, [tokens, in] per batch
 *   calibrate ChipState.calibrate with those inputs, on the state at t (its drifted Wn):
 *             DAC range a_t = P_dac(|x|) over the tile's rows, ADC bound b_t = P_adc(|clip(x/a_t)·Wn_t|)
 *
 * Profiling on the digital model keeps an upstream Site's clipping out of a downstream Site's ranges,
 * and makes the inputs the same for every chip, time and read seed; the ADC bounds still follow
 * each chip's drifted conductances. The inputs enter the row's inputsHash through the data hash (the
 * training subset), N and the subset tag. No random streams beyond the subset's permutation.
 *
 * With calibration.dac 'learned', each chip Site's DAC range is the input range the adapter learned
 * in hardware-aware training (training.hwa.inputRange; the adapter folder's input_ranges.json,
 * src/train/input-range-file.ts), on every row tile; the ADC bounds are calibrated with it as above.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ChipState } from '../crossbar/index.js';
import { encodeExamples, seededSubset, type EncodedSet } from '../data/index.js';
import { predict } from '../eval/index.js';
import type { Model } from '../model/index.js';
import { applyMerged, type MergedWeights } from '../peft/index.js';
import { INPUT_RANGES_FILE, loadInputRanges } from '../train/index.js';
import type { Resources } from './resources.js';
import type { Experiment } from './schema.js';

/** Tag of the calibration subset: seededSubset(train, N, `<task>/${CALIBRATION_SUBSET}`). */
export const CALIBRATION_SUBSET = 'calibration';

const sets = new WeakMap<Resources, Map<number, EncodedSet>>();

/** The N calibration examples of the run's training split, encoded (cached per process and N). */
export function calibrationSet(res: Resources, n: number): EncodedSet {
  if (!Number.isInteger(n) || n < 1) throw new Error(`evaluation.hardware.calibrationExamples must be an integer ≥ 1, got ${n}`);
  let byN = sets.get(res);
  if (!byN) sets.set(res, (byN = new Map()));
  let set = byN.get(n);
  if (!set) {
    set = encodeExamples(res.tokenizer, seededSubset(res.data.train, n, `${res.task.id}/${CALIBRATION_SUBSET}`), res.maxLength);
    byN.set(n, set);
  }
  return set;
}

/**
 * The inputs each chip Site sees when the digital model (the adapter's merged weights on the chip's
 * Sites; everything else as the caller left it) runs `set`. Nothing stays attached afterwards.
 */
export function profileInputs(state: ChipState, model: Model, merged: MergedWeights, set: EncodedSet, regression: boolean): Map<string, Float32Array> {
  const names = state.siteNames();
  const recorded = new Map<string, Float32Array[]>(names.map((n) => [n, []]));
  const undoMerged = applyMerged(model, { sites: new Map([...merged.sites].filter(([n]) => recorded.has(n))) });
  const detach: (() => void)[] = [];
  try {
    for (const name of names) {
      const site = model.sites.get(name);
      if (!site) throw new Error(`chip Site '${name}' does not exist in the model; was the chip programmed from another model?`);
      // Outermost, so the merged-weight hook inside it still computes the Site.
      detach.push(site.attach('calibration', (x, next) => {
        recorded.get(name)!.push(Float32Array.from(x.dataSync() as Float32Array));
        return next(x);
      }, true));
    }
    predict(model, set, regression);
  } finally {
    for (const d of detach) d();
    undoMerged();
  }
  const out = new Map<string, Float32Array>();
  for (const [name, parts] of recorded) {
    const all = new Float32Array(parts.reduce((k, p) => k + p.length, 0));
    parts.reduce((k, p) => (all.set(p, k), k + p.length), 0);
    out.set(name, all);
  }
  return out;
}

/**
 * Calibrates every chip Site of `state` on the calibration set (see the file header); returns the ms it took.
 * `learned`: each Site's learned input range, its DAC range under calibration.dac 'learned'.
 */
export function calibrateChip(state: ChipState, model: Model, merged: MergedWeights, set: EncodedSet, regression: boolean, learned?: ReadonlyMap<string, number>): number {
  const t0 = performance.now();
  state.calibrate(profileInputs(state, model, merged, set, regression), learned);
  return performance.now() - t0;
}

/**
 * The learned input range of every chip Site, from the adapter folder `dir` (input_ranges.json).
 * Refuses, naming the file and the setting, when the adapter learned none or misses a chip Site.
 */
export function learnedDacRanges(dir: string, chipSites: readonly string[]): Map<string, number> {
  const ranges = loadInputRanges(dir);
  if (!ranges) {
    throw new Error(`/periphery/calibration/dac: 'learned' needs the adapter's learned input ranges, but ${dir} has no ${INPUT_RANGES_FILE}; ` +
      'train the method entry with "training": {"hwa": {"inputRange": {"learn": true}}} or use "dacPercentile" instead');
  }
  const missing = chipSites.filter((n) => !ranges.has(n));
  if (missing.length) {
    throw new Error(`${dir}/${INPUT_RANGES_FILE}: /ranges: no learned input range for chip Site(s) ${missing.join(', ')}; ` +
      'train with training.hwa.sites covering evaluation.hardware.sites');
  }
  return new Map(chipSites.map((n) => [n, ranges.get(n)!]));
}

/**
 * Static checks of calibration.dac 'learned' (in `periphery` or a `sweeps.calibration` value), as
 * `<file>: <pointer>: <message>` lines: every trained method entry must learn input ranges
 * (training.hwa.inputRange), and every supplied adapter folder must hold input_ranges.json (checked
 * when `resolvePath` resolves their paths; null leaves the folders alone).
 */
export function learnedRangeErrors(exp: Experiment, file: string, resolvePath: ((path: string) => string) | null): string[] {
  const where: string[] = [];
  const isLearned = (c: unknown) => c !== null && typeof c === 'object' && (c as { dac?: unknown }).dac === 'learned';
  const p = exp.periphery as unknown as Record<string, unknown> | undefined;
  if (isLearned(p?.calibration)) where.push('/periphery/calibration/dac');
  const sweeps = (exp.sweeps ?? {}) as unknown as Record<string, unknown[] | undefined>;
  (sweeps.calibration ?? []).forEach((c, j) => isLearned(c) && where.push(`/sweeps/calibration/${j}/dac`));
  (sweeps['calibration.dac'] ?? []).forEach((c, j) => c === 'learned' && where.push(`/sweeps/calibration.dac/${j}`));
  if (where.length === 0 || !exp.evaluation.hardware) return [];
  const errors: string[] = [];
  exp.methods.forEach((m, i) => {
    const own = m.training !== undefined && 'hwa' in m.training;
    const hwa = own ? m.training!.hwa : exp.training.hwa;
    if (!hwa?.inputRange) {
      errors.push(`${file}: /methods/${i}${own ? '/training/hwa' : ''}: calibration.dac 'learned' (${where[0]}) needs learned input ranges, but method entry '${m.id ?? m.method}' trains without them; ` +
        'add "training": {"hwa": {"inputRange": {"learn": true}}} to the entry, or use "dacPercentile" for its DAC ranges');
    }
  });
  if (resolvePath) (exp.adapters ?? []).forEach((a, i) => {
    if (!existsSync(join(resolvePath(a.path), INPUT_RANGES_FILE))) {
      errors.push(`${file}: /adapters/${i}/path: calibration.dac 'learned' (${where[0]}) needs the adapter's learned input ranges, but ${a.path} has no ${INPUT_RANGES_FILE} (written when an adapter is trained with training.hwa.inputRange)`);
    }
  });
  return errors;
}
