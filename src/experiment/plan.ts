/**
 * plan: expand an experiment into the adapters to train and the evaluations to run.
 *
 * Each adapter is trained once: its cache key hashes everything that determines it (model, task,
 * method and options, training settings, seeds, and — for a σ_target taken from a device profile —
 * that profile). A StochGRASP entry with `sigmaTarget.fromProfile` yields one adapter per profile.
 * Every evaluation carries its own seeds, so its result does not depend on worker count or order.
 */
import type { Experiment, MethodEntry, TrainingSettings } from './schema.js';
import { hashOf } from './schema.js';

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

export type EvalSpec =
  | { kind: 'noise'; key: string; adapter: string; sigma: number; relative: boolean; sites: string | null; noiseSeed: number }
  | { kind: 'hardware'; key: string; adapter: string; profile: string; t: number; compensation: boolean; chipSeed: number; readSeed: number; sites: string; sweep: Record<string, number | string | boolean> | null }
  | { kind: 'params'; key: string; adapter: string };

export interface DeviceSpec {
  key: string;
  profile: string;
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

const DEFAULT_TRAINING: Required<Omit<TrainingSettings, 'maxSteps' | 'headLr'>> = {
  epochs: 3,
  batchSize: 16,
  lr: 1e-3,
  weightDecay: 0,
  warmupRatio: 0.06,
  clipNorm: 1,
  evalEvery: 'epoch',
};

/** Cartesian product of named lists, in key order. */
export function product(lists: Record<string, (number | string | boolean)[]>): Record<string, number | string | boolean>[] {
  let out: Record<string, number | string | boolean>[] = [{}];
  for (const [k, values] of Object.entries(lists)) out = out.flatMap((o) => values.map((v) => ({ ...o, [k]: v })));
  return out;
}

function labelOf(m: MethodEntry, profile: string | null): string {
  const base = m.label ?? m.id ?? m.method;
  return profile ? `${base} (σ_target: ${profile})` : base;
}

export function plan(exp: Experiment, modelId: string): Plan {
  const seeds = { grouping: exp.seeds.grouping ?? 0, chip: exp.seeds.chip ?? [0], read: exp.seeds.read ?? 0, noise: exp.seeds.noise ?? [0], train: exp.seeds.train };
  const profiles = exp.profiles ?? [];
  const adapters: TrainSpec[] = [];
  for (const m of exp.methods) {
    const entryId = m.id ?? m.method;
    const training = { ...DEFAULT_TRAINING, ...exp.training, ...(m.training ?? {}) };
    const st = m.sigmaTarget;
    const targets: { sigmaTarget: TrainSpec['sigmaTarget']; profile: string | null }[] =
      st === undefined ? [{ sigmaTarget: null, profile: null }]
        : typeof st === 'number' ? [{ sigmaTarget: st, profile: null }]
          : 'relative' in st ? [{ sigmaTarget: { relative: st.relative }, profile: null }]
          : profiles.map((p) => ({ sigmaTarget: { profile: p, t: st.t ?? 86400, compensation: st.compensation ?? true }, profile: p }));
    if (targets.length === 0) throw new Error(`method '${entryId}': sigmaTarget.fromProfile needs at least one entry in "profiles"`);
    for (const seed of seeds.train) {
      for (const { sigmaTarget, profile } of targets) {
        const determinants = { model: modelId, task: exp.task, method: m.method, options: m.options ?? {}, training, seed, grouping: seeds.grouping, sigmaTarget };
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
    evaluations.push({ kind: 'params', key: `params/${a.key}`, adapter: a.key });
    if (noise) {
      for (const sigma of noise.sigmas) {
        for (const ns of sigma === 0 ? [seeds.noise[0]] : seeds.noise) {
          evaluations.push({ kind: 'noise', key: `noise/${a.key}/σ=${sigma}/seed=${ns}${noise.relative ? '/rel' : ''}`, adapter: a.key, sigma, relative: noise.relative ?? false, sites: noise.sites ?? null, noiseSeed: ns });
        }
      }
    }
    if (hw) {
      // An adapter trained for one profile's σ_target is deployed on that profile only.
      const targetsHw = a.targetProfile ? [a.targetProfile] : profiles;
      const sites = hw.sites ?? 'all-linear';
      for (const profile of targetsHw) {
        for (const chipSeed of seeds.chip) {
          for (const t of hw.times) {
            for (const compensation of hw.compensation ?? [true, false]) {
              evaluations.push({ kind: 'hardware', key: `hw/${a.key}/${profile}/chip=${chipSeed}/t=${t}/comp=${compensation}`, adapter: a.key, profile, t, compensation, chipSeed, readSeed: seeds.read, sites, sweep: null });
            }
          }
          for (const sweep of exp.sweeps && Object.keys(exp.sweeps).length ? product(exp.sweeps) : []) {
            const t = hw.times[0];
            const tag = Object.entries(sweep).map(([k, v]) => `${k}=${v}`).join(',');
            evaluations.push({ kind: 'hardware', key: `sweep/${a.key}/${profile}/chip=${chipSeed}/${tag}`, adapter: a.key, profile, t, compensation: true, chipSeed, readSeed: seeds.read, sites, sweep });
          }
        }
      }
    }
  }

  const devices: DeviceSpec[] = [];
  const dev = exp.evaluation.device;
  if (dev) {
    for (const profile of profiles) {
      for (const t of dev.times ?? [1, 3600, 86400]) {
        devices.push({ key: `device/${profile}/t=${t}`, profile, t, levels: dev.levels ?? [0.25, 0.5, 1], samples: dev.samples ?? 20000, seed: seeds.chip[0] });
      }
    }
  }
  return { adapters, evaluations, devices };
}
