/**
 * The one interface every fine-tuning method implements, and the registry methods join with one
 * `registerMethod` call in their own file. Nothing in grasp-hil switches over method names: the
 * trainer, the runner and the CLI see only `MethodDefinition` and `Adapter`; loading a saved adapter
 * dispatches on the type name stored in adapter_config.json (adapter-config.ts `methodOfConfig`).
 *
 * Life of an adapter:
 *   parseOptions (validate, defaults) → attach (hooks on Sites, variables) → train (trainable(),
 *   penalty(), setMode) → merge (plain weights per Site) → state/save → detach.
 */
import { Registry } from '../base/registry.js';
import type { SiteRole, Transformer, WeightsBySite } from '../model/index.js';
import type { Rng, tf } from '../tensor/index.js';

/** A tensor as plain data, with its shape (row-major). */
export interface PlainTensor {
  shape: number[];
  data: Float32Array;
}

/** Tensors by key. Adapter state keys are PEFT's without the `base_model.model.` prefix. */
export type NamedTensors = Map<string, PlainTensor>;

/** One trainable variable of an adapter and the key it is saved under. */
export interface TrainableVariable {
  key: string;
  variable: tf.Variable;
  /** Whether AdamW's decoupled weight decay applies (off for scales initialised at 1, biases, σ). */
  decay: boolean;
  /** Multiplier of the trainer's learning rate for this variable (default 1). */
  lrScale?: number;
}

/**
 * How the adapter behaves in a forward pass.
 * - `train`: training behaviour (dropout, a fresh StochGRASP sample per forward) drawn from `rng`.
 * - `eval`: deterministic; StochGRASP uses its mean weights W + μ̂.
 * - `sample`: StochGRASP draws one ΔW ~ N(μ̂, σ̂) from `rng` and keeps it until the mode changes
 *   (one "chip"); with `sigma`, σ̂ is replaced by that injected level (the paper's robustness
 *   protocol). Other methods behave as in `eval`.
 */
export type AdapterMode = { kind: 'train'; rng: Rng } | { kind: 'eval' } | { kind: 'sample'; rng: Rng; sigma?: number };

/** Deployable weights after merging: every Site the method changed, plus other changed parameters. */
export interface MergedWeights {
  sites: WeightsBySite;
  /** Non-Site parameters by ParamStore name (LayerNorm β for BitFit, embeddings for full FT). */
  params: NamedTensors;
}

export interface Adapter {
  /** Registered method name. */
  readonly method: string;
  /** Normalised options (JSON), as stored in adapter_config.json. */
  readonly options: Readonly<Record<string, unknown>>;
  /** The Sites this adapter changes, in model order. */
  readonly sites: readonly string[];
  /** Trainable variables (never the frozen base weights, never the task head). */
  trainable(): TrainableVariable[];
  /** Trainable scalars, excluding the task head. */
  parameterCount(): number;
  setMode(mode: AdapterMode): void;
  /** An extra loss term (StochGRASP's σ penalty); called inside the loss function. */
  penalty?(): tf.Scalar | null;
  /** Folds the adapter into plain weights. */
  merge(): MergedWeights;
  /** Current values by saved key (checkpoint orientation). */
  state(): NamedTensors;
  /** Sets values from saved tensors; keys and shapes must match exactly (errors name each key). */
  loadState(tensors: NamedTensors, source: string): void;
  /** Removes hooks, refreezes parameters, frees variables; the model is as before `attach`. */
  detach(): void;
}

/** Learned σ of one Site (weight units), for reports and checks. */
export interface SigmaSummary {
  site: string;
  mean: number;
  min: number;
  max: number;
  target: number;
}

/** An adapter that learns weight distributions and takes σ_target per Site (StochGRASP). */
export interface NoiseAwareAdapter extends Adapter {
  /** σ_target in weight units: one number, or one per Site name (from a device profile). */
  setSigmaTarget(target: number | Readonly<Record<string, number>>): void;
  sigmaSummary(): SigmaSummary[];
}

export function isNoiseAware(a: Adapter): a is NoiseAwareAdapter {
  return typeof (a as Partial<NoiseAwareAdapter>).setSigmaTarget === 'function';
}

/** A Site's shape from the config alone (parameter counting). */
export interface SiteShape {
  name: string;
  role: SiteRole;
  block: number | null;
  inFeatures: number;
  outFeatures: number;
  hasBias: boolean;
}

/** A model's structure from its config alone: base Sites (no heads) and base parameters. */
export interface ModelShape {
  architecture: string;
  numLayers: number;
  sites: SiteShape[];
  /** Every base-model parameter (no task head) with its shape. */
  params: { name: string; shape: number[] }[];
}

export interface SiteCount {
  site: string;
  params: number;
}

export interface CountResult {
  trainable: number;
  sites: SiteCount[];
}

export interface MethodDefinition<O extends object = Record<string, unknown>> {
  /** Name used on the command line, in experiments and in adapter_config.json `method`. */
  readonly name: string;
  /** adapter_config.json `peft_type` (PEFT's own value for LoRA, IA3, …). */
  readonly peftType: string;
  readonly summary: string;
  /** Option names with a one-line description (help, errors for unknown options). */
  readonly optionDocs: Readonly<Record<string, string>>;
  /** Validates options (unknown names, ranges) and fills defaults. */
  parseOptions(raw: Readonly<Record<string, unknown>>): O;
  attach(model: Transformer, options: O, rng: Rng): Adapter;
  /** Trainable parameters from the config alone (must equal attach(...).parameterCount()). */
  count(shape: ModelShape, options: O): CountResult;
  /** PEFT's own adapter_config.json fields for this method (LoRA's r, lora_alpha, …), if any. */
  peftFields?(options: O, adapter: Adapter, layout: PeftSaveLayout): Record<string, unknown>;
  /**
   * For methods PEFT has (LoRA, (IA)³): options from an adapter_config.json PEFT wrote, given the
   * Sites its target_modules select. Returns raw options for `parseOptions`. A method with this hook
   * is saved without `grasp_hil.method`/`options`: its PEFT fields say everything.
   */
  fromPeft?(config: Readonly<Record<string, unknown>>, sites: readonly PeftSite[], read: PeftFieldReader): Record<string, unknown>;
}

/** A Site and its module path in the `transformers` model PEFT wrapped. */
export interface PeftSite {
  name: string;
  path: string;
}

/** What a method needs to write PEFT's fields for the model it was saved from. */
export interface PeftSaveLayout {
  /** Module path of a Site (`roberta.encoder.layer.0.attention.self.query`). */
  path(site: string): string;
  /** Whether the Site is a GPT-2 Conv1D (PEFT's fan_in_fan_out). */
  conv1d(site: string): boolean;
  /** target_modules-style suffixes selecting exactly `sites` among `within` (default: every Site). */
  suffixes(sites: readonly string[], within?: readonly string[], plainEndsWith?: boolean): string[];
}

/** Typed reads of adapter_config.json fields; errors name the file and the JSON pointer. */
export interface PeftFieldReader {
  int(field: string, def: number, min: number): number;
  number(field: string, def: number, min: number, max?: number): number;
  bool(field: string, def: boolean): boolean;
  /** An object of numbers (rank_pattern); `{}` when absent or null. */
  record(field: string, integer: boolean): Record<string, number>;
  /** A string (regex) or a list of strings; null when absent. */
  modules(field: string): string | string[] | null;
  /** Fails when `bad(value)`, saying what is expected. */
  reject(field: string, bad: (value: unknown) => boolean, expected: string): void;
}

const registry = new Registry<MethodDefinition<object>>('PEFT method', 'methods');

/** Adds a method; names and PEFT types must be unique. */
export function registerMethod<O extends object>(def: MethodDefinition<O>): MethodDefinition<O> {
  const same = registry.values().find((d) => d.peftType === def.peftType && d.name !== def.name);
  if (same) throw new Error(`PEFT method '${def.name}': peft_type '${def.peftType}' is already '${same.name}''s; adapter files dispatch on it`);
  registry.add(def.name, def as unknown as MethodDefinition<object>);
  return def;
}

/** The method called `name`; an unknown name lists the registered ones. */
export function getMethod(name: string): MethodDefinition<object> {
  const m = registry.find(name) ?? registry.find(name.toLowerCase());
  if (!m) throw new Error(registry.unknownMessage(name));
  return m;
}

export function listMethods(): MethodDefinition<object>[] {
  return registry.values();
}
