/**
 * Methods that train existing parameters in place (BitFit, full fine-tuning, top-k blocks, and the
 * task head the trainer trains beside every method): the named parameters become variables through
 * `ParamStore.setTrainable`; everything else stays frozen and is never copied.
 *
 * Saved keys are the parameters' own Hugging Face names, in checkpoint orientation (nn.Linear
 * weights [out, in]), as PEFT saves `modules_to_save`. `detach` puts the original values back.
 */
import type { Site, Transformer } from '../model/index.js';
import { tf, tidyRead } from '../tensor/index.js';
import type { Adapter, AdapterMode, MergedWeights, NamedTensors, TrainableVariable } from './adapter.js';
import { checkState, plain, siteWeights } from './tensors.js';

/** Parameters of the task head (`classifier.*`, `score.*`, `lm_head.*`, `cls.*`). */
export function isHeadParam(name: string): boolean {
  return /^(classifier|score|lm_head|cls)(\.|$)/.test(name);
}

export function headParamNames(model: Transformer): string[] {
  return model.params.names().filter(isHeadParam);
}

export function baseParamNames(model: Transformer): string[] {
  return model.params.names().filter((n) => !isHeadParam(n));
}

/** Which Site owns a parameter name (`<site>.weight` / `<site>.bias`), if any. */
function siteIndex(model: Transformer): Map<string, Site> {
  const out = new Map<string, Site>();
  for (const s of model.sites.values()) {
    out.set(s.weightKey, s);
    if (s.biasKey) out.set(s.biasKey, s);
  }
  return out;
}

/** nn.Linear Site weights are stored [out, in] in checkpoints. */
function transposedOnDisk(owners: Map<string, Site>, name: string): boolean {
  const s = owners.get(name);
  return s !== undefined && s.layout === 'linear' && name === s.weightKey;
}

/** Current values of parameters by name, in checkpoint orientation. */
export function paramState(model: Transformer, names: readonly string[]): NamedTensors {
  const owners = siteIndex(model);
  const out: NamedTensors = new Map();
  for (const n of names) {
    const t = model.params.get(n);
    const [rows, cols] = t.shape as number[];
    if (transposedOnDisk(owners, n)) out.set(n, { shape: [cols, rows], data: tidyRead(() => tf.transpose(t)) });
    else out.set(n, plain(t));
  }
  return out;
}

/** Sets frozen parameters from saved values (checkpoint orientation), keeping the store's order. */
export function loadParams(model: Transformer, tensors: NamedTensors, source: string): void {
  const names = [...tensors.keys()];
  const tuning = new ParamTuning('load', model, names, {});
  tuning.loadState(tensors, source);
  tuning.commit();
}

export class ParamTuning implements Adapter {
  readonly sites: readonly string[];
  private readonly originals = new Map<string, tf.Tensor>();
  private readonly owners: Map<string, Site>;
  private attached = true;

  constructor(
    readonly method: string,
    private readonly model: Transformer,
    readonly names: readonly string[],
    readonly options: Readonly<Record<string, unknown>>,
    private readonly decay: (name: string) => boolean = defaultDecay,
  ) {
    const P = model.params;
    const already = names.filter((n) => P.isTrainable(n));
    if (already.length) throw new Error(`${method}: parameters already trainable (another method attached?): ${already.slice(0, 5).join(', ')}`);
    this.owners = siteIndex(model);
    for (const n of names) {
      this.originals.set(n, P.get(n));
      P.setTrainable(n, true);
    }
    this.sites = [...model.sites.values()].filter((s) => names.includes(s.weightKey) || (s.biasKey !== null && names.includes(s.biasKey))).map((s) => s.name);
  }

  trainable(): TrainableVariable[] {
    const vars = this.model.params.trainable();
    return this.names.map((n) => ({ key: n, variable: vars.get(n)!, decay: this.decay(n) }));
  }

  parameterCount(): number {
    return this.names.reduce((s, n) => s + this.model.params.shape(n).reduce((a, b) => a * b, 1), 0);
  }

  setMode(_mode: AdapterMode): void {}

  merge(): MergedWeights {
    const sites = new Map();
    const params: NamedTensors = new Map();
    for (const name of this.sites) sites.set(name, siteWeights(this.model.sites.get(name)!));
    for (const n of this.names) if (!this.owners.has(n)) params.set(n, plain(this.model.params.get(n)));
    return { sites, params };
  }

  state(): NamedTensors {
    return paramState(this.model, this.names);
  }

  loadState(tensors: NamedTensors, source: string): void {
    const expected = new Map<string, number[]>();
    for (const n of this.names) {
      const s = this.model.params.shape(n);
      expected.set(n, transposedOnDisk(this.owners, n) ? [s[1], s[0]] : s);
    }
    checkState(expected, tensors, source);
    const vars = this.model.params.trainable();
    for (const n of this.names) {
      const t = tensors.get(n)!;
      tf.tidy(() => {
        const v = tf.tensor(t.data, t.shape);
        vars.get(n)!.assign(transposedOnDisk(this.owners, n) ? tf.transpose(v) : v);
      });
    }
  }

  /** Refreezes the parameters keeping their trained values (the model now holds them). */
  commit(): void {
    if (!this.attached) return;
    this.attached = false;
    for (const n of this.names) this.model.params.setTrainable(n, false);
    this.originals.clear();
  }

  detach(): void {
    if (!this.attached) return;
    this.attached = false;
    const vars = this.model.params.trainable();
    for (const n of this.names) {
      // The store keeps the frozen value while the variable trains: copy it back, then refreeze.
      vars.get(n)?.assign(this.originals.get(n)!);
      this.model.params.setTrainable(n, false);
    }
    this.originals.clear();
  }
}

/** AdamW decay as Hugging Face's Trainer applies it: not to biases and LayerNorm weights. */
export function defaultDecay(name: string): boolean {
  return !(name.endsWith('.bias') || /layernorm|layer_norm|ln_\d|ln_f/i.test(name));
}
