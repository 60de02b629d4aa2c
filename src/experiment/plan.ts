/**
 * plan: expand an experiment into the adapters to train and the evaluations to run.
 *
 * Each adapter is trained once: its cache key hashes everything that determines it (model and data
 * hashes, task, method and options, training settings, seeds, the numerics version and — for a
 * σ_target taken from a device profile — that profile's contents and the periphery). A StochGRASP
 * entry with `sigmaTarget.fromProfile` yields one adapter per profile.
 *
 * Each evaluation has a readable key (unique within the experiment) and an `inputsHash` over
 * everything its row depends on (the adapter key, profile contents, periphery with its sweep
 * values, Sites, t, seeds, model, data, numerics). A stored row is reused only when both match.
 * Every evaluation carries its own seeds, so its result does not depend on worker count or order.
 *
 * Supplied adapters (`adapters` entries) are not trained: each gets the same params, noise and
 * hardware evaluations as a trained adapter, keyed `…/adapter:<id>/…`, with the adapter folder's content
 * hash in every inputsHash (a changed file makes its rows stale) and no training seed.
 *
 * Compensation modes are the crossbar's names (none, global, global-exact, column, column-exact;
 * true/false are read as global/none). Row keys and hashes write global and none as `true`/`false`,
 * as before the modes had names, so rows stored then stay valid. A hardware `scales` point multiplies
 * the profile's own noise scales; it enters keys and hashes only when set.
 *
 * planSize counts the rows from the axis lengths alone, before anything is built, so an absurd grid
 * is refused without allocating it.
 */
import { compensationMode } from '../crossbar/index.js';
import type { CompensationMode } from '../crossbar/index.js';
import { sweepValueLabel, type SweepValue } from '../results/index.js';
import { CALIBRATION_SUBSET } from './range-calibration.js';
import { NUMERICS_VERSION, type PlanInputs } from './inputs.js';
import type { Experiment, MethodEntry, TrainingSettings } from './schema.js';
import { hashOf } from './schema.js';

export type SweepPoint = Record<string, SweepValue>;
/** Multipliers of a profile's noise scales (programming, drift, readNoise, variation). */
export type ScalesPoint = Record<string, number>;

export interface TrainSpec {
  /** Cache key: adapters/<key>/ holds the trained adapter. */
  key: string;
  entryId: string;
  label: string;
  method: string;
  options: Record<string, unknown>;
  training: TrainingSettings;
  trainSeed: number;
  groupingSeed: number;
  /** σ_target: a fixed number, measured from this profile at t (with a compensation mode), or a fraction of each Site's weight std. */
  sigmaTarget: number | { profile: string; t: number; compensation: CompensationMode } | { relative: number } | null;
  /** The profile whose σ_target trained this adapter (null otherwise). */
  targetProfile: string | null;
}

/** An `adapters` entry: an adapter folder evaluated as is. */
export interface SuppliedSpec {
  /** `adapter:<id>-<content hash>`: names the adapter's content (caches key on it). */
  key: string;
  entryId: string;
  label: string;
  /** Absolute path of the adapter folder. */
  path: string;
  /** sha256 (16 hex) of the folder's files. */
  hash: string;
  allowBaseMismatch: boolean;
}

/** What every evaluation knows about the adapter it evaluates. */
interface EvalBase {
  key: string;
  /** Hash of everything the row depends on. */
  inputsHash: string;
  /** The trained adapter's cache key, or a supplied adapter's SuppliedSpec key. */
  adapter: string;
  entryId: string;
  /** The profile whose σ_target trained the adapter (an entry with `fromProfile` has one arm per profile), or null. */
  targetProfile: string | null;
  /** The training seed; null for a supplied adapter. */
  trainSeed: number | null;
  /** A supplied adapter's folder, label and base check; null for an adapter the run trained. */
  supplied: { path: string; label: string; allowBaseMismatch: boolean } | null;
}

/** Which chip a hardware or calibrate row programs, and when and how it reads it. */
interface ChipRead {
  /** As the experiment names it, and the resolved reference loadProfile takes. */
  profile: string;
  profileRef: string;
  t: number;
  compensation: CompensationMode;
  chipSeed: number;
  readSeed: number;
  sites: string;
}

export type EvalSpec =
  | (EvalBase & { kind: 'noise'; sigma: number; relative: boolean; sites: string | null; noiseSeed: number })
  | (EvalBase & ChipRead & {
    kind: 'hardware';
    sweep: SweepPoint | null;
    /** Multipliers of the profile's noise scales, or null for the profile as it is. */
    scales: ScalesPoint | null;
    /** The chip driver the row runs on (experiment `chip`, token left out); absent: a simulated chip of `profile`. */
    chip?: ChipSpec;
    /** With periphery.calibration: training-split examples that calibrate the chip's ranges (range-calibration.ts); else null. */
    calibrationExamples: number | null;
  })
  | (EvalBase & { kind: 'params' })
  | (EvalBase & ChipRead & {
    /** The calibrate phase (calibrate.ts): the adapter held in the periphery, calibrated on N examples (N = 0: not calibrated). */
    kind: 'calibrate';
    examples: number;
    steps: number;
    batchSize: number;
    lr: number;
  });

/** An experiment's `chip` without its token: what a row on a chip driver depends on. */
export interface ChipSpec {
  driver: 'grpc' | 'simulator';
  address?: string;
  profile?: string;
  tiles?: number;
}

/** The profile column of hardware rows on a chip driver (their row's `profile` is the chip's own). */
export const CHIP_PROFILE = 'chip';

export function chipSpecOf(exp: Experiment): ChipSpec | null {
  if (!exp.chip) return null;
  const { token: _token, ...spec } = exp.chip;
  return spec;
}

export interface DeviceSpec {
  key: string;
  inputsHash: string;
  profile: string;
  profileRef: string;
  t: number;
  levels: number[];
  samples: number;
  seed: number;
}

export interface Plan {
  adapters: TrainSpec[];
  /** Adapters the experiment supplies (not trained). */
  supplied: SuppliedSpec[];
  evaluations: EvalSpec[];
  devices: DeviceSpec[];
}

const DEFAULT_TRAINING: Required<Omit<TrainingSettings, 'maxSteps' | 'headLr' | 'hwa'>> = {
  epochs: 3,
  batchSize: 16,
  lr: 1e-3,
  weightDecay: 0,
  warmupRatio: 0.06,
  clipNorm: 1,
  evalEvery: 'epoch',
};

/** Cartesian product of named lists, in key order. */
export function product(lists: Record<string, SweepValue[]>): SweepPoint[] {
  let out: SweepPoint[] = [{}];
  for (const [k, values] of Object.entries(lists)) out = out.flatMap((o) => values.map((v) => ({ ...o, [k]: v })));
  return out;
}

/** The experiment's periphery with a sweep point's dotted keys (`adc.bits`) set. */
export function peripheryWith(base: Record<string, unknown> | undefined, sweep: SweepPoint | null): Record<string, unknown> {
  const p = JSON.parse(JSON.stringify(base ?? {})) as Record<string, unknown>;
  for (const [path, value] of Object.entries(sweep ?? {})) {
    const keys = path.split('.');
    let o = p;
    for (const k of keys.slice(0, -1)) o = (o[k] ??= {}) as Record<string, unknown>;
    o[keys[keys.length - 1]] = value;
  }
  return p;
}

/** The hardware compensation modes an experiment evaluates (default global, none). */
export function compensationsOf(exp: Experiment): CompensationMode[] {
  return (exp.evaluation.hardware?.compensation ?? ['global', 'none']).map((c) => compensationMode(c as CompensationMode | boolean));
}

/** How a mode is written in row keys and hashes: global and none as true/false (their names before the modes). */
export const compensationTag = (m: CompensationMode): string | boolean => (m === 'global' ? true : m === 'none' ? false : m);

/** The points of `evaluation.hardware.scales` (their product, in key order), or [null] without it. */
export function scalesPoints(exp: Experiment): (ScalesPoint | null)[] {
  const s = exp.evaluation.hardware?.scales;
  const lists = Object.fromEntries(Object.entries(s ?? {}).filter(([, v]) => v !== undefined)) as Record<string, number[]>;
  return Object.keys(lists).length ? (product(lists) as ScalesPoint[]) : [null];
}

function labelOf(m: MethodEntry, profile: string | null): string {
  const base = m.label ?? m.id ?? m.method;
  return profile ? `${base} (σ_target: ${profile})` : base;
}

const seedsOf = (exp: Experiment) => ({ grouping: exp.seeds.grouping ?? 0, chip: exp.seeds.chip ?? [0], read: exp.seeds.read ?? 0, noise: exp.seeds.noise ?? [0], train: exp.seeds.train });

/** Adapters, evaluations and device rows the experiment expands to, counted from the axis lengths (nothing is built). */
export function planSize(exp: Experiment): { adapters: number; evaluations: number; devices: number; total: number } {
  const seeds = seedsOf(exp);
  const profiles = exp.profiles?.length ?? 0;
  const noise = exp.evaluation.noise;
  const hw = exp.evaluation.hardware;
  const sweepPoints = exp.sweeps && Object.keys(exp.sweeps).length ? Object.values(exp.sweeps).reduce((n, v) => n * v.length, 1) : 0;
  const noiseRows = noise ? noise.sigmas.reduce((n, s) => n + (s === 0 ? 1 : seeds.noise.length), 0) : 0;
  let adapters = 0;
  let evaluations = 0;
  const scales = scalesPoints(exp).length;
  const hwRowsOf = (hwProfiles: number) => (hw ? hwProfiles * seeds.chip.length * (hw.times.length * (hw.compensation ?? ['global', 'none']).length * scales + sweepPoints) : 0);
  for (const m of exp.methods) {
    const fromProfile = typeof m.sigmaTarget === 'object' && 'fromProfile' in m.sigmaTarget;
    const perSeed = fromProfile ? profiles : 1;
    const n = seeds.train.length * perSeed;
    adapters += n;
    const hwProfiles = fromProfile || exp.chip ? 1 : profiles;
    const cal = exp.evaluation.calibrate;
    const calRows = cal && hw && (!cal.methods || cal.methods.includes(m.id ?? m.method))
      ? hwProfiles * seeds.chip.length * hw.times.length * (hw.compensation ?? ['global', 'none']).length * (cal.examples ?? [0, 16, 64, 256]).length : 0;
    evaluations += n * (1 + noiseRows + hwRowsOf(hwProfiles) + calRows);
  }
  evaluations += (exp.adapters?.length ?? 0) * (1 + noiseRows + hwRowsOf(profiles));
  const dev = exp.evaluation.device;
  const devices = dev ? profiles * (dev.times ?? [1, 3600, 86400]).length : 0;
  return { adapters, evaluations, devices, total: adapters + evaluations + devices };
}

export function plan(exp: Experiment, inputs: PlanInputs): Plan {
  const seeds = seedsOf(exp);
  const profiles = exp.profiles ?? [];
  const profileOf = (id: string) => {
    const p = inputs.profiles.get(id);
    if (!p) throw new Error(`profile '${id}' was not resolved before planning`);
    return p;
  };
  const common = { numerics: NUMERICS_VERSION, model: inputs.model, data: inputs.data };
  const adapters: TrainSpec[] = [];
  for (const m of exp.methods) {
    const entryId = m.id ?? m.method;
    const training = { ...DEFAULT_TRAINING, ...exp.training, ...(m.training ?? {}) };
    const st = m.sigmaTarget;
    const targets: { sigmaTarget: TrainSpec['sigmaTarget']; profile: string | null }[] =
      st === undefined ? [{ sigmaTarget: null, profile: null }]
        : typeof st === 'number' ? [{ sigmaTarget: st, profile: null }]
          : 'relative' in st ? [{ sigmaTarget: { relative: st.relative }, profile: null }]
          : profiles.map((p) => ({ sigmaTarget: { profile: profileOf(p).ref, t: st.t ?? 86400, compensation: compensationMode(st.compensation ?? 'global') }, profile: p }));
    if (targets.length === 0) throw new Error(`method '${entryId}': sigmaTarget.fromProfile needs at least one entry in "profiles"`);
    for (const seed of seeds.train) {
      for (const { sigmaTarget, profile } of targets) {
        const target = sigmaTarget !== null && typeof sigmaTarget === 'object' && 'profile' in sigmaTarget
          ? { profile: profileOf(profile!).hash, t: sigmaTarget.t, compensation: compensationTag(sigmaTarget.compensation), periphery: exp.periphery ?? {} }
          : sigmaTarget;
        const determinants = { ...common, task: exp.task, method: m.method, options: m.options ?? {}, training, seed, grouping: seeds.grouping, sigmaTarget: target };
        adapters.push({
          key: `${m.method}-${hashOf(determinants)}`,
          entryId,
          label: labelOf(m, profile),
          method: m.method,
          options: m.options ?? {},
          training,
          trainSeed: seed,
          groupingSeed: seeds.grouping,
          sigmaTarget,
          targetProfile: profile,
        });
      }
    }
  }

  const supplied: SuppliedSpec[] = (exp.adapters ?? []).map((e) => {
    const input = inputs.adapters?.get(e.id);
    if (!input) throw new Error(`adapter '${e.id}' was not resolved before planning`);
    return { key: `adapter:${e.id}-${input.hash}`, entryId: e.id, label: e.label ?? e.id, path: input.path, hash: input.hash, allowBaseMismatch: e.allowBaseMismatch ?? false };
  });

  const evaluations: EvalSpec[] = [];
  const chip = chipSpecOf(exp);
  const noise = exp.evaluation.noise;
  const hw = exp.evaluation.hardware;
  const compensations = compensationsOf(exp);
  const scaleAxis = scalesPoints(exp);
  const arms = [
    ...adapters.map((a) => ({ name: a.key, targetProfile: a.targetProfile, base: { adapter: a.key, entryId: a.entryId, targetProfile: a.targetProfile, trainSeed: a.trainSeed as number | null, supplied: null as EvalBase['supplied'] } })),
    ...supplied.map((a) => ({ name: `adapter:${a.entryId}`, targetProfile: null, base: { adapter: a.key, entryId: a.entryId, targetProfile: null, trainSeed: null, supplied: { path: a.path, label: a.label, allowBaseMismatch: a.allowBaseMismatch } } })),
  ];
  for (const { name, targetProfile, base } of arms) {
    // Fields added after rows were first stored enter the hash only when set, so older rows stay valid.
    // A supplied adapter's content is in its key (`adapter`); its folder's path and label change no number.
    const hashed = (o: Record<string, unknown>) => {
      // calibrationExamples is hashed as `calibration` (with its subset tag) only where the periphery calibrates.
      const { supplied: _s, scales, calibrationExamples: _c, ...rest } = o;
      return hashOf({ ...rest, ...(scales ? { scales } : {}) });
    };
    // Decoding settings (generation tasks) join the hash only when given, so label-task rows keep theirs.
    const decoding = exp.evaluation.decoding ? { decoding: exp.evaluation.decoding } : {};
    const withHash = <S extends object>(key: string, rest: S, extra: object = {}) => ({ key, inputsHash: hashed({ ...common, ...base, ...rest, ...decoding, ...extra }), ...base, ...rest });
    evaluations.push(withHash(`params/${name}`, { kind: 'params' as const }));
    if (noise) {
      for (const sigma of noise.sigmas) {
        for (const ns of sigma === 0 ? [seeds.noise[0]] : seeds.noise) {
          evaluations.push(withHash(`noise/${name}/σ=${sigma}/seed=${ns}${noise.relative ? '/rel' : ''}`, { kind: 'noise' as const, sigma, relative: noise.relative ?? false, sites: noise.sites ?? null, noiseSeed: ns }));
        }
      }
    }
    if (hw) {
      // An adapter trained for one profile's σ_target is deployed on that profile only.
      // On a chip driver, every adapter runs on that chip.
      const targetsHw = chip ? [CHIP_PROFILE] : targetProfile ? [targetProfile] : profiles;
      const sites = hw.sites ?? 'all-linear';
      for (const profile of targetsHw) {
        const pr = chip ? { ref: '', hash: hashOf(chip) } : profileOf(profile);
        const hwSpec = (key: string, t: number, compensation: CompensationMode, chipSeed: number, sweep: SweepPoint | null, scales: ScalesPoint | null) => {
          const periphery = peripheryWith(exp.periphery, sweep);
          // Calibrated ranges depend on the calibration inputs: N examples of the training split (its hash is `data`).
          const calibrationExamples = periphery.calibration ? (hw.calibrationExamples ?? 64) : null;
          const calibration = calibrationExamples !== null ? { calibration: { examples: calibrationExamples, subset: CALIBRATION_SUBSET } } : {};
          return withHash(key, { kind: 'hardware' as const, profile, profileRef: pr.ref, t, compensation, chipSeed, readSeed: seeds.read, sites, sweep, scales, calibrationExamples, ...(chip ? { chip } : {}) },
            { profileRef: undefined, profileHash: pr.hash, periphery, compensation: compensationTag(compensation), ...calibration });
        };
        for (const chipSeed of seeds.chip) {
          for (const scales of scaleAxis) {
            const scaleTag = scales ? `/scales=${Object.entries(scales).map(([k, v]) => `${k}:${v}`).join(',')}` : '';
            for (const t of hw.times) {
              for (const compensation of compensations) {
                evaluations.push(hwSpec(`hw/${name}/${profile}/chip=${chipSeed}${scaleTag}/t=${t}/comp=${compensationTag(compensation)}`, t, compensation, chipSeed, null, scales));
              }
            }
          }
          const cal = exp.evaluation.calibrate;
          if (cal && !chip && base.supplied === null && (!cal.methods || cal.methods.includes(base.entryId))) {
            const settings = { steps: cal.steps ?? 20, batchSize: cal.batchSize ?? 16, lr: cal.lr ?? 0.01 };
            for (const t of hw.times) {
              for (const compensation of compensations) {
                for (const examples of cal.examples ?? [0, 16, 64, 256]) {
                  evaluations.push(withHash(`cal/${name}/${profile}/chip=${chipSeed}/t=${t}/comp=${compensationTag(compensation)}/n=${examples}`,
                    { kind: 'calibrate' as const, profile, profileRef: pr.ref, t, compensation, chipSeed, readSeed: seeds.read, sites, examples, ...settings },
                    { profileRef: undefined, profileHash: pr.hash, periphery: peripheryWith(exp.periphery, null), compensation: compensationTag(compensation) }));
                }
              }
            }
          }
          for (const sweep of exp.sweeps && Object.keys(exp.sweeps).length ? product(exp.sweeps) : []) {
            const tag = Object.entries(sweep).map(([k, v]) => `${k}=${sweepValueLabel(v)}`).join(',');
            evaluations.push(hwSpec(`sweep/${name}/${profile}/chip=${chipSeed}/${tag}`, hw.times[0], 'global', chipSeed, sweep, null));
          }
        }
      }
    }
  }

  const devices: DeviceSpec[] = [];
  const dev = exp.evaluation.device;
  if (dev) {
    for (const profile of profiles) {
      const pr = profileOf(profile);
      for (const t of dev.times ?? [1, 3600, 86400]) {
        const spec = { t, levels: dev.levels ?? [0.25, 0.5, 1], samples: dev.samples ?? 20000, seed: seeds.chip[0] };
        devices.push({ key: `device/${profile}/t=${t}`, inputsHash: hashOf({ numerics: NUMERICS_VERSION, profileHash: pr.hash, ...spec }), profile, profileRef: pr.ref, ...spec });
      }
    }
  }
  return { adapters, supplied, evaluations, devices };
}
