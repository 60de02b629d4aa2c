/**
 * Pre-training checkpoints: everything the loop (pretrain-loop.ts) needs to continue a run as if it
 * had never stopped, in one safetensors file written atomically (a temporary file and a rename), so a
 * run killed at any moment leaves the previous checkpoint whole.
 *
 *   <dir>/checkpoint.safetensors
 *     tensors     param/<name>   every trained variable, F32 (the weights, not the f16 of a saved model)
 *                 adamw/<i>      the optimiser's moments in its slot order (AdamW.getState)
 *                 order/perm     the current shuffled order of the training blocks (I32)
 *     metadata    grasp_hil_pretrain_checkpoint  JSON: format, settings (what must match to resume),
 *                 step, cursor in the order, AdamW step count, stream positions (Rng.getState by
 *                 name), held-out history so far, seconds spent so far
 *
 * Resuming checks the settings field by field and the parameters by name and shape before any step,
 * and names the checkpoint file and the field that differs.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { SafetensorsReader, writeSafetensors, type TensorToWrite } from '../io/index.js';
import type { RngState } from '../tensor/index.js';
import type { AdamWState } from './optim.js';

export const CHECKPOINT_FILE = 'checkpoint.safetensors';
const META_KEY = 'grasp_hil_pretrain_checkpoint';
const FORMAT = 1;

/** Where and how often a run checkpoints; a `dir` that holds a checkpoint is resumed. */
export interface PretrainCheckpointing {
  dir: string;
  every: number;
}

/** The numbers a resumed run must share with the run that wrote the checkpoint. */
export type CheckpointSettings = Readonly<Record<string, number | string>>;

export interface PretrainCheckpoint<E> {
  settings: CheckpointSettings;
  /** Steps done. */
  step: number;
  /** Position in `perm` of the next batch. */
  cursor: number;
  perm: Int32Array;
  optimiser: AdamWState;
  streams: Record<string, RngState>;
  history: E[];
  seconds: number;
  /** Trained variables by name. */
  params: Map<string, { shape: number[]; data: Float32Array }>;
}

interface Meta<E> {
  format: number;
  settings: CheckpointSettings;
  step: number;
  cursor: number;
  adamwStep: number;
  adamwMoments: number;
  streams: Record<string, RngState>;
  history: E[];
  seconds: number;
}

/** Writes `<dir>/checkpoint.safetensors` (creating `dir`), replacing the previous one atomically. */
export async function writeCheckpoint<E>(dir: string, c: PretrainCheckpoint<E>): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const tensors: [string, TensorToWrite][] = [];
  for (const [name, p] of c.params) tensors.push([`param/${name}`, { shape: p.shape, data: p.data, dtype: 'F32' }]);
  c.optimiser.moments.forEach((m, i) => tensors.push([`adamw/${i}`, { shape: [m.length], data: m, dtype: 'F32' }]));
  tensors.push(['order/perm', { shape: [c.perm.length], data: c.perm, dtype: 'I32' }]);
  const meta: Meta<E> = {
    format: FORMAT, settings: c.settings, step: c.step, cursor: c.cursor, adamwStep: c.optimiser.t, adamwMoments: c.optimiser.moments.length,
    streams: c.streams, history: c.history, seconds: c.seconds,
  };
  await writeSafetensors(join(dir, CHECKPOINT_FILE), tensors, { metadata: { [META_KEY]: JSON.stringify(meta) } });
}

/** Whether `dir` holds a checkpoint to resume from. */
export function hasCheckpoint(dir: string): boolean {
  return existsSync(join(dir, CHECKPOINT_FILE));
}

/**
 * The trained weights of `<dir>/checkpoint.safetensors` by parameter name, and the step they are from,
 * for looking at a run while it goes on (no settings are checked: nothing is resumed).
 */
export async function readCheckpointWeights(dir: string): Promise<{ file: string; step: number; params: Map<string, { shape: number[]; data: Float32Array }> }> {
  const file = join(dir, CHECKPOINT_FILE);
  const reader = await SafetensorsReader.open(file);
  const raw = reader.metadata[META_KEY];
  if (raw === undefined) throw new Error(`${file}: no '${META_KEY}' metadata: not a grasp-hil pre-training checkpoint`);
  const params = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const key of reader.names()) {
    if (!key.startsWith('param/')) continue;
    const t = reader.read(key);
    params.set(key.slice('param/'.length), { shape: t.shape, data: t.data as Float32Array });
  }
  return { file, step: (JSON.parse(raw) as Meta<unknown>).step, params };
}

/**
 * Reads `<dir>/checkpoint.safetensors` and checks it against this run: the same `settings` (every
 * field) and the same trained parameters (`shapes`: name → shape).
 */
export async function readCheckpoint<E>(dir: string, settings: CheckpointSettings, shapes: ReadonlyMap<string, readonly number[]>): Promise<PretrainCheckpoint<E>> {
  const file = join(dir, CHECKPOINT_FILE);
  const fail = (what: string): never => {
    throw new Error(`${file}: ${what}; resume with the settings that wrote it, or give another --checkpoint folder to start afresh`);
  };
  const reader = await SafetensorsReader.open(file);
  const tensors = new Map(reader.names().map((n) => [n, reader.read(n)]));
  const raw = reader.metadata[META_KEY];
  if (raw === undefined) fail(`no '${META_KEY}' metadata: not a grasp-hil pre-training checkpoint`);
  const meta = JSON.parse(raw) as Meta<E>;
  if (meta.format !== FORMAT) fail(`format ${meta.format}, this grasp-hil reads format ${FORMAT}`);
  for (const key of new Set([...Object.keys(settings), ...Object.keys(meta.settings)])) {
    if (meta.settings[key] !== settings[key]) fail(`settings field '${key}' is ${JSON.stringify(meta.settings[key])} in the checkpoint, ${JSON.stringify(settings[key])} in this run`);
  }
  const params = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const [name, shape] of shapes) {
    const t = tensors.get(`param/${name}`);
    if (!t) fail(`no tensor 'param/${name}' (the model has a parameter the checkpoint lacks)`);
    if (t!.shape.join('×') !== shape.join('×')) fail(`tensor 'param/${name}' has shape [${t!.shape}], the model's is [${shape}]`);
    params.set(name, { shape: t!.shape, data: t!.data as Float32Array });
  }
  const extra = [...tensors.keys()].filter((k) => k.startsWith('param/') && !shapes.has(k.slice(6)));
  if (extra.length) fail(`parameters the model does not have: ${extra.slice(0, 5).join(', ')}`);
  const moments = Array.from({ length: meta.adamwMoments }, (_, i) => {
    const t = tensors.get(`adamw/${i}`);
    if (!t) fail(`no tensor 'adamw/${i}'`);
    return t!.data as Float32Array;
  });
  const perm = tensors.get('order/perm');
  if (!perm || perm.dtype !== 'I32') fail("no I32 tensor 'order/perm'");
  return {
    settings: meta.settings, step: meta.step, cursor: meta.cursor, perm: perm!.data as Int32Array, optimiser: { t: meta.adamwStep, moments },
    streams: meta.streams, history: meta.history, seconds: meta.seconds, params,
  };
}
