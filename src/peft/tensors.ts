/** Small helpers the methods share: plain copies, strict state loading, variables, Site weights. */
import type { Site, SiteWeights } from '../model/index.js';
import { tf, toFloat32 } from '../tensor/index.js';
import type { NamedTensors, PlainTensor, TrainableVariable } from './adapter.js';

export function plain(t: tf.Tensor, shape: number[] = t.shape): PlainTensor {
  return { shape, data: toFloat32(t).slice() };
}

export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

let counter = 0;
/** A trainable variable with a unique engine name; takes ownership of (and frees) `init`. */
export function newVariable(init: tf.Tensor, name: string): tf.Variable {
  const v = tf.variable(init, true, `${name}#${counter++}`);
  init.dispose();
  return v;
}

/** The Site's W [in, out] and bias as plain copies. */
export function siteWeights(site: Site): SiteWeights {
  const b = site.bias();
  return {
    inFeatures: site.inFeatures,
    outFeatures: site.outFeatures,
    weight: toFloat32(site.weightTensor()).slice(),
    bias: b ? toFloat32(b).slice() : null,
  };
}

/**
 * Checks saved tensors against the keys and shapes an adapter expects: every missing key, unexpected
 * key and shape mismatch is named in one error.
 */
export function checkState(expected: ReadonlyMap<string, readonly number[]>, tensors: NamedTensors, source: string): void {
  const missing = [...expected.keys()].filter((k) => !tensors.has(k));
  const unexpected = [...tensors.keys()].filter((k) => !expected.has(k));
  const wrong: string[] = [];
  for (const [k, shape] of expected) {
    const t = tensors.get(k);
    if (t && (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i]))) {
      wrong.push(`${k}: file has [${t.shape}], this model needs [${shape}]`);
    }
  }
  if (missing.length || unexpected.length || wrong.length) {
    const parts: string[] = [];
    const list = (xs: string[]) => (xs.length > 12 ? `${xs.slice(0, 12).join(', ')}, … (${xs.length - 12} more)` : xs.join(', '));
    if (wrong.length) parts.push(`shape mismatch (is the adapter for another base model?): ${list(wrong)}`);
    if (missing.length) parts.push(`missing keys: ${list(missing)}`);
    if (unexpected.length) parts.push(`unexpected keys: ${list(unexpected)}`);
    throw new Error(`${source}: adapter does not fit this model: ${parts.join('; ')}`);
  }
}

/** Assigns a saved tensor to a variable (shape already checked). */
export function assignFrom(v: tf.Variable, t: PlainTensor): void {
  tf.tidy(() => v.assign(tf.tensor(t.data, v.shape)));
}

/** State of adapters whose variables are all saved flat ([size]): key → plain copy. */
export function vectorState(vars: readonly TrainableVariable[]): NamedTensors {
  return new Map(vars.map((t) => [t.key, plain(t.variable, [t.variable.size])]));
}

/** Strict load of `vectorState` tensors: keys and flat sizes must match exactly. */
export function loadVectorState(vars: readonly TrainableVariable[], tensors: NamedTensors, source: string): void {
  checkState(new Map(vars.map((t) => [t.key, [t.variable.size]])), tensors, source);
  for (const t of vars) assignFrom(t.variable, tensors.get(t.key)!);
}
