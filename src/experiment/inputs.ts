/**
 * What a run's numbers depend on, as hashes, so that a stored row or a trained adapter is reused
 * only when every input is unchanged:
 *
 *   model     sha256 of every file in the model folder (config.json, model.safetensors, tokenizer…)
 *   data      sha256 of the examples used (training subset and evaluation subsets, text and labels)
 *   profile   sha256 of each device profile file's bytes (the resolved file, not its name)
 *   adapter   sha256 of every file in a supplied adapter's folder (`adapters` entries)
 *   numerics  NUMERICS_VERSION: bumped whenever grasp-hil's code changes the numbers a row holds
 *
 * Each hash is the first 16 hex digits of sha256. Profile references resolve the way the schema
 * says: a shipped profile id (`pcm-aihwkit`) names device-models/<id>.json; anything that looks
 * like a path (ends in .json or contains a slash) is taken relative to the experiment file.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Example, TaskData } from '../data/index.js';
import { resolveProfilePath } from '../device/index.js';
import { resolveFrom } from './schema.js';

/**
 * The version of grasp-hil's numerics. Rows and adapters made under another version are recomputed.
 * 2: the noise protocol draws through eval/noise.ts's perturbation stream (one per σ, seed and Site).
 * 3: StochGRASP learns ln σ; σ_target from a profile is the random part of the chip's error; IR drop follows each
 *    physical column's current; rram-cmo's and fefet's per-MVM noise changed with their sources.
 * 4: write-verify reads (and corrects) device-to-device variation; ecram and fefet program pulse by pulse.
 */
export const NUMERICS_VERSION = 4;

const sha = (): ReturnType<typeof createHash> => createHash('sha256');

/** sha256 (16 hex) of every regular file directly inside `dir`, by name order. */
export function hashFolder(dir: string): string {
  const h = sha();
  for (const name of readdirSync(dir).sort()) {
    const f = join(dir, name);
    if (!statSync(f).isFile()) continue;
    h.update(`${name}\0`);
    h.update(readFileSync(f));
    h.update('\0');
  }
  return h.digest('hex').slice(0, 16);
}

/** sha256 (16 hex) of the examples a run uses: the training subset and each evaluation split. */
export function hashData(data: TaskData): string {
  const h = sha();
  // Generation examples add their references (label tasks hash exactly as before).
  const item = (e: Example) => (e.references ? [e.input, e.label, e.references] : [e.input, e.label]);
  h.update(JSON.stringify(data.train.map(item)));
  for (const split of Object.keys(data.evaluation).sort()) h.update(`\0${split}\0${JSON.stringify(data.evaluation[split].map(item))}`);
  return h.digest('hex').slice(0, 16);
}

/** A device profile as an experiment names it, where it resolved to, and the hash of its bytes. */
export interface ProfileInput {
  /** As written in the experiment (rows and charts show this). */
  id: string;
  /** What loadProfile receives: a shipped id, or an absolute path. */
  ref: string;
  /** sha256 (16 hex) of the profile file. */
  hash: string;
}

const looksLikePath = (p: string): boolean => p.endsWith('.json') || p.includes('/') || p.includes('\\');

/** Resolves one profile reference of the experiment file `file` (throws the device module's error when missing). */
export function resolveProfile(file: string, id: string): ProfileInput {
  const ref = looksLikePath(id) ? resolveFrom(file, id) : id;
  const path = resolveProfilePath(ref);
  return { id, ref, hash: sha().update(readFileSync(path)).digest('hex').slice(0, 16) };
}

/** A supplied adapter (`adapters` entry): where its folder resolved to, and the hash of its files. */
export interface AdapterInput {
  id: string;
  /** Absolute path of the adapter folder. */
  path: string;
  /** hashFolder of the adapter folder (adapter_config.json, adapter_model.safetensors, …). */
  hash: string;
}

/** Everything outside the experiment file that its results depend on. */
export interface PlanInputs {
  model: string;
  data: string;
  profiles: ReadonlyMap<string, ProfileInput>;
  /** Supplied adapters by entry id (needed when the experiment has `adapters` entries). */
  adapters?: ReadonlyMap<string, AdapterInput>;
}
