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
 */
import type { ChipState } from '../crossbar/index.js';
import { encodeExamples, seededSubset, type EncodedSet } from '../data/index.js';
import { predict } from '../eval/index.js';
import type { Model } from '../model/index.js';
import { applyMerged, type MergedWeights } from '../peft/index.js';
import type { Resources } from './resources.js';

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

/** Calibrates every chip Site of `state` on the calibration set (see the file header); returns the ms it took. */
export function calibrateChip(state: ChipState, model: Model, merged: MergedWeights, set: EncodedSet, regression: boolean): number {
  const t0 = performance.now();
  state.calibrate(profileInputs(state, model, merged, set, regression));
  return performance.now() - t0;
}
