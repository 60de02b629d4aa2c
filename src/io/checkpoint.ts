/**
 * Loading and saving Hugging Face checkpoint directories (`config.json` + `model.safetensors`, or
 * a sharded `model.safetensors.index.json`).
 *
 *   load:  read config (sizes within config-bounds.ts) → open weights (shard files contained in the
 *          folder) → compare the parameter count the config describes with the values the file
 *          holds, before the spec is built → detect layout (prefix, head) → match every key to a
 *          parameter by name (strict: missing, unexpected and wrongly shaped keys are all reported
 *          in one error) → decode, refusing non-finite values (file and tensor named) → transpose
 *          nn.Linear weights [out, in] → [in, out] → build the model
 *   save:  the same layout back: prefix, head keys, tied copies; nn.Linear weights transposed back
 *
 * A head asked for but absent from the checkpoint (fine-tuning roberta-base for classification) is
 * initialised as `transformers` would, from `options.rng`; keys of a head not asked for are
 * skipped. Both are reported through `onWarning` and in `LoadResult.report`, as HF logs them.
 */
import { existsSync, promises as fs, statSync } from 'node:fs';
import * as path from 'node:path';
import {
  buildModel, configToJson, initTensor, modelSpec, parseConfig, ParamStore,
  type HeadKind, type Model, type ParamSpec, type Transformer, type TransformerConfig,
} from '../model/index.js';
import { Rng, tf } from '../tensor/index.js';
import {
  basePrefix, className, defaultLayout, headFromArchitectures, headOfKey, isBufferKey, modernKey, tiedSource,
  type CheckpointLayout,
} from './layout.js';
import { checkConfigBounds, estimatedParameters } from './config-bounds.js';
import { containedPath } from './contain.js';
import { SafetensorsReader, writeFileAtomic, writeSafetensors, type TensorToWrite } from './safetensors.js';

export interface LoadModelOptions {
  /** Head to build: from the checkpoint and config ('auto', default), a given kind, or 'none'. */
  withHead?: HeadKind | 'auto' | 'none';
  /** Labels for a classification head the checkpoint does not have (default: config's, else 2). */
  numLabels?: number;
  /** Stream for initialising head parameters missing from the checkpoint (default Rng(0, 'head-init')). */
  rng?: Rng;
  /** Called with each notice HF would log (initialised head, skipped keys). */
  onWarning?: (message: string) => void;
}

export interface LoadReport {
  /** Parameters initialised because the checkpoint lacked them (head only). */
  initialised: string[];
  /** Checkpoint keys not used: other heads' weights. */
  skipped: string[];
}

export interface LoadResult {
  model: Model;
  layout: CheckpointLayout;
  report: LoadReport;
}

/** A checkpoint's tensors by key, over one file or several shards. */
interface WeightSource {
  label: string;
  keys: string[];
  reader(key: string): SafetensorsReader;
}

const layouts = new WeakMap<Transformer, CheckpointLayout>();

/** The layout a model was loaded from (null for models built in memory). */
export function layoutOf(model: Transformer): CheckpointLayout | null {
  return layouts.get(model) ?? null;
}

function listing(items: string[], max = 30): string {
  return items.length <= max ? items.join(', ') : `${items.slice(0, max).join(', ')}, … and ${items.length - max} more`;
}

async function readConfig(dir: string): Promise<TransformerConfig> {
  if (!existsSync(dir)) throw new Error(`model directory ${dir} does not exist`);
  if (!statSync(dir).isDirectory()) throw new Error(`${dir} is not a directory; pass the folder holding config.json and model.safetensors`);
  const file = path.join(dir, 'config.json');
  if (!existsSync(file)) throw new Error(`${file} not found; a model directory needs a Hugging Face config.json`);
  let json: unknown;
  try {
    json = JSON.parse(await fs.readFile(file, 'utf8'));
  } catch (e) {
    throw new Error(`${file}: not valid JSON (${(e as Error).message})`);
  }
  const config = parseConfig(json, file);
  checkConfigBounds(config);
  return config;
}

/**
 * The config's sizes against the weights file, from header shapes only: a config describing far more
 * parameters than the file holds (10⁹ layers, a hidden size off by a factor) fails here, naming both
 * files, before the spec is built. Near misses go on to the key-by-key comparison, which names each key.
 */
function checkConfigAgainstWeights(config: TransformerConfig, weights: WeightSource, dir: string): void {
  let held = 0;
  for (const k of weights.keys) held += weights.reader(k).info(k).shape.reduce((a, b) => a * b, 1);
  const described = estimatedParameters(config);
  if (described > 2 * held + 1e6) {
    throw new Error(
      `${config.source} describes about ${described.toExponential(2)} parameters, but ${path.join(dir, weights.label)} holds ` +
        `${held.toExponential(2)} values; check num_hidden_layers / n_layer and hidden_size / n_embd, or use the config.json that came with these weights`,
    );
  }
}

/** Throws when `data` holds NaN or ±Infinity, naming the file, the tensor and the first index. */
export function checkFinite(data: Float32Array, file: string, key: string): void {
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) {
      throw new Error(`${file}: tensor '${key}' holds a non-finite value (${data[i]}) at index ${i}; the file is corrupt, re-export it`);
    }
  }
}

async function openWeights(dir: string): Promise<WeightSource> {
  const single = path.join(dir, 'model.safetensors');
  if (existsSync(single)) {
    const r = await SafetensorsReader.open(single);
    return { label: 'model.safetensors', keys: r.names(), reader: () => r };
  }
  const index = path.join(dir, 'model.safetensors.index.json');
  if (existsSync(index)) {
    let map: Record<string, string>;
    try {
      map = (JSON.parse(await fs.readFile(index, 'utf8')) as { weight_map: Record<string, string> }).weight_map;
      if (typeof map !== 'object' || map === null) throw new Error('no weight_map object');
    } catch (e) {
      throw new Error(`${index}: cannot read the shard index (${(e as Error).message})`);
    }
    const shards = new Map<string, string>();
    for (const [key, shard] of Object.entries(map)) {
      if (!shards.has(shard)) shards.set(shard, containedPath(dir, shard, index, `/weight_map/${key}`));
    }
    const readers = new Map<string, SafetensorsReader>();
    for (const [shard, file] of shards) readers.set(shard, await SafetensorsReader.open(file));
    for (const [key, shard] of Object.entries(map)) {
      if (!readers.get(shard)!.has(key)) throw new Error(`${index}: '${key}' is mapped to ${shard}, which does not contain it`);
    }
    return { label: 'model.safetensors.index.json', keys: Object.keys(map), reader: (k) => readers.get(map[k])! };
  }
  const bin = ['pytorch_model.bin', 'tf_model.h5', 'flax_model.msgpack'].find((f) => existsSync(path.join(dir, f)));
  throw new Error(
    `${dir}: no model.safetensors` + (bin ? ` (found ${bin}, which grasp-hil cannot read; convert it to safetensors, e.g. with transformers' save_pretrained(safe_serialization=True))` : ''),
  );
}

/** [rows, cols] row-major → [cols, rows]. */
function transpose2d(data: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    for (let c = 0; c < cols; c++) out[c * rows + r] = data[base + c];
  }
  return out;
}

function chooseHead(requested: LoadModelOptions['withHead'], keyHeads: Set<HeadKind>, config: TransformerConfig): HeadKind | null {
  if (requested === 'none') return null;
  if (requested && requested !== 'auto') return requested;
  const fromArch = headFromArchitectures(config);
  if (fromArch && (keyHeads.has(fromArch) || keyHeads.size === 0)) return fromArch;
  if (keyHeads.has('sequence-classification')) return 'sequence-classification';
  if (keyHeads.has('lm')) return 'lm';
  return null;
}

/** Loads a checkpoint directory; see the file comment for the steps. */
export async function loadCheckpoint(dir: string, options: LoadModelOptions = {}): Promise<LoadResult> {
  let config = await readConfig(dir);
  const weights = await openWeights(dir);
  const src = weights.label;
  const arch = config.architecture;
  checkConfigAgainstWeights(config, weights, dir);

  // Layout: prefix and the head keys present.
  const prefixed = weights.keys.some((k) => k.startsWith(basePrefix(arch)));
  const prefix = prefixed ? basePrefix(arch) : '';
  const byName = new Map<string, string>(); // parameter name → file key
  const keyHeads = new Set<HeadKind>();
  const unexpected: string[] = [];
  for (const key of weights.keys) {
    const hasPrefix = prefix !== '' && key.startsWith(prefix);
    const bare = modernKey(hasPrefix ? key.slice(prefix.length) : key);
    const h = headOfKey(bare, arch);
    // In a prefixed file only head keys and buffers go without the prefix; a name seen twice is an error.
    if ((prefix && !hasPrefix && h === null && !isBufferKey(bare)) || byName.has(bare)) {
      unexpected.push(key);
      continue;
    }
    byName.set(bare, key);
    if (h && h !== 'other') keyHeads.add(h);
  }
  const head = chooseHead(options.withHead, keyHeads, config);
  const hasPooler = byName.has('pooler.dense.weight');
  if (head === 'sequence-classification' && options.numLabels !== undefined && options.numLabels !== config.numLabels) {
    config = { ...config, numLabels: options.numLabels, id2label: undefined, label2id: undefined };
  }
  const spec = modelSpec(config, { head, pooler: hasPooler });

  // Match names; collect every problem before failing.
  const missing: string[] = [];
  const wrongShape: string[] = [];
  const toInit: ParamSpec[] = [];
  const used = new Set<string>();
  for (const p of spec.params) {
    const key = byName.get(p.name);
    if (key === undefined) {
      const optionalPooler = p.name.startsWith('pooler.') && !hasPooler;
      if (p.part === 'head' || optionalPooler) toInit.push(p);
      else missing.push(`${prefix}${p.name}`);
      continue;
    }
    used.add(key);
    const shape = weights.reader(key).info(key).shape;
    const want = p.checkpointShape;
    if (shape.length !== want.length || shape.some((d, i) => d !== want[i])) {
      wrongShape.push(`${key} has shape [${shape.join(', ')}], config.json implies [${want.join(', ')}]`);
    }
  }
  const tiedKeys: string[] = [];
  const skipped: string[] = [];
  for (const [name, key] of byName) {
    if (used.has(key)) continue;
    if (isBufferKey(name)) continue;
    if (tiedSource(name, config) !== null && (head === 'lm' || arch === 'gpt2')) tiedKeys.push(key);
    else if (headOfKey(name, arch) !== null && (prefix === '' || !key.startsWith(prefix))) skipped.push(key);
    else unexpected.push(key);
  }
  if (missing.length || unexpected.length || wrongShape.length) {
    const parts: string[] = [];
    if (missing.length) parts.push(`missing keys (${missing.length}): ${listing(missing)}`);
    if (unexpected.length) parts.push(`unexpected keys (${unexpected.length}): ${listing(unexpected)}`);
    if (wrongShape.length) parts.push(`shape mismatches (${wrongShape.length}): ${listing(wrongShape, 10)}`);
    throw new Error(`${path.join(dir, src)} does not match ${config.source} (${arch}, ${config.numLayers} layers, hidden ${config.hiddenSize}):\n  ${parts.join('\n  ')}`);
  }

  // Decode, transpose, store.
  const params = new ParamStore();
  const initialised: string[] = [];
  try {
    const rng = options.rng ?? new Rng(0, 'head-init');
    const initSet = new Set(toInit.map((p) => p.name));
    for (const p of spec.params) {
      if (initSet.has(p.name)) {
        params.set(p.name, initTensor(p, rng.fork(p.name)));
        initialised.push(p.name);
        continue;
      }
      const key = byName.get(p.name)!;
      let data = weights.reader(key).float32(key);
      checkFinite(data, path.join(dir, src), key);
      if (p.transposed) data = transpose2d(data, p.checkpointShape[0], p.checkpointShape[1]);
      params.set(p.name, tf.tensor(data, p.shape, 'float32'));
    }
    const model = buildModel(config, params, { head, pooler: hasPooler });
    const layout: CheckpointLayout = { prefix, tiedKeys };
    layouts.set(model, layout);
    const warn = options.onWarning;
    if (warn && initialised.length) warn(`${dir}: initialised ${initialised.length} head parameters not in the checkpoint: ${listing(initialised)}`);
    if (warn && skipped.length) warn(`${dir}: skipped ${skipped.length} checkpoint keys of a head not built: ${listing(skipped)}`);
    return { model, layout, report: { initialised, skipped } };
  } catch (e) {
    params.dispose();
    throw e;
  }
}

/** Loads a checkpoint directory and returns the model (see `loadCheckpoint`). */
export async function loadModel(dir: string, options: LoadModelOptions = {}): Promise<Model> {
  return (await loadCheckpoint(dir, options)).model;
}

export interface SaveModelOptions {
  /** Storage type of the weights. Default 'F32'. */
  dtype?: 'F32' | 'F16';
  /** Key layout; default: the layout the model was loaded from, else what `transformers` writes. */
  layout?: CheckpointLayout;
}

/** The tensors of `model` under checkpoint keys, in checkpoint layout. */
export function checkpointTensors(model: Model, layout: CheckpointLayout): [string, TensorToWrite][] {
  const out: [string, TensorToWrite][] = [];
  const byName = new Map<string, TensorToWrite>();
  for (const p of model.spec.params) {
    let data = model.params.get(p.name).dataSync() as Float32Array;
    if (p.transposed) data = transpose2d(data, p.shape[0], p.shape[1]);
    else data = Float32Array.from(data);
    const t: TensorToWrite = { shape: p.checkpointShape, data };
    byName.set(p.name, t);
    out.push([p.part === 'base' ? `${layout.prefix}${p.name}` : p.name, t]);
  }
  for (const key of layout.tiedKeys) {
    const bare = layout.prefix && key.startsWith(layout.prefix) ? key.slice(layout.prefix.length) : key;
    const from = tiedSource(bare, model.config);
    const t = from ? byName.get(from) : undefined;
    if (t) out.push([key, { shape: t.shape, data: t.data }]);
  }
  return out;
}

/** Writes config.json and model.safetensors (each atomically) into `dir`, creating it if needed. */
export async function saveModel(model: Model, dir: string, options: SaveModelOptions = {}): Promise<void> {
  const head = model.head?.kind ?? null;
  const layout = options.layout ?? layoutOf(model) ?? defaultLayout(model.config, head);
  await fs.mkdir(dir, { recursive: true });
  const config = configToJson(model.config);
  // As save_pretrained does: `architectures` names the class that was saved.
  config.architectures = [className(model.config, head)];
  const tensors = checkpointTensors(model, layout);
  await writeSafetensors(path.join(dir, 'model.safetensors'), tensors, { dtype: options.dtype, metadata: { format: 'pt' } });
  await writeFileAtomic(path.join(dir, 'config.json'), `${JSON.stringify(config, null, 2)}\n`);
}
