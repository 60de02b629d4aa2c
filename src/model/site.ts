/**
 * Site: one linear layer of a transformer, named by its Hugging Face module path
 * (`encoder.layer.3.attention.self.query`, `h.7.mlp.c_proj`, `classifier.out_proj`).
 *
 * Its weight W [in, out] and bias [out] live in the model's ParamStore under `<name>.weight` and
 * `<name>.bias`. `forward(x)` runs the hooks attached to the Site, outermost first, around the base
 * computation `linear(x, W, b)`. PEFT adapters and the crossbar's AnalogLinear attach as hooks; they
 * never edit the model's forward code.
 */
import { addLocalTerm, applyAffine, linear, tf, type InputAffine, type LinearWeight, type LocalTerm } from '../tensor/index.js';
import type { ParamStore } from './params.js';

/**
 * What a linear layer does in its block. Encoder (BERT/RoBERTa): query, key, value,
 * attention.output (attention.output.dense), intermediate (intermediate.dense),
 * output (output.dense, the second feed-forward). Decoder (GPT-2): c_attn (fused q,k,v),
 * attn.c_proj, mlp.c_fc, mlp.c_proj. Heads: head.
 */
export type SiteRole =
  | 'query' | 'key' | 'value' | 'attention.output' | 'intermediate' | 'output'
  | 'c_attn' | 'attn.c_proj' | 'mlp.c_fc' | 'mlp.c_proj'
  | 'head';

/** How the checkpoint stores the weight: HF nn.Linear [out, in], or GPT-2 Conv1D [in, out]. */
export type WeightLayout = 'linear' | 'conv1d';

/**
 * A hook around a Site's computation. `next(x)` runs the inner hooks and the base linear;
 * a hook may transform x before (GRASP), the output after (RED), or replace `next` entirely
 * (AnalogLinear, merged-weight evaluation). `next(x, pre)` hands an input transform x·scale + shift
 * inward, and `next(x, pre, post)` an output term (StochGRASP's local reparameterisation): the base
 * linear folds both into its own op (one tape node, no reshapes); before another hook the transform
 * is applied to x first and the term added to that hook's output, so every hook still sees the
 * transformed input and every output carries the term.
 */
export type SiteNext = (x: tf.Tensor, pre?: InputAffine, post?: LocalTerm) => tf.Tensor;
export type SiteHook = (x: tf.Tensor, next: SiteNext, site: Site) => tf.Tensor;

interface AttachedHook {
  owner: string;
  hook: SiteHook;
}

export class Site {
  private hooks: AttachedHook[] = [];

  constructor(
    /** Hugging Face module path, without any `roberta.` / `transformer.` prefix. */
    readonly name: string,
    readonly role: SiteRole,
    /** Transformer block index, or null for heads. */
    readonly block: number | null,
    readonly layout: WeightLayout,
    private readonly store: ParamStore,
    readonly hasBias = true,
  ) {}

  get weightKey(): string {
    return `${this.name}.weight`;
  }

  get biasKey(): string | null {
    return this.hasBias ? `${this.name}.bias` : null;
  }

  get inFeatures(): number {
    return this.store.shape(this.weightKey)[0];
  }

  get outFeatures(): number {
    return this.store.shape(this.weightKey)[1];
  }

  /** W [in, out]: a FrozenMatrix unless a method made it trainable. */
  weight(): LinearWeight {
    return this.store.linearWeight(this.weightKey);
  }

  /** The weight as a plain tensor [in, out] (not a copy; do not dispose). */
  weightTensor(): tf.Tensor2D {
    return this.store.get(this.weightKey) as tf.Tensor2D;
  }

  bias(): tf.Tensor1D | null {
    return this.biasKey ? (this.store.get(this.biasKey) as tf.Tensor1D) : null;
  }

  /** Whether the bias is a constant (absent, or not made trainable by a method): `linear` then skips its gradient. */
  biasFrozen(): boolean {
    return this.biasKey === null || !this.store.isTrainable(this.biasKey);
  }

  /** The undecorated computation x·W + b, with an optional input transform and output term folded in. */
  base(x: tf.Tensor, pre?: InputAffine, post?: LocalTerm): tf.Tensor {
    return linear(x, this.weight(), this.bias(), { pre, post, frozenBias: this.biasFrozen() });
  }

  /** Runs the hooks (outermost = attached first) around `base`. */
  forward(x: tf.Tensor): tf.Tensor {
    const run = (i: number, input: tf.Tensor, pre?: InputAffine, post?: LocalTerm): tf.Tensor => {
      if (i === this.hooks.length) return this.base(input, pre, post);
      const h = pre && (pre.scale || pre.shift) ? applyAffine(input, pre) : input;
      const y = this.hooks[i].hook(h, (v, p, q) => run(i + 1, v, p, q), this);
      return post ? addLocalTerm(y, h, post) : y;
    };
    return run(0, x);
  }

  /**
   * Attaches a hook; returns a function that detaches it. `owner` names it in errors and listings.
   * A hook goes inside the ones already attached, or with `outermost` around all of them (hardware-aware
   * training's weight noise, which must see the raw input to perturb the adapter's effective weights).
   */
  attach(owner: string, hook: SiteHook, outermost = false): () => void {
    const h: AttachedHook = { owner, hook };
    if (outermost) this.hooks.unshift(h);
    else this.hooks.push(h);
    return () => {
      this.hooks = this.hooks.filter((x) => x !== h);
    };
  }

  /** Owners of the attached hooks, outermost first. */
  attachedOwners(): string[] {
    return this.hooks.map((h) => h.owner);
  }
}

