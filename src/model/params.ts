/**
 * ParamStore: every parameter of a model under its Hugging Face name (no `roberta.`/`transformer.`
 * prefix; heads under `classifier.*` / `lm_head.*`).
 *
 * Orientation: the weight of every Site is kept as W [in, out] whatever its checkpoint layout
 * (HF `nn.Linear` stores [out, in]; GPT-2's Conv1D stores [in, out]); io/ converts on load and save.
 *
 * A parameter is frozen (a plain tensor, never copied into a variable) unless a method asks for it
 * to train (`setTrainable`), which moves it into a `tf.Variable`. Frozen 2-D weights are served as
 * `FrozenMatrix` so `linear` caches their transpose and computes no weight gradient.
 */
import { FrozenMatrix, tf, type LinearWeight } from '../tensor/index.js';

interface Entry {
  value: tf.Tensor;
  variable: tf.Variable | null;
  frozen: FrozenMatrix | null;
  /** A read-time view (`setView`): `get` returns view(stored value). */
  view: ((stored: tf.Tensor) => tf.Tensor) | null;
}

export class ParamStore {
  private readonly entries = new Map<string, Entry>();

  /** Adds or replaces a parameter (takes ownership of `value`; disposes what it replaces). */
  set(name: string, value: tf.Tensor): void {
    this.delete(name);
    this.entries.set(name, { value: tf.keep(value), variable: null, frozen: null, view: null });
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  /** Every name, in insertion order (the checkpoint's canonical order). */
  names(): string[] {
    return [...this.entries.keys()];
  }

  /**
   * The parameter's current value (the variable when trainable). Under a view (`setView`) a new
   * tensor computed from the stored value on every call: read it inside tf.tidy.
   */
  get(name: string): tf.Tensor {
    const e = this.entry(name);
    return e.view ? e.view(e.variable ?? e.value) : (e.variable ?? e.value);
  }

  /** The stored value (the variable when trainable), never a view: what the checkpoint holds. */
  stored(name: string): tf.Tensor {
    const e = this.entry(name);
    return e.variable ?? e.value;
  }

  /**
   * Makes every `get(name)` return `view(stored value)` until the returned function is called: how
   * PEFT's trainable tokens replace rows of the word embeddings (and so of a tied LM head) without
   * copying the table into a variable. The parameter then counts as trainable (`isTrainable`), so the
   * forward pass computes its gradient, which reaches the view's own variables.
   */
  setView(name: string, view: (stored: tf.Tensor) => tf.Tensor): () => void {
    const e = this.entry(name);
    if (e.view) throw new Error(`ParamStore: '${name}' already has a view (two adapters replacing its rows?)`);
    if (e.variable) throw new Error(`ParamStore: '${name}' is being trained as a whole; it cannot also take a view`);
    e.view = view;
    return () => {
      if (e.view === view) e.view = null;
    };
  }

  shape(name: string): number[] {
    return this.entry(name).value.shape;
  }

  /** A Site weight for `linear`: a FrozenMatrix when frozen, the variable when trainable. */
  linearWeight(name: string): LinearWeight {
    const e = this.entry(name);
    if (e.variable) return e.variable as tf.Variable<tf.Rank.R2>;
    if (e.value.rank !== 2) throw new Error(`ParamStore: '${name}' has shape [${e.value.shape}], not a matrix`);
    if (!e.frozen) e.frozen = new FrozenMatrix(e.value as tf.Tensor2D);
    return e.frozen;
  }

  /** Whether the forward pass must compute this parameter's gradient (a variable, or a view over it). */
  isTrainable(name: string): boolean {
    const e = this.entry(name);
    return e.variable !== null || e.view !== null;
  }

  /**
   * Makes a parameter trainable (a tf.Variable initialised from its value) or frozen again (the
   * variable's current value becomes the frozen value).
   */
  setTrainable(name: string, trainable: boolean): void {
    const e = this.entry(name);
    if (trainable && e.view) throw new Error(`ParamStore: '${name}' has a view (trainable tokens); detach that adapter before training the whole parameter`);
    if (trainable && !e.variable) {
      e.frozen?.transposed().dispose();
      e.frozen = null;
      e.variable = tf.variable(e.value, true, `param/${name}/${variableCounter++}`);
    } else if (!trainable && e.variable) {
      const v = e.variable;
      e.value.dispose();
      e.value = tf.keep(tf.clone(v));
      v.dispose();
      e.variable = null;
      e.frozen = null;
    }
  }

  /** Trainable variables by parameter name. */
  trainable(): Map<string, tf.Variable> {
    const out = new Map<string, tf.Variable>();
    for (const [k, e] of this.entries) if (e.variable) out.set(k, e.variable);
    return out;
  }

  /** Total number of scalar parameters (optionally only names passing `filter`). */
  count(filter: (name: string) => boolean = () => true): number {
    let n = 0;
    for (const [k, e] of this.entries) if (filter(k)) n += e.value.size;
    return n;
  }

  delete(name: string): void {
    const e = this.entries.get(name);
    if (!e) return;
    this.disposeEntry(e);
    this.entries.delete(name);
  }

  dispose(): void {
    for (const e of this.entries.values()) this.disposeEntry(e);
    this.entries.clear();
  }

  private disposeEntry(e: Entry): void {
    if (e.frozen) e.frozen.dispose();
    else e.value.dispose();
    e.variable?.dispose();
  }

  private entry(name: string): Entry {
    const e = this.entries.get(name);
    if (!e) {
      const close = this.names().filter((k) => k.endsWith(name.split('.').slice(-2).join('.'))).slice(0, 8);
      throw new Error(`ParamStore: no parameter '${name}'${close.length ? `; similar: ${close.join(', ')}` : ''}`);
    }
    return e;
  }
}

let variableCounter = 0;
