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
 * planSize counts the rows from the axis lengths alone, before anything is built, so an absurd grid
 * is refused without allocating it.
 */
import { sweepValueLabel, type SweepValue } from '../results/index.js';
import { CALIBRATION_SUBSET } from './calibrate.js';
import { NUMERICS_VERSION, type PlanInputs } from './inputs.js';
import type { Experiment, MethodEntry, TrainingSettings } from './schema.js';
import { hashOf } from './schema.js';

export type SweepPoint = Record<string, SweepValue>;

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
  /** σ_target: a fixed number, measured from this profile at t (with or without compensation), or a fraction of each Site's weight std. */
  sigmaTarget: number | { profile: string; t: number; compensation: boolean } | { relative: number } | null;
  /** The profile whose σ_target trained this adapter (null otherwise). */
  targetProfile: string | null;
}

/** What every evaluation knows about the adapter it evaluates. */
interface EvalBase {
  key: string;
  /** Hash of everything the row depends on. */
  inputsHash: string;
  adapter: string;
  entryId: string;
  /** The profile whose σ_target trained the adapter (an entry with `fromProfile` has one arm per profile), or null. */
  targetProfile: string | null;
  trainSeed: number;
}

export type EvalSpec =
  | (EvalBase & { kind: 'noise'; sigma: number; relative: boolean; sites: string | null; noiseSeed: number })
  | (EvalBase & {
    kind: 'hardware';
    /** As the experiment names it, and the resolved reference loadProfile takes. */
    profile: string;
    profileRef: string;
    t: number;
    compensation: boolean;
    chipSeed: number;
    readSeed: number;
    sites: string;
    sweep: SweepPoint | null;
    /** With periphery.calibration: training-split examples that calibrate the chip's ranges (calibrate.ts); else null. */
    calibrationExamples: number | null;
  })
  | (EvalBase & { kind: 'params' });

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
  for (const m of exp.methods) {
    const fromProfile = typeof m.sigmaTarget === 'object';
    const perSeed = fromProfile ? profiles : 1;
    const n = seeds.train.length * perSeed;
    adapters += n;
    const hwProfiles = fromProfile ? 1 : profiles;
    const hwRows = hw ? hwProfiles * seeds.chip.length * (hw.times.length * (hw.compensation ?? [true, false]).length + sweepPoints) : 0;
    evaluations += n * (1 + noiseRows + hwRows);
  }
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
          : profiles.map((p) => ({ sigmaTarget: { profile: profileOf(p).ref, t: st.t ?? 86400, compensation: st.compensation ?? true }, profile: p }));
    if (targets.length === 0) throw new Error(`method '${entryId}': sigmaTarget.fromProfile needs at least one entry in "profiles"`);
    for (const seed of seeds.train) {
      for (const { sigmaTarget, profile } of targets) {
        const target = sigmaTarget !== null && typeof sigmaTarget === 'object' && 'profile' in sigmaTarget
          ? { profile: profileOf(profile!).hash, t: sigmaTarget.t, compensation: sigmaTarget.compensation, periphery: exp.periphery ?? {} }
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

  const evaluations: EvalSpec[] = [];
  const noise = exp.evaluation.noise;
  const hw = exp.evaluation.hardware;
  for (const a of adapters) {
    const base = { adapter: a.key, entryId: a.entryId, targetProfile: a.targetProfile, trainSeed: a.trainSeed };
    const withHash = <S extends object>(key: string, rest: S, extra: object = {}) => ({ key, inputsHash: hashOf({ ...common, ...base, ...rest, ...extra }), ...base, ...rest });
    evaluations.push(withHash(`params/${a.key}`, { kind: 'params' as const }));
    if (noise) {
      for (const sigma of noise.sigmas) {
        for (const ns of sigma === 0 ? [seeds.noise[0]] : seeds.noise) {
          evaluations.push(withHash(`noise/${a.key}/σ=${sigma}/seed=${ns}${noise.relative ? '/rel' : ''}`, { kind: 'noise' as const, sigma, relative: noise.relative ?? false, sites: noise.sites ?? null, noiseSeed: ns }));
        }
      }
    }
    if (hw) {
      // An adapter trained for one profile's σ_target is deployed on that profile only.
      const targetsHw = a.targetProfile ? [a.targetProfile] : profiles;
      const sites = hw.sites ?? 'all-linear';
      for (const profile of targetsHw) {
        const pr = profileOf(profile);
        const hwSpec = (key: string, t: number, compensation: boolean, chipSeed: number, sweep: SweepPoint | null) => {
          const periphery = peripheryWith(exp.periphery, sweep);
          // Calibrated ranges depend on the calibration inputs: N examples of the training split (its hash is `data`).
          const calibrationExamples = periphery.calibration ? (hw.calibrationExamples ?? 64) : null;
          const calibration = calibrationExamples !== null ? { calibration: { examples: calibrationExamples, subset: CALIBRATION_SUBSET } } : {};
          return withHash(key, { kind: 'hardware' as const, profile, profileRef: pr.ref, t, compensation, chipSeed, readSeed: seeds.read, sites, sweep, calibrationExamples }, { profileRef: undefined, calibrationExamples: undefined, profileHash: pr.hash, periphery, ...calibration });
        };
        for (const chipSeed of seeds.chip) {
          for (const t of hw.times) {
            for (const compensation of hw.compensation ?? [true, false]) {
              evaluations.push(hwSpec(`hw/${a.key}/${profile}/chip=${chipSeed}/t=${t}/comp=${compensation}`, t, compensation, chipSeed, null));
            }
          }
          for (const sweep of exp.sweeps && Object.keys(exp.sweeps).length ? product(exp.sweeps) : []) {
            const tag = Object.entries(sweep).map(([k, v]) => `${k}=${sweepValueLabel(v)}`).join(',');
            evaluations.push(hwSpec(`sweep/${a.key}/${profile}/chip=${chipSeed}/${tag}`, hw.times[0], true, chipSeed, sweep));
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
  return { adapters, evaluations, devices };
}
